"""The axes a roll-up can group budget lines by, as SQL expressions.

One definition per axis keeps every roll-up (variance, outlook, recovery, team) grouping
the same way, and keeps month arithmetic in SQL: a quarter is computed from the stored
``YYYYMM`` integer, never by fetching months into Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Integer, Select, literal_column, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import find_tables

from portfolio.errors import ValidationError
from portfolio.model import BudgetLine, Campaign, Client, MonthTotal, TeamMember

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``). The monthly totals move with the lines.
READS = frozenset({"budget_line", "campaign", "client", "team_member"})

Director = aliased(TeamMember, name="director")

#: Axes that name a thing (one currency per group for campaign and client, many for
#: the others) and axes of time.
THING_AXES = ("line", "campaign", "client", "director", "vertical")
TIME_AXES = ("month", "quarter", "year")
AXES = THING_AXES + TIME_AXES
#: Axes whose every group holds a single client, hence a single currency.
SINGLE_CURRENCY_AXES = ("line", "campaign", "client")


def _n(value: int) -> ColumnElement[int]:
    """An integer written into the SQL text, not bound: PostgreSQL only matches a SELECT
    expression to its GROUP BY twin when both read the same, parameters included."""
    return literal_column(str(value), Integer)


def year_of(month: ColumnElement[int]) -> ColumnElement[int]:
    return month // _n(100)


def quarter_of(month: ColumnElement[int]) -> ColumnElement[int]:
    """``202608`` -> ``20263``: year * 10 + quarter, sortable and groupable."""
    calendar_month = month - (month // _n(100)) * _n(100)
    return (month // _n(100)) * _n(10) + (calendar_month - _n(1)) // _n(3) + _n(1)


@dataclass(frozen=True)
class Axis:
    name: str
    #: Columns that identify a group. They include the primary key of every table a
    #: label comes from, so PostgreSQL accepts the labels as functionally dependent
    #: and SQLite need not sort by strings to group.
    keys: tuple[ColumnElement, ...]
    #: Columns shown to people for the group, in order.
    labels: tuple[ColumnElement, ...]


@dataclass(frozen=True)
class Source:
    """Where a roll-up's sums come from: the budget lines themselves, or the monthly
    totals per client (``month_total``, kept by the database as the lines change).

    The totals hold every figure of every axis but the line and the campaign, at a
    tenth of the rows; ``source_for`` picks them whenever they can answer.
    """

    name: str
    month: ColumnElement[int]


LINES = Source("lines", BudgetLine.month)
TOTALS = Source("totals", MonthTotal.month)
#: Axes the monthly totals cannot answer: they are finer than a client and a month.
LINE_AXES = ("line", "campaign")
#: Tables a scope's extra conditions may name and still be read from the totals.
_CLIENT_TABLES = frozenset({"client", "team_member"})


def source_for(names: Sequence[str], scope: Scope) -> Source:
    """The monthly totals, unless the axes or the scope need the lines."""
    if set(names) & set(LINE_AXES) or scope.campaign_ids:
        return LINES
    for condition in scope.extra:
        if {table.name for table in find_tables(condition, check_columns=True)} - _CLIENT_TABLES:
            return LINES
    return TOTALS


def axis(name: str, source: Source = LINES) -> Axis:
    month = source.month
    if name in LINE_AXES and source is not LINES:
        raise ValueError(f"the {name} level is read from the budget lines")
    if name == "line":
        return Axis(
            name,
            (BudgetLine.id, Campaign.id, Client.id),
            (Client.name, Campaign.name, BudgetLine.month),
        )
    if name == "campaign":
        return Axis(name, (Campaign.id, Client.id), (Client.name, Campaign.name))
    if name == "client":
        return Axis(name, (Client.id,), (Client.name,))
    if name == "director":
        return Axis(name, (Director.id,), (Director.name,))
    if name == "vertical":
        return Axis(name, (Client.vertical,), (Client.vertical,))
    if name == "month":
        return Axis(name, (month,), (month,))
    if name == "quarter":
        return Axis(name, (quarter_of(month),), (quarter_of(month),))
    if name == "year":
        return Axis(name, (year_of(month),), (year_of(month),))
    raise ValidationError("by", f"{name!r} is not a roll-up level (use one of {', '.join(AXES)})")


@dataclass(frozen=True)
class Scope:
    """Which part of the book a roll-up covers; empty means the whole book."""

    client_ids: tuple[int, ...] = ()
    campaign_ids: tuple[int, ...] = ()
    director_ids: tuple[int, ...] = ()
    verticals: tuple[str, ...] = ()
    #: Clients whose fiscal year starts in one of these months (1-12).
    fiscal_year_starts: tuple[int, ...] = ()
    extra: tuple[ColumnElement[bool], ...] = field(default=())

    def apply(self, query: Select) -> Select:
        if self.client_ids:
            query = query.where(Client.id.in_(self.client_ids))
        if self.campaign_ids:
            query = query.where(Campaign.id.in_(self.campaign_ids))
        if self.director_ids:
            query = query.where(Client.director_id.in_(self.director_ids))
        if self.verticals:
            query = query.where(Client.vertical.in_(self.verticals))
        if self.fiscal_year_starts:
            query = query.where(Client.fiscal_year_start.in_(self.fiscal_year_starts))
        for condition in self.extra:
            query = query.where(condition)
        return query


def lines_query(
    columns: Sequence[ColumnElement], axes: Sequence[Axis], source: Source = LINES
) -> Select:
    """``SELECT columns FROM budget_line JOIN campaign JOIN client [JOIN director]``, or
    from the monthly totals: ``FROM month_total JOIN client [JOIN director]``."""
    if source is TOTALS:
        query = (
            select(*columns)
            .select_from(MonthTotal)
            .join(Client, Client.id == MonthTotal.client_id)
            .where(MonthTotal.lines != 0)
        )
    else:
        query = (
            select(*columns)
            .select_from(BudgetLine)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
        )
    if any(a.name == "director" for a in axes):
        query = query.join(Director, Director.id == Client.director_id)
    return query
