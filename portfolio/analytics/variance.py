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
    BigInteger,
    ColumnElement,
    Integer,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
    values,
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
from portfolio.fx import MissingRateError, RateBook
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


def open_actual_warning(month: int, as_of: int) -> str | None:
    """The warning for an actual entered for an open month, or None for a closed one."""
    if actual_counts(month, as_of):
        return None
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
        source = source_for(by, scope)
    axes = [axis(name, source) for name in by]
    names = tuple(a.name for a in axes)
    m = measure(measure_name)
    target = check_currency(currency) if currency else None
    # A group lies within one client, hence one currency, if any axis is that fine.
    within_client = bool(set(names) & set(SINGLE_CURRENCY_AXES))
    may_mix = m.is_money and (target is not None or not within_client)
    if may_mix and source is TOTALS:
        converted = _converted_totals(session, axes, m, period, as_of, scope, target)
        if converted is not None:
            return converted
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


#: Products SQL may form exactly: SQLite's and PostgreSQL's 64-bit integers.
BIGINT_MAX = 2**63 - 1


def _converted_totals(
    session: Session,
    axes: Sequence[Axis],
    m: Measure,
    period: Period,
    as_of: int,
    scope: Scope,
    target: str | None,
) -> Rollup | None:
    """A roll-up from the totals whose groups mix currencies, converted client x month.

    Each client's month is converted at its month's rate and rounded half to even, then
    added up, as everywhere (``portfolio.fx``). Done in SQL, exactly: each (currency,
    month)'s factor is an integer over a power of ten (``RateBook.ratio``); Python's
    ``Decimal`` forms ``amount * factor`` exactly (it fits 28 digits) and rounds it half
    to even, and so does the database here in integers - PostgreSQL in ``numeric``,
    SQLite in 64 bits, where a product too large turns into a float, which sends the
    roll-up to Python instead. So do a missing rate and a 28-digit inverse rate. Amounts
    are never negative (CHECK constraints), so truncating division is floor division.
    Returns None when the groups hold one currency and no ``target`` was asked for.
    """
    months = period.months()
    currencies = set(session.execute(scope.apply(select(Client.currency).distinct())).scalars())
    convert_to = target or (base_currency(session) if len(currencies) > 1 else None)
    if convert_to is None:
        return None
    rates = RateBook.load(session, convert_to)
    factors: list[tuple[str, int, int, int]] = []
    for currency in sorted(currencies):
        for month in months:
            if currency == convert_to:
                factors.append((currency, month, 1, 1))
                continue
            try:
                coefficient, divisor = rates.ratio(currency, month)
            except MissingRateError:
                return _converted_in_python(session, axes, m, period, as_of, scope, convert_to)
            if coefficient < 0 or 2 * divisor > BIGINT_MAX:
                return _converted_in_python(session, axes, m, period, as_of, scope, convert_to)
            factors.append((currency, month, coefficient, divisor))

    keys = [key for a in axes for key in a.keys]
    labels = [label for a in axes for label in a.labels]
    numeric = session.get_bind().dialect.name != "sqlite"
    mixed = [func.min(Client.currency), func.max(Client.currency)]
    figures = _converted_sums(m, as_of, numeric=numeric)
    # Every (currency, month) has its rate row (1 / 1 for the target currency): an inner
    # join lets SQLite walk the few rate rows and find each month's totals by key, where
    # an outer join would scan the rates once per total.
    query = (
        lines_query([*keys, *labels, *mixed, *figures], axes, TOTALS)
        .join(
            _rate_table(factors),
            and_(
                literal_column("rate.currency") == Client.currency,
                literal_column("rate.month") == MonthTotal.month,
            ),
        )
        .where(MonthTotal.month.between(period.first, period.last))
    )
    query = scope.apply(query).group_by(*keys).order_by(*labels)
    found = session.connection().execute(query).all()
    if any(isinstance(value, float) for row in found for value in row[-4:]):
        return _converted_in_python(session, axes, m, period, as_of, scope, convert_to)
    present = {row[-6] for row in found} | {row[-5] for row in found}
    if target is None and len(present) <= 1:
        return None  # the period's lines are all in one currency: nothing to convert
    names = tuple(a.name for a in axes)
    higher = m.higher_is_better
    key_count, label_end = len(keys), len(keys) + len(labels)
    rows = [
        VarianceRow(
            names,
            tuple(row[:key_count]),
            tuple(row[key_count:label_end]),
            convert_to,
            *(int(value or 0) for value in row[-4:]),
            higher,
        )
        for row in found
    ]
    return Rollup(names, m.name, period, as_of, rows, _totals(rows, m), convert_to)


