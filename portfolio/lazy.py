"""A read-only sequence whose items are made when read: for rows a table shows a
screenful of, out of tens of thousands (the campaign level of the million-line demo)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class MadeWhenRead(Sequence[T]):
    """``length`` items, item ``i`` made by ``make(i)`` when read; with ``keep`` each is
    kept once made (a table reads the same rows again at every repaint)."""

    def __init__(self, length: int, make: Callable[[int], T], *, keep: bool = False) -> None:
        self._length = length
        self._make = make
        self._made: dict[int, T] | None = {} if keep else None

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        if self._made is None:
            return self._make(index)
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._make(index)
        return made
