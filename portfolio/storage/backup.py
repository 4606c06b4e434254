"""Consistent copies of an SQLite portfolio, taken while it may be in use.

A backup is written under a partial name (``portfolio.files.new_partial``, kind
``backup``) and renamed to its final name only once SQLite's backup API has copied every
page, so a file named like a backup is always a whole one: a backup that fails (disk
full, drive gone) is removed with its journal, and one killed half-way is removed by
the next backup into that folder.

Names: ``NAME-backup-YYYYMMDD-HHMMSS.sqlite3`` for "Back up now", and one fixed name per
schema step for the copy taken before an upgrade
(``NAME-backup-before-upgrade-0001-to-0002``),
so trying an upgrade again replaces that copy rather than adding another.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

from portfolio.storage.failures import StorageError, explain_os, explain_sqlite

KIND = "backup"


def readonly_uri(path: Path) -> str:
    """A URI that opens ``path`` read-only, whatever characters its name holds."""
    return path.resolve().as_uri() + "?mode=ro"


def _suffix(path: Path) -> str:
    return path.suffix or ".sqlite3"


def backup_path_for(path: Path, when: dt.datetime | None = None, tag: str = "") -> Path:
    """A new timestamped name beside ``path`` (never an existing file's)."""
    stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = f"-{tag}" if tag else ""
    candidate = path.with_name(f"{path.stem}-backup-{stamp}{suffix}{_suffix(path)}")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-backup-{stamp}{suffix}-{counter}{_suffix(path)}")
        counter += 1
    return candidate


def upgrade_backup_path(path: Path, old: str, new: str) -> Path:
    """The one backup name for upgrading ``path`` from schema ``old`` to ``new``."""
    return path.with_name(f"{path.stem}-backup-before-upgrade-{old}-to-{new}{_suffix(path)}")


def backup_sqlite(path: Path, destination: Path | None = None, *, tag: str = "") -> Path:
    """Copy ``path`` with SQLite's online backup API and return the copy's path.

    The backup API copies a consistent snapshot even if another connection is writing,
    which a plain file copy of a WAL database does not. ``destination`` (default: a new
    timestamped name beside ``path``) is replaced only by a complete copy. Raises
    ``StorageError`` naming the file and the cause; nothing is left behind then.
    """
    from portfolio.files import new_partial, remove_abandoned

    target = destination or backup_path_for(path, tag=tag)
    remove_abandoned(target.parent, KIND)
    try:
        partial = new_partial(target, KIND)
        os.chmod(partial, stat.S_IMODE(path.stat().st_mode))
    except OSError as error:
        raise StorageError(
            f"Cannot back up to {target}: {_cause(explain_os(target, error))}"
        ) from None
    try:
        source = sqlite3.connect(readonly_uri(path), uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        os.replace(partial, target)
    except sqlite3.Error as error:
        explained = explain_sqlite(target, error, "back up to") or StorageError(
            f"Could not back up {path} to {target}: {error}"
        )
        raise explained from None
    except OSError as error:
        raise StorageError(
            f"Cannot back up to {target}: {_cause(explain_os(target, error))}"
        ) from None
    finally:
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal")):
            leftover.unlink(missing_ok=True)
    return target


def _cause(error: StorageError) -> str:
    return str(error).split(": ", 1)[-1]
