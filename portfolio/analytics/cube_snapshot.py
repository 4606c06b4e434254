"""The lines' cube kept on disk between starts, for one SQLite portfolio file.

Reading the 1,009,884 budget lines of the demo takes 0.8 s, so the campaign level was
not ready in Variances' first second. The desktop app writes what it read
(``cube_lines.Lines``: the lines' months and figures and the totals' stamps read before
them) to the user's cache folder, and the next start reads that back in 0.05 s and
reads again from the file only the client-months whose stamps have changed since
(``cube_lines.current``). A snapshot can therefore never make a figure wrong: at worst
(another program rebuilt the totals, a backup was restored) every stamp differs and the
lines are read in full, as without it.

One snapshot per portfolio file, named by a hash of its full path, in NumPy's ``.npz``
(no pickles: ``allow_pickle=False``); a snapshot that cannot be read, or is of another
format, is ignored. At most ``KEEP`` snapshots are kept, the least recently used
removed first. Portfolios on a server are not snapshotted: their lines may be other
directors' books, which are not copied to a laptop outside an offline copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from platformdirs import user_cache_path

from portfolio.analytics.cube_lines import Lines

log = logging.getLogger(__name__)

#: Written into each snapshot; a snapshot of another format is not read.
FORMAT = 1
#: Snapshots kept in the cache folder (about 45 MB each for a million lines).
KEEP = 3
_FIGURES = 9


def cache_folder() -> Path:
    """Where snapshots go: ``cubes`` in the user's cache folder for Portfolio."""
    return user_cache_path("Portfolio", appauthor=False) / "cubes"


class LinesSnapshot:
    """The snapshot file of one portfolio file: ``load`` and ``save``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of_file(cls, database: Path, folder: Path | None = None) -> LinesSnapshot:
        """The snapshot of the portfolio file ``database`` (in ``folder``, by default
        ``cache_folder()``)."""
        key = hashlib.sha256(str(database.resolve()).encode("utf-8")).hexdigest()[:24]
        return cls((folder or cache_folder()) / f"lines-{key}.npz")

    def load(self) -> Lines | None:
        """The lines saved last, or None (none saved, unreadable, another format)."""
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                if int(saved["format"]) != FORMAT:
                    return None
                figures = tuple(saved[f"figure{index}"] for index in range(_FIGURES))
                lines = Lines(
                    saved["ids"],
                    saved["clients"],
                    saved["starts"],
                    saved["months"],
                    figures,
                    saved["stamps"],
                    "snapshot",
                )
        except FileNotFoundError:
            return None
        except Exception as error:  # noqa: BLE001 - any damage: read the file instead
            log.warning("Ignoring the lines snapshot %s: %s", self.path, error)
            return None
        if not _well_formed(lines):
            log.warning("Ignoring the lines snapshot %s: its arrays do not agree", self.path)
            return None
        try:
            os.utime(self.path)  # used: kept before the others when pruning
        except OSError:
            pass
        return lines

    def save(self, lines: Lines) -> None:
        """Write ``lines`` in place of the last snapshot, whole or not at all (a new
        file renamed over the old), then prune the folder to ``KEEP`` snapshots. A
        failure (disk full, no permission) is logged: the snapshot only saves time."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".lines-", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    np.savez(
                        out,
                        format=np.int64(FORMAT),
                        ids=lines.ids,
                        clients=lines.clients,
                        starts=lines.starts,
                        months=lines.months,
                        stamps=lines.stamps,
                        **{f"figure{i}": values for i, values in enumerate(lines.figures)},
                    )
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            _prune(folder, keep=self.path)
        except OSError as error:
            log.warning("Could not save the lines snapshot %s: %s", self.path, error)


def _well_formed(lines: Lines) -> bool:
    count = len(lines.ids)
    shapes_agree = (
        lines.clients.shape == (count,)
        and lines.starts.shape == (count + 1,)
        and lines.stamps.ndim == 2
        and lines.stamps.shape[1] == 3
        and all(values.shape == lines.months.shape for values in lines.figures)
        and len(lines.figures) == _FIGURES
    )
    if not shapes_agree:
        return False
    arrays = (lines.ids, lines.clients, lines.starts, lines.months, lines.stamps, *lines.figures)
    if not all(np.issubdtype(values.dtype, np.integer) for values in arrays):
        return False
    starts = lines.starts
    return (
        int(starts[0]) == 0
        and int(starts[-1]) == len(lines.months)
        and bool(np.all(np.diff(starts) > 0))
        and bool(np.all(np.diff(lines.ids) > 0))
    )


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the ``KEEP`` most recently used snapshots (never ``keep``), and
    any half-written file left by a program that stopped while saving."""
    snapshots = sorted(
        folder.glob("lines-*.npz"), key=lambda path: path.stat().st_mtime, reverse=True
    )
    for old in [path for path in snapshots if path != keep][KEEP - 1 :]:
        old.unlink(missing_ok=True)
    for leftover in folder.glob(".lines-*.tmp"):
        try:
            # Another program may be saving right now: only files an hour old.
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
        except OSError:
            pass
