"""Budget, forecast and actual rolled up along any axes, with their variances.

Definitions (the same everywhere in Portfolio):

* ``actual`` counts only closed months (``month <= as_of``); a closed month with no
  actual entered counts as zero.
* ``outlook`` is the actual for closed months plus the forecast for open ones: for a
  closed period it equals the actual, for the current year it is the full-year outlook.
* ``variance`` = outlook - budget and ``variance_vs_forecast`` = outlook - forecast;
  for a closed period these are simply actual against budget and against forecast.
* A variance is *favourable* when it goes the measure's way: spending less than planned,
  or selling and earning more. "Negative variance" means an unfavourable one.

Sums happen in SQL. Amounts of different currencies are never added: a roll-up whose
groups mix currencies is summed in SQL per client and month, each of those sums is
converted at its month's rate (``portfolio.fx``) into the portfolio's base currency, and
the converted sums are added up. Converting at that one grain means the roll-ups by
client, director, vertical or month of the same book add up to the same total, to the
cent.

Roll-ups by client, director, vertical and time read the monthly totals per client
(``month_total``, kept exact by the database in the same transaction as every write),
not the budget lines: a year of the book is 60,000 rows instead of half a million. The
line and campaign levels, and a campaign's scope, read the lines. Both give the same
figures to the cent (a test edits at random and compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
)
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import (
    LINES,
    SINGLE_CURRENCY_AXES,
    TOTALS,
    Axis,
    Scope,
    Source,
    axis,
    lines_query,
    source_for,
)
from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.errors import ValidationError
from portfolio.fx import RateBook
from portfolio.model import BudgetLine, Client, MonthTotal
from portfolio.model.vocab import VERTICAL
from portfolio.money import check_currency, format_money
from portfolio.periods import Period, month_key, month_label
from portfolio.settings import base_currency

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"fx_rate"}) | DIMENSIONS_READS


@dataclass(frozen=True)
class Measure:
    name: str
    budget: ColumnElement[int]
    forecast: ColumnElement[int]
    actual: ColumnElement[int | None]
    higher_is_better: bool
    is_money: bool
    #: The monthly totals' budget, forecast and actual (empty actuals already 0).
    totals: tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]


MEASURES = {
    "spend": Measure(
        "spend",
        BudgetLine.spend_budget,
        BudgetLine.spend_forecast,
        BudgetLine.spend_actual,
        higher_is_better=False,
        is_money=True,
        totals=(MonthTotal.spend_budget, MonthTotal.spend_forecast, MonthTotal.spend_actual),
    ),
    "revenue": Measure(
        "revenue",
        BudgetLine.revenue_budget,
        BudgetLine.revenue_forecast,
        BudgetLine.revenue_actual,
        higher_is_better=True,
        is_money=True,
        totals=(MonthTotal.revenue_budget, MonthTotal.revenue_forecast, MonthTotal.revenue_actual),
    ),
    "sales": Measure(
        "sales",
        BudgetLine.sales_budget,
        BudgetLine.sales_forecast,
        BudgetLine.sales_actual,
        higher_is_better=True,
        is_money=False,
        totals=(MonthTotal.sales_budget, MonthTotal.sales_forecast, MonthTotal.sales_actual),
    ),
}


def measure(name: str) -> Measure:
    try:
        return MEASURES[name]
    except KeyError:
        raise ValidationError(
            "measure", f"{name!r} is not a measure (use spend, revenue or sales)"
        ) from None


def actual_counts(month: int, as_of: int) -> bool:
    """Whether an actual typed for ``month`` counts in actuals and the outlook yet.

    The rule for actuals of open months: they are kept as typed (a rep may know a
    month's figure early), but a month counts as actual only once it is closed (up to
    ``as_of``); until then its outlook is its forecast.
    """
    return month <= as_of


def open_actual_warning(month: int, as_of: int, last_closed: int | None = None) -> str | None:
    """The warning for an actual entered for a month the figures do not count actuals
    for yet, or None for a counted one. ``last_closed`` (YYYYMM): the month the calendar
    closed last, when the figures count actuals to an earlier one by choice
    (``ListContext.counting_to``); a month between the two is closed, not open."""
    if actual_counts(month, as_of):
        return None
    if last_closed is not None and month <= last_closed:
        return (
            f"{month_label(month)} is closed, but the figures count actuals to "
            f"{month_label(as_of)} as chosen: its actual is kept and counts once actuals "
            f"are counted to {month_label(month)}; until then the outlook uses its forecast"
        )
    return (
        f"{month_label(month)} is still open (actuals are in to {month_label(as_of)}): "
        "its actual is kept but does not count until the month closes; "
        "until then the outlook uses its forecast"
    )


def open_actuals_note(months: list[int], as_of: int) -> str | None:
    """One line for an import preview: how many lines bring actuals for open months."""
    open_months = sorted({month for month in months if not actual_counts(month, as_of)})
    if not open_months:
        return None
    count = sum(1 for month in months if not actual_counts(month, as_of))
    shown = ", ".join(month_label(m) for m in open_months[:6])
    return (
        f"warning: {count:,} budget line(s) bring actuals for months still open ({shown}); "
        f"they are kept but do not count until the month closes (actuals are in to "
        f"{month_label(as_of)}); until then the outlook uses the forecast"
    )


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two places; ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def percent_hundredths(part: int, whole: int) -> int:
    """``percent(part, whole)`` in hundredths of a percent (0 when ``whole`` is 0), in
    integers: the same value, rounded half to even as ``Decimal.quantize`` rounds, at a
    tenth of the cost (sorting a plan of 27,000 items by it). Exact for amounts below
    10**24 minor units, where ``percent``'s 28 digits are exact too."""
    if not whole:
        return 0
    if whole < 0:
        part, whole = -part, -whole
    quotient, remainder = divmod(part * 10_000, whole)
    twice = 2 * remainder
    if twice > whole or (twice == whole and quotient % 2):
        quotient += 1
    return quotient


