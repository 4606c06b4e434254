"""Writing output files safely: all of a file or none of it, never a clobbered original.

A workbook, deck or export is written to a temporary file in the target's own folder
and moved over the target only when complete (``os.replace`` is atomic on one file
system), so a failure, a crash or a cancel leaves the previous file as it was and no
half-written file behind. Problems a user can fix (read-only folder, file open in
another program, disk full) come back as one-line ``PortfolioError`` messages.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from portfolio.errors import PortfolioError


class OutputError(PortfolioError):
    pass


def _explain(target: Path, error: OSError) -> OutputError:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"Cannot write {target}: permission denied (is the folder read-only?)")
    if error.errno == errno.ENOENT:
        return OutputError(f"Cannot write {target}: folder {target.parent} does not exist")
    if error.errno == errno.ENOSPC:
        return OutputError(f"Cannot write {target}: the disk is full")
    if error.errno in (errno.EBUSY, errno.ETXTBSY) or getattr(error, "winerror", None) == 32:
        return OutputError(f"Cannot replace {target}: it is open in another program; close it")
    if error.errno == errno.EISDIR:
        return OutputError(f"Cannot write {target}: it is a folder")
    return OutputError(f"Cannot write {target}: {error.strerror or error}")


@contextmanager
def atomic_output(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place if the block succeeds.

    The caller writes the whole file to the yielded path. On any exception (including
    ``Cancelled``) the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target).expanduser()
    if target.is_dir():
        raise OutputError(f"Cannot write {target}: it is a folder")
    if not target.parent.is_dir():
        raise OutputError(f"Cannot write {target}: folder {target.parent} does not exist")
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f"{target.suffix}.partial", dir=target.parent
        )
        os.close(handle)
    except OSError as error:
        raise _explain(target, error) from None
    temporary = Path(name)
    try:
        # mkstemp makes a private (0600) file; an export should get the permissions
        # any new file would, or keep those of the file it replaces.
        os.chmod(temporary, _mode_for(target))
        yield temporary
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


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_current_umask()


def write_atomically(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)`` and move the result over ``target``."""
    with atomic_output(target) as temporary:
        try:
            write(temporary)
        except OSError as error:
            raise _explain(Path(target), error) from None
    return Path(target)
