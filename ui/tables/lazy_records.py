"""Table records made when a view first reads them: a campaign level has 50,000 rows.

Making every row's record up front took 0.17 s and some 75 MB for the campaign level of
the million-line demo, for a table that shows a screenful. ``LazyRecords`` is a sequence
of records in a given order, each made by ``make(index)`` on first read and kept;
``RecordsModel`` keeps it as it is (sorting by a column still reads them all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class LazyRecords(Sequence[dict[str, Any]]):
    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        self._count = count
        self._make = make
        self._made: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._make(index)
        return made
