"""What a failed read or write of a portfolio means, in one line a person can act on.

The machine says "attempt to write a readonly database", ``SQLITE_CANTOPEN`` or
``[Errno 28]``; a person needs to hear which file, and whether it is read-only, its
folder is read-only, the disk is full, another program holds it, or the network drive
went away. One function per source of errors (SQLite, the operating system), both
returning a ``StorageError`` whose text is the whole message.

Sources: SQLite's result codes (https://sqlite.org/rescode.html) and the POSIX errno
names; a network file system that lost its server answers ``ENOTCONN`` (FUSE, sshfs),
``ESTALE`` (NFS), ``EHOSTDOWN`` or ``ENETUNREACH`` (SMB), and sometimes plain ``EIO``.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from portfolio.errors import PortfolioError

#: SQLite primary result codes (the low byte of an extended code).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
SQLITE_READONLY_DIRECTORY = SQLITE_READONLY | (6 << 8)

#: errno values a network drive gives when its server or the network is gone.
NETWORK_GONE = {
    code
    for name in (
        "ENOTCONN",
        "ESTALE",
        "EHOSTDOWN",
        "EHOSTUNREACH",
        "ENETDOWN",
        "ENETUNREACH",
        "ENOLINK",
        "ECOMM",
        "EREMOTEIO",
        "ECONNABORTED",
        "ECONNRESET",
    )
    if (code := getattr(errno, name, None)) is not None
}
READ_ONLY_FILE_SYSTEM = {errno.EROFS}
NO_PERMISSION = {errno.EACCES, errno.EPERM}
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
#: Windows' ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION: the file is open elsewhere.
WINDOWS_IN_USE = {32, 33}


class StorageError(PortfolioError):
    """A portfolio could not be read or written; ``str()`` names the file and the cause."""


class BusyError(StorageError):
    """Another program kept the portfolio locked for longer than we wait."""


def writable(path: Path) -> bool:
    """Whether this process may write ``path`` (a file or a folder)."""
    return os.access(path, os.W_OK)


def not_writable_reason(path: Path) -> str | None:
    """Why ``path`` (an existing SQLite file) cannot be changed here, or ``None``.

    SQLite writes a journal (``-wal``, ``-shm``) beside the file, so the folder must be
    writable as well as the file.
    """
    if _read_only_mount(path if path.exists() else path.parent):
        return "the drive is read-only"
    if path.exists() and not writable(path):
        return "the file is read-only"
    if not writable(path.parent):
        return f"its folder {path.parent} is read-only"
    return None


def explain_os(path: Path | str, error: OSError, doing: str = "write") -> StorageError:
    """An ``OSError`` met while ``doing`` (a verb: read, write, open, back up) ``path``."""
    code = error.errno
    if code in READ_ONLY_FILE_SYSTEM:
        cause = "the drive is read-only"
    elif code in NO_PERMISSION:
        target = Path(path)
        if target.exists() and not writable(target):
            cause = "the file is read-only"
        elif not target.parent.exists() or not writable(target.parent):
            cause = "the folder is read-only"
        else:
            cause = "permission denied"
    elif code in DISK_FULL:
        cause = "the disk is full"
    elif code in NETWORK_GONE:
        cause = "the network drive is unavailable"
    elif code == errno.EIO:
        cause = "the drive reported an input/output error (disconnected or failing)"
    elif code in (errno.EBUSY, errno.ETXTBSY) or getattr(error, "winerror", None) in (
        WINDOWS_IN_USE
    ):
        cause = "it is locked by another program; close it there"
    elif code == errno.ENOENT:
        cause = "the file or its folder does not exist"
    elif code == errno.EISDIR:
        cause = "it is a folder"
    else:
        cause = (error.strerror or str(error)).lower()
    return StorageError(f"Cannot {doing} {path}: {cause}")


def explain_sqlite(
    path: Path | str, error: BaseException, doing: str = "save to"
) -> StorageError | None:
    """An SQLite error as a one-line ``StorageError``, or ``None`` when it is a bug.

    ``error`` is an ``sqlite3.Error`` or SQLAlchemy's wrapper of one (``.orig``).
    """
    original = getattr(error, "orig", None) or error
    if not isinstance(original, sqlite3.Error):
        return None
    extended = getattr(original, "sqlite_errorcode", None) or 0
    code = extended & 0xFF
    text = str(original).lower()
    target = Path(path)
    if extended == SQLITE_READONLY_DIRECTORY:
        # A read-only folder: SQLite cannot make its journal (-wal, -shm) beside the file.
        return StorageError(f"Cannot open {path}: its folder {target.parent} is read-only")
    if code == SQLITE_READONLY or "readonly database" in text:
        reason = not_writable_reason(target) if target.exists() else None
        return StorageError(f"Cannot {doing} {path}: {reason or 'the file is read-only'}")
    if code == SQLITE_FULL or "disk is full" in text:
        return StorageError(f"Cannot {doing} {path}: the disk is full; nothing was changed")
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        return BusyError(
            f"Cannot {doing} {path}: it is locked by another program; nothing was changed"
        )
    if code == SQLITE_CANTOPEN or "unable to open" in text:
        if not target.parent.exists():
            cause = f"folder {target.parent} does not exist (is the drive connected?)"
        elif not writable(target.parent):
            # SQLite could not make its journal (-wal, -shm) beside the file.
            cause = f"its folder {target.parent} is read-only"
        else:
            cause = not_writable_reason(target) or "the file cannot be opened"
        return StorageError(f"Cannot open {path}: {cause}")
    if code == SQLITE_IOERR or "disk i/o error" in text:
        return StorageError(
            f"Cannot {doing} {path}: the drive reported an input/output error "
            "(a network drive that went away, or a failing disk)"
        )
    return None


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class ConnectionLostError(StorageError):
    """The connection to the server broke (or never came up) while a call waited on it."""


class TimedOutError(StorageError):
    """The server did not answer a statement within the statement timeout."""


#: PostgreSQL states of a connection that is gone: class 08 and the server shutting down.
POSTGRES_GONE = ("08", "57P01", "57P02", "57P03")


def explain_postgres(
    name: str, error: BaseException, *, committing: bool = False
) -> PortfolioError | None:
    """A PostgreSQL driver error as one line, or ``None`` when it is a bug.

    ``committing``: the error came while the server was committing, so whether the
    change was saved is not known until the connection is back (it is never claimed
    that nothing changed then). A refusal by the server's permissions comes back as
    ``AccessRefusedError`` with the server's words when it has them (the team
    triggers say "You cannot change ..."); ``portfolio.access.refusals`` rewords bare
    "permission denied" messages for the person.
    """
    import psycopg

    from portfolio.errors import AccessRefusedError, DatabaseOpenError
    from portfolio.jobs import Cancelled

    original = getattr(error, "orig", None) or error
    if not isinstance(original, psycopg.Error):
        return None
    state = original.sqlstate or ""
    diagnostic = getattr(original, "diag", None)
    primary = (getattr(diagnostic, "message_primary", None) or str(original)).strip()
    first = primary.splitlines()[0] if primary else type(original).__name__
    if state == "42501":
        return AccessRefusedError(first)
    if state == "25006":
        return AccessRefusedError(f"You cannot change {name}: the server is read-only")
    if state == "57014":
        if "statement timeout" in first:
            return TimedOutError(
                f"{name} did not answer within the statement timeout; nothing was changed "
                "(try again, or raise the timeout in Preferences)"
            )
        return Cancelled()
    if state in ("28P01", "28000"):
        return DatabaseOpenError(f"Cannot log in to {name}: {first}")
    gone = state.startswith(POSTGRES_GONE) or (
        isinstance(original, psycopg.OperationalError) and not state
    )
    if gone:
        if committing:
            return ConnectionLostError(
                f"Lost the connection to {name} while saving ({first}); whether the change "
                "was saved shows once the connection is back"
            )
        return ConnectionLostError(f"Lost the connection to {name} ({first}); nothing was changed")
    return None


def explain_connect(name: str, login: str | None, error: BaseException) -> str:
    """Why a connection to a server could not be made, in one line (no driver prose)."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    lowered = text.lower()
    who = f" as {login}" if login else ""
    if "no password supplied" in lowered:
        return f"Cannot log in to {name}{who}: the server asks for a password"
    if "password authentication failed" in lowered:
        return f"Cannot log in to {name}{who}: the server refused the password"
    if "does not exist" in lowered and "database" in lowered:
        return f"Cannot open {name}: the server has no such database"
    if "role" in lowered and "does not exist" in lowered:
        return f"Cannot log in to {name}{who}: the server has no such login"
    if "timeout expired" in lowered or "timed out" in lowered:
        return (
            f"Cannot reach {name}: the server did not answer within the connect timeout; "
            "check the network (VPN) and try again"
        )
    reason = text.split("failed:")[-1].strip().splitlines()[0] if text else type(error).__name__
    return f"Cannot reach {name}: {reason}; check the server name and the network, then try again"
