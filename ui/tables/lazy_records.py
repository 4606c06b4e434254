"""Table records made when a view first reads them: a campaign level has 50,000 rows.

Making every row's record up front took 0.17 s and some 75 MB for the campaign level of
the million-line demo, for a table that shows a screenful. ``LazyRecords`` is a sequence
of records in a given order, each made by ``make(index)`` on first read and kept;
``RecordsModel`` keeps it as it is (sorting by a column still reads them all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portfolio.lazy import MadeWhenRead


class LazyRecords(MadeWhenRead[dict[str, Any]]):
    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        super().__init__(count, make, keep=True)