class VarianceRow(NamedTuple):
    """One group's figures. ``currency`` is ``None`` for counts (the sales measure).

    A named tuple rather than a dataclass: a client-by-month roll-up of a big book has
    over a hundred thousand of these, and tuples are built several times faster.
    """

    axes: tuple[str, ...]
    key: tuple
    labels: tuple
    currency: str | None
    budget: int
    forecast: int
    actual: int
    outlook: int
    higher_is_better: bool

    @property
    def variance(self) -> int:
        return self.outlook - self.budget

    @property
    def variance_vs_forecast(self) -> int:
        return self.outlook - self.forecast

    @property
    def variance_pct(self) -> Decimal | None:
        return percent(self.variance, self.budget)

    @property
    def variance_vs_forecast_pct(self) -> Decimal | None:
        return percent(self.variance_vs_forecast, self.forecast)

    @property
    def favourable(self) -> bool:
        return self.variance >= 0 if self.higher_is_better else self.variance <= 0

    @property
    def shortfall(self) -> int:
        """How much an unfavourable variance needs made up (0 when favourable)."""
        return 0 if self.favourable else abs(self.variance)

    @property
    def group(self) -> str:
        return group_label(self.axes, self.labels)

    def amount(self, minor: int) -> str:
        return format_money(minor, self.currency) if self.currency else f"{minor:,}"


def group_label(axes: Sequence[str], labels: Sequence) -> str:
    parts: list[str] = []
    values = iter(labels)
    for name in axes:
        if name == "line":
            client, campaign, month = next(values), next(values), next(values)
            parts += [client, campaign, month_key(month)]
        elif name == "campaign":
            parts += [next(values), next(values)]
        elif name == "vertical":
            parts.append(VERTICAL.label(next(values)))
        elif name == "month":
            parts.append(month_key(next(values)))
        elif name == "quarter":
            value = next(values)
            parts.append(f"{value // 10}-Q{value % 10}")
        else:
            parts.append(str(next(values)))
    return " / ".join(str(part) for part in parts)


@dataclass(frozen=True)
class Rollup:
    axes: tuple[str, ...]
    measure: str
    period: Period
    as_of: int
    rows: list[VarianceRow]
    #: The grand total, one row per currency unless the roll-up was converted.
    totals: list[VarianceRow]
    #: The currency everything was converted into, or ``None`` if nothing was.
    converted_to: str | None

    @property
    def currencies(self) -> list[str | None]:
        return sorted({row.currency for row in self.rows}, key=lambda c: c or "")


