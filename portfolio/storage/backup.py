"""Consistent copies of an SQLite portfolio, taken while it may be in use."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from portfolio.errors import PortfolioError


def readonly_uri(path: Path) -> str:
    """A URI that opens ``path`` read-only, whatever characters its name holds."""
    return path.resolve().as_uri() + "?mode=ro"


def backup_path_for(path: Path, when: dt.datetime | None = None, tag: str = "") -> Path:
    stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = f"-{tag}" if tag else ""
    candidate = path.with_name(f"{path.stem}-backup-{stamp}{suffix}{path.suffix or '.sqlite3'}")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(
            f"{path.stem}-backup-{stamp}{suffix}-{counter}{path.suffix or '.sqlite3'}"
        )
        counter += 1
    return candidate


def backup_sqlite(path: Path, destination: Path | None = None, *, tag: str = "") -> Path:
    """Copy ``path`` with SQLite's online backup API and return the copy's path.

    The backup API copies a consistent snapshot even if another connection is writing,
    which a plain file copy of a WAL database does not.
    """
    target = destination or backup_path_for(path, tag=tag)
    try:
        source = sqlite3.connect(readonly_uri(path), uri=True)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except (sqlite3.Error, OSError) as error:
        raise PortfolioError(f"Could not back up {path} to {target}: {error}") from error
    return target
