"""Roll-ups from the monthly totals whose groups mix currencies, converted client x month.

Each client's month is converted at its month's rate and rounded half to even, then the
converted months are added up, as everywhere (``portfolio.variance``, ``portfolio.fx``).
Here it is done in SQL, exactly: each (currency, month)'s factor is an integer over a
power of ten (``RateBook.ratio``). Python's ``Decimal`` forms ``amount * factor`` exactly
(it fits 28 digits) and rounds it half to even, and so does the database, in 64-bit
integers: a product too large turns into a float in SQLite, which sends the roll-up to
Python instead, and is refused by PostgreSQL, which then forms it in ``numeric``. A
missing rate or a 28-digit inverse rate sends the roll-up to Python too. Amounts are
never negative (CHECK constraints), so the database's truncating division is floor
division.

Several measures of the same groups come from one statement (the Team and the Overview
want spend and revenue by director), so the totals are read once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Numeric,
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
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import TOTALS, Axis, Scope, lines_query
from portfolio.analytics.variance import Measure, Rollup, VarianceRow, sums, totals_of
from portfolio.fx import MissingRateError, RateBook
from portfolio.model import Client, MonthTotal
from portfolio.periods import Period
from portfolio.settings import base_currency
from portfolio.storage.autocommit import in_autocommit

#: Integers SQL may hold: SQLite's and PostgreSQL's 64 bits.
BIGINT_MAX = 2**63 - 1


def converted_rollups(
    session: Session,
    axes: Sequence[Axis],
    measures: Sequence[Measure],
    period: Period,
    as_of: int,
    scope: Scope,
    target: str | None,
) -> dict[str, Rollup] | None:
    """Measure name -> roll-up of ``measures`` (money) along ``axes``, converted into
    ``target`` (or the base currency); None when the groups hold one currency and no
    ``target`` was asked for: then there is nothing to convert."""
    if not measures:
        return {}
    currencies = set(session.execute(scope.apply(select(Client.currency).distinct())).scalars())
    convert_to = target or (base_currency(session) if len(currencies) > 1 else None)
    if convert_to is None:
        return None
    factors = _factors(RateBook.load(session, convert_to), currencies, period, convert_to)
    if factors is None:
        return _in_python(session, axes, measures, period, as_of, scope, convert_to)
    names = tuple(a.name for a in axes)
    if not factors:  # no clients in scope: nothing to add up (and no VALUES to join)
        return {m.name: Rollup(names, m.name, period, as_of, [], [], convert_to) for m in measures}

    keys = [key for a in axes for key in a.keys]
    labels = [label for a in axes for label in a.labels]

    def statement(numeric: bool):
        mixed = [func.min(Client.currency), func.max(Client.currency)]
        figures = [f for m in measures for f in _converted_sums(m, as_of, numeric=numeric)]
        # Every (currency, month) has its rate row (1 / 1 for the target currency): an
        # inner join lets SQLite walk the few rate rows and find each month's totals by
        # key, where an outer join would scan the rates once per total.
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
        return scope.apply(query).group_by(*keys).order_by(*labels)

    if session.get_bind().dialect.name == "sqlite":
        found = session.connection().execute(statement(numeric=False)).all()
    else:
        # 64-bit products first (3.5x faster than numeric); PostgreSQL refuses one that
        # overflows, and then the roll-up is formed in numeric, exact at any size.
        # A reading session runs in autocommit (no transaction to save a point in, and
        # a refused statement spoils nothing); a writing one needs the savepoint (and the
        # session's connection as of inside it, which knows the savepoint).
        try:
            if in_autocommit(session.connection()):
                found = session.connection().execute(statement(numeric=False)).all()
            else:
                with session.begin_nested():
                    found = session.connection().execute(statement(numeric=False)).all()
        except DataError:
            found = session.connection().execute(statement(numeric=True)).all()
    first_figure = len(keys) + len(labels) + 2
    if any(isinstance(value, float) for row in found for value in row[first_figure:]):
        return _in_python(session, axes, measures, period, as_of, scope, convert_to)
    present = {row[first_figure - 2] for row in found} | {row[first_figure - 1] for row in found}
    if target is None and len(present) <= 1:
        return None  # the period's lines are all in one currency
    key_count, label_end = len(keys), len(keys) + len(labels)
    out: dict[str, Rollup] = {}
    for index, m in enumerate(measures):
        at = first_figure + 4 * index
        rows = [
            VarianceRow(
                names,
                tuple(row[:key_count]),
                tuple(row[key_count:label_end]),
                convert_to,
                *(int(value or 0) for value in row[at : at + 4]),
                m.higher_is_better,
            )
            for row in found
        ]
        out[m.name] = Rollup(names, m.name, period, as_of, rows, totals_of(rows, m), convert_to)
    return out


def _factors(
    rates: RateBook, currencies: set[str], period: Period, convert_to: str
) -> list[tuple[str, int, int, int]] | None:
    """(currency, month, coefficient, divisor) for every currency and month of the
    period, or None when one cannot be used in SQL (a missing rate, a huge divisor)."""
    factors = []
    for currency in sorted(currencies):
        for month in period.months():
            if currency == convert_to:
                factors.append((currency, month, 1, 1))
                continue
            try:
                coefficient, divisor = rates.ratio(currency, month)
            except MissingRateError:
                return None  # Python converts only what has amounts, and says which
            if coefficient < 0 or 2 * divisor > BIGINT_MAX:
                return None
            factors.append((currency, month, coefficient, divisor))
    return factors


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
        if numeric:  # PostgreSQL's numeric: exact at any size
            product = cast(amount, Numeric) * coefficient
            whole, rest = func.div(product, divisor), func.mod(product, divisor)
            odd = func.mod(whole, two) == one
        else:
            product = amount * coefficient
            whole, rest = product // divisor, product % divisor
            odd = whole % two == one
        # Half to even, in integers: round up past the half, and at it when odd.
        up = or_(two * rest > divisor, and_(two * rest == divisor, odd))
        return whole + case((up, one), else_=literal_column("0", BigInteger))

    actual_converted = converted(actual)
    return (
        func.sum(converted(budget)),
        func.sum(converted(forecast)),
        func.sum(case((closed, actual_converted), else_=0)),
        func.sum(case((closed, actual_converted), else_=converted(forecast))),
    )


def _in_python(
    session: Session,
    axes: Sequence[Axis],
    measures: Sequence[Measure],
    period: Period,
    as_of: int,
    scope: Scope,
    convert_to: str,
) -> dict[str, Rollup]:
    return {
        m.name: _converted_in_python(session, axes, m, period, as_of, scope, convert_to)
        for m in measures
    }


def _converted_in_python(
    session: Session,
    axes: Sequence[Axis],
    m: Measure,
    period: Period,
    as_of: int,
    scope: Scope,
    convert_to: str,
) -> Rollup:
    """One measure with the foreign clients' months converted here, one by one.

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
    rows = [
        VarianceRow(names, key, row_labels, convert_to, *figures, m.higher_is_better)
        for key, (row_labels, figures) in merged.items()
    ]
    return Rollup(names, m.name, period, as_of, rows, totals_of(rows, m), convert_to)