def sums(
    m: Measure, as_of: int, source: Source = LINES, *, summed: bool = True
) -> tuple[ColumnElement[int], ...]:
    """SUM expressions for budget, forecast, actual-to-date and outlook of measure ``m``.

    A month is closed or open as a whole, so the outlook of a client's month in the
    totals is its actual or its forecast, as it is for each of its lines. ``summed``
    False gives the figures of each row as they stand (a total already is a sum).
    """
    closed = source.month <= as_of
    if source is TOTALS:
        budget, forecast, actual = m.totals
    else:
        budget, forecast, actual = m.budget, m.forecast, func.coalesce(m.actual, 0)
    figures = (
        budget,
        forecast,
        case((closed, actual), else_=0),
        case((closed, actual), else_=forecast),
    )
    names = ("budget", "forecast", "actual", "outlook")
    if not summed:
        return tuple(f.label(n) for f, n in zip(figures, names, strict=True))
    return tuple(func.sum(f).label(n) for f, n in zip(figures, names, strict=True))


@dataclass(frozen=True)
class _Layout:
    """Where each part sits in a roll-up query's result rows."""

    keys: slice
    labels: slice
    currency: int | None
    month: int | None


def variance_select(
    axes: Sequence[Axis],
    m: Measure,
    period: Period,
    as_of: int,
    scope: Scope = Scope(),
    *,
    split_months: bool = False,
    source: Source = LINES,
) -> Select:
    """The roll-up as one SQL statement: keys, labels, [currency], [month], four sums.

    ``split_months`` adds the client and month to the grouping: the grain at which
    amounts are converted between currencies.
    """
    keys = [key for a in axes for key in a.keys]
    labels = [label for a in axes for label in a.labels]
    extra: list[ColumnElement] = [Client.currency] if m.is_money else []
    if split_months:
        extra += [source.month, Client.id]
    # Every axis the totals answer is a function of the client or the month, so split
    # by both, each total is a group of its own: nothing to group.
    grouped = not (split_months and source is TOTALS)
    figures = sums(m, as_of, source, summed=grouped)
    query = lines_query([*keys, *labels, *extra, *figures], axes, source)
    query = scope.apply(query.where(source.month.between(period.first, period.last)))
    if grouped:
        query = query.group_by(*keys, *extra)
    return query.order_by(*labels)


def _layout(axes: Sequence[Axis], m: Measure, split_months: bool) -> _Layout:
    key_count = sum(len(a.keys) for a in axes)
    label_end = key_count + sum(len(a.labels) for a in axes)
    currency = label_end if m.is_money else None
    month = None
    if split_months:
        month = label_end + 1
    else:
        offset = key_count
        for a in axes:
            if a.name in ("month", "line"):
                month = offset + len(a.labels) - 1  # the month is the axis's last label
            offset += len(a.labels)
    return _Layout(slice(0, key_count), slice(key_count, label_end), currency, month)


def variance_rollup(
    session: Session,
    *,
    by: Sequence[str] = ("client",),
    period: Period,
    as_of: int,
    measure_name: str = "spend",
    scope: Scope = Scope(),
    currency: str | None = None,
    source: Source | None = None,
) -> Rollup:
    """Roll up budget lines along ``by`` for ``period``; see the module docstring.

    With ``currency`` everything is converted into it; without, groups keep their
    client's currency where each group has one (client, campaign, line), and are
    converted into the portfolio's base currency where a group would mix currencies.
    ``source`` forces the lines or the totals (tests compare them); by default the
    totals answer whenever they can.
    """
    if source is None:
        found = _from_cubes(session, by, period, as_of, [measure(measure_name)], scope, currency)
        if found is not None:
            return found[measure_name]
        source = source_for(by, scope)
    axes = [axis(name, source) for name in by]
    names = tuple(a.name for a in axes)
    m = measure(measure_name)
    target = check_currency(currency) if currency else None
    # A group lies within one client, hence one currency, if any axis is that fine.
    within_client = bool(set(names) & set(SINGLE_CURRENCY_AXES))
    may_mix = m.is_money and (target is not None or not within_client)
    if may_mix and source is TOTALS:
        from portfolio.analytics.converted import converted_rollups

        converted = converted_rollups(session, axes, [m], period, as_of, scope, target)
        if converted is not None:
            return converted[m.name]
        may_mix = False  # one currency, none asked for: nothing to convert
    split = may_mix and "line" not in names
    layout = _layout(axes, m, split)
    query = variance_select(axes, m, period, as_of, scope, split_months=split, source=source)
    # Core execution: the ORM's row loading adds nothing for plain columns but time.
    result = session.connection().execute(query)
    higher = m.higher_is_better

    if not may_mix:
        rows = [
            VarianceRow(
                names,
                row[layout.keys],
                row[layout.labels],
                row[layout.currency] if layout.currency is not None else None,
                row[-4] or 0,
                row[-3] or 0,
                row[-2] or 0,
                row[-1] or 0,
                higher,
            )
            for row in result
        ]
        return Rollup(names, m.name, period, as_of, rows, _totals(rows, m), None)

    raw = result.all()
    convert_to = target
    if convert_to is None and len({row[layout.currency] for row in raw}) > 1:
        convert_to = base_currency(session)
    rates = RateBook.load(session, convert_to) if convert_to else None

    convert = rates.converter() if rates is not None else None
    merged: dict[tuple, tuple[tuple, tuple, list[int], str | None]] = {}
    for row in raw:
        row_currency = row[layout.currency]
        figures = [value or 0 for value in row[-4:]]
        if convert is not None and row_currency != convert_to:
            month = row[layout.month]
            budget, forecast, actual = (convert(v, row_currency, month) for v in figures[:3])
            # A row here lies in one month, so its outlook is its actual (closed) or
            # its forecast (open), converted alike: one conversion fewer per row.
            figures = [budget, forecast, actual, actual if month <= as_of else forecast]
            row_currency = convert_to
        key = tuple(row[layout.keys])
        entry = merged.get((key, row_currency))
        if entry is None:
            merged[(key, row_currency)] = (key, tuple(row[layout.labels]), figures, row_currency)
        else:
            for index, value in enumerate(figures):
                entry[2][index] += value

    rows = [
        VarianceRow(names, key, labels, cur, *figures, higher)
        for key, labels, figures, cur in merged.values()
    ]
    return Rollup(names, m.name, period, as_of, rows, _totals(rows, m), convert_to)


