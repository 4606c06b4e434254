"""Closed months whose actuals have not come in: what the figures count as 0, said aloud.

Every roll-up counts an empty actual as 0 (``variance.measure``; the outlook takes the
actual of a closed month). On the first days of a month, the month just closed has no
actuals yet: its spend looks underspent and its revenue short by the whole budget. The
figures stay as the rule makes them (they must agree everywhere, to the cent); this
module finds where the rule, not a reported actual, made them, so each page and deck
can say so next to them.

Read from the monthly totals' per-measure counts of lines with no actual
(``MonthTotal.spend_actual_missing`` ..., migration 0008), or from the lines where a
scope names campaigns: one grouped statement over at most a year of client-months
(18 ms on the million-line demo); where the figure cubes are lent to the session
(``cubes.use_cubes``), from the monthly totals' cube in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import LINES, Scope, axis, lines_query, source_for
from portfolio.model import BudgetLine, MonthTotal
from portfolio.periods import Period, month_label

MEASURE_NAMES = ("spend", "revenue", "sales")
#: Months named in a note; the rest are counted.
MONTHS_NAMED = 3


@dataclass(frozen=True)
class MonthMissing:
    """One closed month: its budget lines, and per measure how many have no actual."""

    month: int  # YYYYMM
    lines: int
    spend: int
    revenue: int
    sales: int

    def of(self, measure: str) -> int:
        return getattr(self, measure)


@dataclass(frozen=True)
class MissingActuals:
    """The closed months of a period (latest first) where some line has no actual."""

    months: tuple[MonthMissing, ...] = ()

    @classmethod
    def combined(cls, parts: list[MissingActuals]) -> MissingActuals:
        """Several scopes' months added up month by month (each client's fiscal year
        read apart, say), latest first; months with every actual in are left out.

        Each part must hold every closed month it covers (``missing_actuals(...,
        every_month=True)``): a part without a month would leave its lines out of that
        month's count of lines ("1 of 215" where the book has 270)."""
        by_month: dict[int, list[int]] = {}
        for part in parts:
            for month in part.months:
                sums = by_month.setdefault(month.month, [0, 0, 0, 0])
                for at, value in enumerate((month.lines, month.spend, month.revenue, month.sales)):
                    sums[at] += value
        return cls(
            tuple(
                MonthMissing(month, *by_month[month])
                for month in sorted(by_month, reverse=True)
                if any(by_month[month][1:])
            )
        )

    @classmethod
    def union(cls, parts: list[MissingActuals]) -> MissingActuals:
        """One scope's months read over several periods (a deck's period and its
        client's year), each month once, latest first."""
        by_month = {month.month: month for part in parts for month in part.months}
        return cls(tuple(by_month[month] for month in sorted(by_month, reverse=True)))

    def lines(self, measure: str) -> int:
        """Lines of closed months with no ``measure`` actual (counted as 0)."""
        return sum(month.of(measure) for month in self.months)

    def note(self, *measures: str) -> str | None:
        """What the figures of ``measures`` count as 0, in a sentence per measure, or
        one for measures missing on the same lines; None when every actual is in.

        E.g. "No spend or revenue actual entered yet for Nov 2026 on 26,120 of 26,120
        budget lines: counted as 0." The totals count each measure apart, so measures
        are known to be missing on the same lines only where each month has none or all
        of its lines missing; equal counts alone could be different lines (one line
        without a spend actual, another without a revenue actual: two lines, not one).
        """
        groups: dict[object, list[str]] = {}
        for measure in measures:
            counts = tuple((month.month, month.of(measure)) for month in self.months)
            if not any(count for _, count in counts):
                continue
            whole = all(month.of(measure) in (0, month.lines) for month in self.months)
            groups.setdefault(counts if whole else measure, []).append(measure)
        if not groups:
            return None
        return " ".join(self._sentence(names) for names in groups.values())

    def _sentence(self, measures: list[str]) -> str:
        words = " or ".join(measures)
        if len(measures) > 2:
            words = ", ".join(measures[:-1]) + " or " + measures[-1]
        found = [month for month in self.months if month.of(measures[0])]
        if len(found) == 1:
            only = found[0]
            return (
                f"No {words} actual entered yet for {month_label(only.month)} on "
                f"{only.of(measures[0]):,} of {only.lines:,} budget lines: counted as 0."
            )
        named = "; ".join(
            f"{month_label(month.month)}: {month.of(measures[0]):,} of {month.lines:,}"
            for month in found[:MONTHS_NAMED]
        )
        more = len(found) - MONTHS_NAMED
        named += f"; {more} more month{'s' if more > 1 else ''}" if more > 0 else ""
        return (
            f"No {words} actual entered yet on {self.lines(measures[0]):,} budget lines of "
            f"closed months ({named}): counted as 0."
        )


