"""A roll-up's rows kept as arrays, each ``VarianceRow`` made only when it is read.

The campaign level has 50,468 groups on the demo: making a named tuple for each of them
for all three measures took 0.45 s, mostly the garbage collector walking the new
objects, for rows a table then shows a screenful of. ``CubeRows`` is a read-only
sequence of the same rows, in the same order, from the summed arrays; ``figures`` lets a
caller sort or total them without making any.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from portfolio.analytics.variance import Measure, VarianceRow


class CubeRows(Sequence[VarianceRow]):
    def __init__(
        self,
        names: tuple[str, ...],
        keys: Sequence[tuple],
        labels: Sequence[tuple],
        groups: np.ndarray,
        currencies: Sequence[str | None],
        currency_codes: np.ndarray,
        figures: np.ndarray,
        m: Measure,
    ) -> None:
        """Row ``i`` is group ``groups[i]`` (an index into ``keys`` and ``labels``), in
        ``currencies[currency_codes[i]]``, with ``figures[i]``: budget, forecast,
        actual, outlook."""
        self.names = names
        self._keys, self._labels = keys, labels
        self.groups = groups
        self._currencies = currencies
        self.currency_codes = currency_codes
        self.figures = figures
        self.higher_is_better = m.higher_is_better

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        group = int(self.groups[index])
        budget, forecast, actual, outlook = (int(v) for v in self.figures[index])
        return VarianceRow(
            self.names,
            self._keys[group],
            self._labels[group],
            self._currencies[int(self.currency_codes[index])],
            budget,
            forecast,
            actual,
            outlook,
            self.higher_is_better,
        )

    def __iter__(self) -> Iterator[VarianceRow]:
        keys, labels, currencies = self._keys, self._labels, self._currencies
        names, higher = self.names, self.higher_is_better
        for group, code, figures in zip(
            self.groups.tolist(), self.currency_codes.tolist(), self.figures.tolist(), strict=True
        ):
            yield VarianceRow(names, keys[group], labels[group], currencies[code], *figures, higher)

    def totals(self) -> list[VarianceRow]:
        """The grand total, one row per currency (as ``totals_of``), from the arrays."""
        out = []
        for code in sorted(
            np.unique(self.currency_codes).tolist(), key=lambda c: self._currencies[c] or ""
        ):
            summed = self.figures[self.currency_codes == code].sum(axis=0, dtype=np.int64)
            out.append(
                VarianceRow(
                    ("total",),
                    (),
                    ("Total",),
                    self._currencies[code],
                    *summed.tolist(),
                    self.higher_is_better,
                )
            )
        return out