def variance_rollups(
    session: Session,
    *,
    by: Sequence[str],
    period: Period,
    as_of: int,
    measure_names: Sequence[str],
    scope: Scope = Scope(),
    currency: str | None = None,
) -> dict[str, Rollup]:
    """``variance_rollup`` for several measures: measure name -> roll-up.

    Converted roll-ups from the totals read all measures in one statement (the Team and
    the Overview ask for spend and revenue of the same groups); others run one each.
    """
    measures = [measure(name) for name in measure_names]
    found = _from_cubes(session, by, period, as_of, measures, scope, currency)
    if found is not None:
        return found
    source = source_for(by, scope)
    if source is TOTALS and (currency or not set(by) & set(SINGLE_CURRENCY_AXES)):
        from portfolio.analytics.converted import converted_rollups

        money = [m for m in measures if m.is_money]
        axes = [axis(name, source) for name in by]
        target = check_currency(currency) if currency else None
        found = converted_rollups(session, axes, money, period, as_of, scope, target)
        if found is not None:
            for m in measures:
                if m.name not in found:
                    found[m.name] = variance_rollup(
                        session,
                        by=by,
                        period=period,
                        as_of=as_of,
                        measure_name=m.name,
                        scope=scope,
                        currency=currency,
                    )
            return found
    return {
        m.name: variance_rollup(
            session,
            by=by,
            period=period,
            as_of=as_of,
            measure_name=m.name,
            scope=scope,
            currency=currency,
        )
        for m in measures
    }


def _from_cubes(
    session: Session,
    by: Sequence[str],
    period: Period,
    as_of: int,
    measures: Sequence[Measure],
    scope: Scope,
    currency: str | None,
) -> dict[str, Rollup] | None:
    """The roll-ups from the figure cubes lent to ``session`` (``use_cubes``), if any
    and if they can answer exactly; else None."""
    if not session.info:
        return None
    from portfolio.analytics.cubes import cubes_of

    cubes = cubes_of(session)
    if cubes is None:
        return None
    return cubes.rollups(session, by, period, as_of, measures, scope, currency)


def totals_of(rows: list[VarianceRow], m: Measure) -> list[VarianceRow]:
    """The grand total of ``rows``, one row per currency."""
    return _totals(rows, m)


def _totals(rows: list[VarianceRow], m: Measure) -> list[VarianceRow]:
    by_currency: dict[str | None, list[int]] = {}
    for row in rows:
        acc = by_currency.get(row.currency)
        if acc is None:
            acc = by_currency[row.currency] = [0, 0, 0, 0]
        acc[0] += row.budget
        acc[1] += row.forecast
        acc[2] += row.actual
        acc[3] += row.outlook
    return [
        VarianceRow(("total",), (), ("Total",), cur, *acc, m.higher_is_better)
        for cur, acc in sorted(by_currency.items(), key=lambda item: item[0] or "")
    ]