def _rate_table(factors: list[tuple[str, int, int, int]]):
    """``WITH rate(currency, month, coefficient, divisor) AS (VALUES ...)``."""
    return (
        values(
            column("currency", String),
            column("month", Integer),
            column("coefficient", BigInteger),
            column("divisor", BigInteger),
            name="rate",
        )
        .data(factors)
        .cte("rate")
    )


def _converted_sums(m: Measure, as_of: int, *, numeric: bool) -> tuple[ColumnElement, ...]:
    """Budget, forecast, actual and outlook sums, each client-month converted exactly."""
    budget, forecast, actual = m.totals
    closed = MonthTotal.month <= as_of
    # Typed, so that ``//`` is integer division on SQLite, not FLOOR(x / y).
    coefficient = literal_column("rate.coefficient", BigInteger)
    divisor = literal_column("rate.divisor", BigInteger)
    one, two = literal_column("1", BigInteger), literal_column("2", BigInteger)

    def converted(amount: ColumnElement) -> ColumnElement:
        if numeric:  # PostgreSQL: exact at any size
            product = cast(amount, Numeric) * coefficient
            whole, rest = func.div(product, divisor), func.mod(product, divisor)
        else:
            product = amount * coefficient
            whole, rest = product // divisor, product % divisor
        # Half to even, in integers: round up past the half, and at it when odd.
        odd = (func.mod(whole, two) if numeric else whole % two) == one
        up = or_(two * rest > divisor, and_(two * rest == divisor, odd))
        return whole + case((up, one), else_=literal_column("0", BigInteger))

    actual_converted = converted(actual)
    return (
        func.sum(converted(budget)),
        func.sum(converted(forecast)),
        func.sum(case((closed, actual_converted), else_=0)),
        func.sum(case((closed, actual_converted), else_=converted(forecast))),
    )


def _converted_in_python(
    session: Session,
    axes: Sequence[Axis],
    m: Measure,
    period: Period,
    as_of: int,
    scope: Scope,
    convert_to: str,
) -> Rollup:
    """The same roll-up with the foreign clients' months converted here, one by one.

    A client already in ``convert_to`` converts to itself, so its months are summed in
    SQL; only the other clients' months come to Python.
    """
    months = MonthTotal.month.between(period.first, period.last)
    keys = [key for a in axes for key in a.keys]
    labels = [label for a in axes for label in a.labels]
    none = cast(null(), Integer)
    same = scope.apply(
        lines_query(
            [*keys, *labels, Client.currency, none, none, *sums(m, as_of, TOTALS)], axes, TOTALS
        ).where(months, Client.currency == convert_to)
    ).group_by(*keys, Client.currency)
    other = scope.apply(
        lines_query(
            [
                *keys,
                *labels,
                Client.currency,
                MonthTotal.month,
                Client.id,
                *sums(m, as_of, TOTALS, summed=False),
            ],
            axes,
            TOTALS,
        ).where(months, Client.currency != convert_to)
    )
    first_label = len(keys) + 1
    order = [literal_column(str(first_label + i)) for i in range(len(labels))]
    query = union_all(same, other).order_by(*order)
    key_slice = slice(0, len(keys))
    label_slice = slice(len(keys), len(keys) + len(labels))
    month_at = len(keys) + len(labels) + 1
    convert = RateBook.load(session, convert_to).converter()
    merged: dict[tuple, tuple[tuple, list[int]]] = {}
    for row in session.connection().execute(query):
        month = row[month_at]
        figures = [value or 0 for value in row[-4:]]
        if month is not None:  # one client's month in another currency
            row_currency = row[month_at - 1]
            budget, forecast, actual = (convert(v, row_currency, month) for v in figures[:3])
            figures = [budget, forecast, actual, actual if month <= as_of else forecast]
        key = tuple(row[key_slice])
        entry = merged.get(key)
        if entry is None:
            merged[key] = (tuple(row[label_slice]), figures)
        else:
            for index, value in enumerate(figures):
                entry[1][index] += value
    names = tuple(a.name for a in axes)
    higher = m.higher_is_better
    rows = [
        VarianceRow(names, key, row_labels, convert_to, *figures, higher)
        for key, (row_labels, figures) in merged.items()
    ]
    return Rollup(names, m.name, period, as_of, rows, _totals(rows, m), convert_to)


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
