"""Writing output files safely: all of a file or none of it, never a clobbered original.

A workbook, deck or export is written to a temporary file in the target's own folder
and moved over the target only when complete (``os.replace`` is atomic on one file
system), so a failure, a crash or a cancel leaves the previous file as it was and no
half-written file behind. Problems a user can fix (read-only folder, file open in
another program, disk full) come back as one-line ``PortfolioError`` messages.

A process that is killed cannot clean up, so a temporary file says what it is in its
name (``.book.xlsx.incomplete-export.HOST-PID-RANDOM.xlsx.partial``) and the next run of
the same kind into the same folder removes those whose process is gone
(``remove_abandoned``). Only this machine's are touched: on a shared folder another
machine's run may still be writing its own.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from portfolio.errors import PortfolioError


class OutputError(PortfolioError):
    pass


def _explain(target: Path, error: OSError) -> OutputError:
    """One line naming ``target`` and the cause (``portfolio.storage.failures``)."""
    from portfolio.storage.failures import explain_os

    if error.errno == errno.ENOENT and not target.parent.is_dir():
        return OutputError(f"Cannot write {target}: folder {target.parent} does not exist")
    return OutputError(str(explain_os(target, error, "write")))


#: The end of a partial file's name: ``incomplete-KIND.HOST-PID-RANDOM[.ext].partial``,
#: then SQLite's own companions for a partial database.
_PARTIAL = re.compile(
    r"\.incomplete-(?P<kind>[a-z]+)\.(?P<host>[A-Za-z0-9_]+)-(?P<pid>\d+)-[a-z0-9_]+"
    r"(\.[^.]*)?\.partial(-wal|-shm|-journal)?$"
)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname() or "host")[:40]


def partial_prefix(target: Path, kind: str) -> str:
    """The start of the name of ``target``'s partial file for a run of ``kind``."""
    return f".{target.name}.incomplete-{kind}.{_host()}-{os.getpid()}-"


def new_partial(target: Path, kind: str) -> Path:
    """A new, empty, private partial file beside ``target`` (``OSError`` if it cannot be)."""
    handle, name = tempfile.mkstemp(
        prefix=partial_prefix(target, kind),
        suffix=f"{target.suffix}.partial",
        dir=target.parent,
    )
    os.close(handle)
    return Path(name)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_abandoned(folder: Path, kind: str) -> list[Path]:
    """Remove the partial files of ``kind`` in ``folder`` left by killed runs here.

    A partial file is abandoned when it was made on this machine by a process that no
    longer runs. Returns what was removed; files that cannot be removed are left.
    """
    removed: list[Path] = []
    host = _host()
    try:
        candidates = [p for p in folder.iterdir() if ".incomplete-" in p.name]
    except OSError:
        return removed
    for path in candidates:
        match = _PARTIAL.search(path.name)
        if match is None or match["kind"] != kind or match["host"] != host:
            continue
        if _running(int(match["pid"])):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


@contextmanager
def atomic_output(target: str | Path, kind: str = "export") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place if the block succeeds.

    The caller writes the whole file to the yielded path. On any exception (including
    ``Cancelled``) the temporary file is removed and ``target`` is untouched. An
    ``OSError`` from the block (disk full, drive gone) becomes a one-line
    ``OutputError``. Abandoned partial files of earlier ``kind`` runs are removed first.
    """
    target = Path(target).expanduser()
    if target.is_dir():
        raise OutputError(f"Cannot write {target}: it is a folder")
    if not target.parent.is_dir():
        raise OutputError(f"Cannot write {target}: folder {target.parent} does not exist")
    remove_abandoned(target.parent, kind)
    try:
        temporary = new_partial(target, kind)
    except OSError as error:
        raise _explain(target, error) from None
    try:
        # mkstemp makes a private (0600) file; an export should get the permissions
        # any new file would, or keep those of the file it replaces.
        os.chmod(temporary, _mode_for(target))
        try:
            yield temporary
        except OSError as error:
            raise _explain(target, error) from None
        try:
            if target.exists() and not os.access(target, os.W_OK):
                raise OutputError(f"Cannot replace {target}: the file is read-only")
            os.replace(temporary, target)
        except OSError as error:
            raise _explain(target, error) from None
    finally:
        temporary.unlink(missing_ok=True)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The permissions any new file of this user gets (0666 less the umask)."""
    return 0o666 & ~_current_umask()


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return new_file_mode()


def write_atomically(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)`` and move the result over ``target``."""
    with atomic_output(target) as temporary:
        try:
            write(temporary)
        except OSError as error:
            raise _explain(Path(target), error) from None
    return Path(target)