def lines_without_actual(measure: str):
    """SQL: how many of the grouped budget lines have no ``measure`` actual."""
    return func.sum(case((getattr(BudgetLine, f"{measure}_actual").is_(None), 1), else_=0))


def missing_actuals(
    session: Session,
    period: Period,
    as_of: int,
    scope: Scope = Scope(),
    *,
    every_month: bool = False,
) -> MissingActuals:
    """The months of ``period`` closed by ``as_of`` (YYYYMM) with lines in ``scope``
    that have no actual for some measure; with ``every_month``, every closed month
    with lines (to add scopes up, ``MissingActuals.combined``).

    Raises nothing for an empty period or book: the result then has no months.
    """
    last = min(period.last, as_of)
    if last < period.first:
        return MissingActuals()
    from portfolio.analytics.cubes import cubes_of  # the cubes import this module

    cubes = cubes_of(session)
    if cubes is not None:
        found = cubes.missing(session, period, as_of, scope, every_month)
        if found is not None:
            return found
    source = source_for(("month",), scope)
    if source is LINES:
        counts = [func.count(), *(lines_without_actual(name) for name in MEASURE_NAMES)]
    else:
        counts = [
            func.sum(MonthTotal.lines),
            *(func.sum(getattr(MonthTotal, f"{name}_actual_missing")) for name in MEASURE_NAMES),
        ]
    month = axis("month", source).keys[0]
    query = lines_query([month, *counts], [], source).where(month.between(period.first, last))
    query = scope.apply(query).group_by(month).order_by(month.desc())
    found = []
    for row in session.execute(query):
        figures = [int(value or 0) for value in row[1:]]  # PostgreSQL sums are Decimal
        if any(figures[1:]) or (every_month and figures[0]):
            found.append(MonthMissing(int(row[0]), *figures))
    return MissingActuals(tuple(found))


def missing_by(
    session: Session,
    by: tuple[str, ...] | list[str],
    period: Period,
    as_of: int,
    measure: str,
    scope: Scope = Scope(),
) -> dict[tuple, int]:
    """Per group of a roll-up along ``by`` (keyed as ``VarianceRow.key``), how many
    budget lines of ``period``'s months closed by ``as_of`` (YYYYMM) have no
    ``measure`` actual, so that group's actual counts them as 0. Groups with none are
    left out. One grouped statement, from the monthly totals where they answer (the
    lines for the campaign and line levels, or a scope naming campaigns).
    """
    last = min(period.last, as_of)
    if last < period.first:
        return {}
    source = source_for(by, scope)
    axes = [axis(name, source) for name in by]
    keys = [key for a in axes for key in a.keys]
    if source is LINES:
        count = lines_without_actual(measure)
    else:
        count = func.sum(getattr(MonthTotal, f"{measure}_actual_missing"))
    query = lines_query([*keys, count], axes, source)
    query = scope.apply(query.where(source.month.between(period.first, last)))
    found = session.execute(query.group_by(*keys)).all()
    return {tuple(row[:-1]): int(row[-1]) for row in found if row[-1]}


def line_note(lines: int, missing: dict[str, int]) -> str | None:
    """One group's missing actuals in words, for a row of an export: e.g. "No spend or
    revenue actual on 2 of 2 lines: counted as 0". ``missing`` maps each measure to
    its lines without an actual; measures share words only when each is missing on
    every line or on none (then they are the same lines). None when nothing is missing.
    """
    shown = {measure: count for measure, count in missing.items() if count}
    if not shown:
        return None
    if all(count == lines for count in shown.values()):
        parts = [f"{' or '.join(shown)} actual on {lines:,} of {lines:,} lines"]
    else:
        parts = [f"{name} actual on {count:,} of {lines:,} lines" for name, count in shown.items()]
    return "No " + "; no ".join(parts) + ": counted as 0"
