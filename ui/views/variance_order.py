"""The Variances table's order without making its rows: unfavourable first, the worst
variance as a share of budget at the top, as ``_sort_records`` orders records.

Worked on the cubes' arrays (``CubeRows.figures``): the variance percentage is rounded
half to even to two places in integers, as ``percent`` rounds it, and ties keep the
roll-up's order (a stable sort). None when a roll-up is not arrays or the integers
could overflow: the page then sorts its records.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from portfolio.analytics.cube_rows import CubeRows

LIMIT = 2**62 // 10_000


def variance_order(parts: Sequence, measure: str) -> tuple[np.ndarray, np.ndarray, int] | None:
    """(part of each shown row, its row in that part, how many are unfavourable)."""
    if not all(isinstance(rows, CubeRows) for rows in parts):
        return None
    figures = [rows.figures for rows in parts]
    if not figures:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    every = np.concatenate(figures)
    which = np.concatenate([np.full(len(f), i, dtype=np.int64) for i, f in enumerate(figures)])
    at = np.concatenate([np.arange(len(f), dtype=np.int64) for f in figures])
    budget, outlook = every[:, 0], every[:, 3]
    variance = outlook - budget
    if variance.size and int(np.abs(variance).max()) > LIMIT:
        return None
    higher = measure != "spend"
    favourable = variance >= 0 if higher else variance <= 0
    safe = np.where(budget == 0, 1, budget)
    whole, rest = np.divmod(variance * 10_000, safe)
    up = (2 * rest > safe) | ((2 * rest == safe) & (whole % 2 == 1))
    basis_points = np.where(budget == 0, 0, whole + up)
    second = basis_points if higher else -basis_points
    order = np.lexsort((second, favourable))
    return which[order], at[order], int((~favourable).sum())
