"""Lists as plain query objects: columns, sort, filter and scope become SQL.

A list the app shows (budget lines, clients, requests, ...) is a ``ListDefinition``: the
table whose rows it lists, the joins its columns need, and its columns, each with the SQL
expression that computes it. What a person has done to the list - sorted it by a column,
typed a filter, narrowed it to one client, chosen columns - is a ``ViewState``.
``ListQuery`` joins the two and builds every statement a view needs:

* ``page(offset, limit)``: one page of rows. The page's ids are picked by a subquery that
  joins only the tables the sort, filter and scope need, and only those 200 or so rows are
  then joined for display: sorting a million budget lines by an amount does not join a
  million rows to their campaign and client.
* ``count()``, ``ids()`` (the whole ordered id list, for jumping deep into a big list),
  ``rows(ids)`` and ``totals()`` (money summed per currency, never across currencies).
* ``select()``: the rows exactly as shown (chosen columns, sort, filter, scope), for
  anything that streams "this view" somewhere else, such as a workbook export.

Nothing here knows Qt. Sorting and filtering happen in SQL, never over fetched rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Table,
    case,
    func,
    inspect,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.expression import ColumnClause, Exists, ScalarSelect
from sqlalchemy.sql.util import find_tables

from portfolio.model.vocab import Vocabulary

#: Column kinds that hold an amount in the row's currency (the others are plain values).
MONEY_KINDS = ("money",)
NUMBER_KINDS = ("money", "count", "integer", "percent")


@dataclass(frozen=True)
class Join:
    """A table (or alias) a list's columns come from, joined to what precedes it."""

    target: Any
    onclause: ColumnElement[bool]
    outer: bool = False

    @property
    def selectable(self) -> FromClause:
        return inspect(self.target).selectable

    @property
    def name(self) -> str:
        return self.selectable.name


@dataclass(frozen=True)
class CellNote:
    """A note on a cell whose value holds only by a rule the row does not show, e.g. a
    variance whose empty actual counted as 0: ``when`` (SQL, per row) says where it
    applies, ``text`` what the person is told there."""

    when: ColumnElement[bool]
    text: str


@dataclass(frozen=True)
class ListColumn:
    """One column: its SQL, how to show it, and which field an edit of it changes."""

    key: str
    label: str
    expression: ColumnElement
    #: How the value is shown and edited; the kinds of ``portfolio.editing.fields``.
    kind: str = "text"
    #: The field of the list's entity that editing this cell changes (None: read only).
    field: str | None = None
    vocabulary: Vocabulary | None = None
    #: For variances: whether a positive value is favourable (None: not a variance).
    higher_is_better: bool | None = None
    #: Matched by the filter text.
    searchable: bool = False
    #: Summed (per currency) in the list's totals.
    total: bool = False
    #: Shown unless the person hides it.
    visible: bool = True
    #: A width hint in characters.
    width: int = 12
    #: Whether the value can be empty (empty values sort last either way).
    nullable: bool = True
    tooltip: str = ""
    #: Values shown as a warning (icon and colour), e.g. "Overdue".
    alerts: tuple[str, ...] = ()
    #: Sort by this instead of ``expression`` (e.g. a status in order of urgency).
    sort_expression: ColumnElement | None = None
    #: Turns a filter match on ``expression`` into one the base table can use cheaply,
    #: e.g. budget lines whose campaign is in (campaigns whose name matches): the names
    #: of 50,000 campaigns are read instead of a million joined rows.
    search: Callable[[ColumnElement[bool]], ColumnElement[bool]] | None = None
    #: Marks the cells where a rule, not the row's own figures, made the value.
    note: CellNote | None = None

    @property
    def is_number(self) -> bool:
        return self.kind in NUMBER_KINDS

    @property
    def is_variance(self) -> bool:
        return self.higher_is_better is not None


@dataclass(frozen=True)
class ListDefinition:
    name: str
    title: str
    #: The ``portfolio.editing`` entity whose rows this lists (None: read only).
    entity: str | None
    #: The mapped class whose rows are listed; its primary key identifies a row.
    base: Any
    joins: tuple[Join, ...]
    columns: tuple[ListColumn, ...]
    default_sort: tuple[tuple[str, bool], ...]
    #: Narrowing the list to one thing: scope name -> expression compared with ``==``.
    scopes: Mapping[str, ColumnElement] = field(default_factory=dict)
    #: The currency of every money column of a row (None when there is no money).
    currency: ColumnElement | None = None
    #: Hidden values every row carries for drilling down (client_id, campaign_id, ...).
    keys: tuple[tuple[str, ColumnElement], ...] = ()
    #: What one row is called in counts ("12 team members"); default: the title.
    noun: str = ""

    def column(self, key: str) -> ListColumn:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"list {self.name!r} has no column {key!r}")

    def column_index(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    @property
    def has_totals(self) -> bool:
        return any(column.total for column in self.columns)

    @cached_property
    def reads(self) -> frozenset[str]:
        """Every table the list's rows are read from (joins, subqueries, aliases): a
        change to any of them may change what the list shows (``Changes.touches``)."""
        expressions = [column.expression for column in self.columns]
        expressions += [expression for _, expression in self.keys]
        expressions += [join.onclause for join in self.joins]
        if self.currency is not None:
            expressions.append(self.currency)
        found = {self.base.__tablename__}
        for expression in expressions:
            for table in find_tables(
                expression, check_columns=True, include_aliases=True, include_selects=True
            ):
                while not isinstance(table, Table) and hasattr(table, "element"):
                    table = table.element
                if isinstance(table, Table):
                    found.add(table.name)
        return frozenset(found)


@dataclass(frozen=True)
class ViewState:
    """What a person did to a list: sort, filter text, scope and chosen columns.

    Plain values only, so a state can be saved in settings, compared, and handed to
    another component (an exporter) that rebuilds the same query.
    """

    #: (column key, descending) pairs; empty means the list's default order.
    sort: tuple[tuple[str, bool], ...] = ()
    filter_text: str = ""
    #: (scope name, value) pairs, e.g. (("client_id", 12),).
    scope: tuple[tuple[str, Any], ...] = ()
    #: Column keys shown, in order; empty means the list's default columns.
    columns: tuple[str, ...] = ()

    def sorted_by(self, key: str, descending: bool = False) -> ViewState:
        return replace(self, sort=((key, descending),))

    def filtered(self, text: str) -> ViewState:
        return replace(self, filter_text=text)

    def scoped(self, **scope: Any) -> ViewState:
        return replace(self, scope=tuple(sorted(scope.items())))

    def showing(self, keys: Sequence[str]) -> ViewState:
        return replace(self, columns=tuple(keys))


@dataclass(frozen=True)
class RowLayout:
    """Where things sit in a row of ``page``/``rows``: id, version, currency, keys,
    columns, then one 0/1 flag per column with a ``CellNote`` (1: the note applies)."""

    key_names: tuple[str, ...]
    column_keys: tuple[str, ...]
    note_keys: tuple[str, ...] = ()

    ID = 0
    VERSION = 1
    CURRENCY = 2

    @property
    def first_column(self) -> int:
        return 3 + len(self.key_names)

    def key(self, name: str) -> int:
        return 3 + self.key_names.index(name)

    def column(self, key: str) -> int:
        return self.first_column + self.column_keys.index(key)

    def note(self, key: str) -> int | None:
        """Where the note flag of column ``key`` sits; None if it has no note."""
        if key not in self.note_keys:
            return None
        return self.first_column + len(self.column_keys) + self.note_keys.index(key)

    @property
    def width(self) -> int:
        return self.first_column + len(self.column_keys) + len(self.note_keys)


@dataclass(frozen=True)
class Totals:
    """The sum of each total column for one currency (``None`` for lists without money)."""

    currency: str | None
    count: int
    sums: dict[str, int]


def _tables(expression: Any) -> set[str]:
    """The names of the tables and aliases an expression reads, outside subqueries.

    A subquery brings its own FROM; only a correlated one reads the list's own tables,
    and the lists correlate subqueries to their base table, which is always there.
    """
    found: set[str] = set()
    stack = [coercions.expect(roles.ExpressionElementRole, expression)]
    while stack:
        element = stack.pop()
        if isinstance(element, Select | ScalarSelect | Exists):
            continue
        if isinstance(element, ColumnClause) and getattr(element, "table", None) is not None:
            found.add(element.table.name)
        stack.extend(element.get_children())
    return found


def _like_escape(word: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", word)


_MONTH_WORD = re.compile(r"^(\d{4})-(\d{2})$")


class ListQuery:
    """A list definition with a view state applied: builds each statement a view needs."""

    def __init__(self, definition: ListDefinition, state: ViewState = ViewState()) -> None:
        self.definition = definition
        self.state = state
        for key, _ in state.sort:
            definition.column(key)
        for key in state.columns:
            definition.column(key)
        unknown = [name for name, _ in state.scope if name not in definition.scopes]
        if unknown:
            raise KeyError(f"list {definition.name!r} has no scope {unknown[0]!r}")
        self.layout = RowLayout(
            tuple(name for name, _ in definition.keys),
            tuple(column.key for column in definition.columns),
            tuple(column.key for column in definition.columns if column.note is not None),
        )

    # -- what the statements share ------------------------------------------------------

    @property
    def base_id(self) -> ColumnElement[int]:
        return inspect(self.definition.base).primary_key[0]

    @property
    def base_version(self) -> ColumnElement[int]:
        table = inspect(self.definition.base).local_table
        return table.c.version if "version" in table.c else literal(0)

    @property
    def shown_columns(self) -> tuple[ListColumn, ...]:
        if self.state.columns:
            return tuple(self.definition.column(key) for key in self.state.columns)
        return tuple(column for column in self.definition.columns if column.visible)

    @property
    def sort(self) -> tuple[tuple[str, bool], ...]:
        return self.state.sort or self.definition.default_sort

    def order_by(self, *, reverse: bool = False) -> list[ColumnElement]:
        """Sort keys, empty values last either way, the row id last for a total order.

        ``reverse`` gives the exact mirror (the last row first), so the end of a long
        sorted list is read as the start of its mirror instead of past a huge OFFSET.
        """
        clauses: list[ColumnElement] = []
        for key, descending in self.sort:
            column = self.definition.column(key)
            sort_by = (
                column.sort_expression if column.sort_expression is not None else column.expression
            )
            expression = sort_by.desc() if descending != reverse else sort_by.asc()
            if column.nullable:
                expression = expression.nulls_first() if reverse else expression.nulls_last()
            clauses.append(expression)
        clauses.append(self.base_id.desc() if reverse else self.base_id.asc())
        return clauses

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses: the scope, then one clause per word of the filter text."""
        found: list[ColumnElement[bool]] = [
            self.definition.scopes[name] == value for name, value in self.state.scope
        ]
        searchable = [column for column in self.definition.columns if column.searchable]
        for word in self.state.filter_text.split():
            matches = []
            for column in searchable:
                clause = self._matches(column, word)
                if clause is not None:
                    matches.append(column.search(clause) if column.search else clause)
            found.append(or_(*matches) if matches else literal(False))
        return found

    @staticmethod
    def _matches(column: ListColumn, word: str) -> ColumnElement[bool] | None:
        """How one typed word matches one column: labels for choices, months as months."""
        if column.kind == "choice" and column.vocabulary is not None:
            wanted = word.casefold()
            values = [
                value
                for value, label in column.vocabulary.choices
                if wanted in label.casefold() or wanted in value
            ]
            return column.expression.in_(values) if values else None
        if column.kind == "month":
            match = _MONTH_WORD.match(word)
            if match is None:
                return None
            return column.expression == int(match.group(1)) * 100 + int(match.group(2))
        return column.expression.ilike(f"%{_like_escape(word)}%", escape="\\")

    def _source(self, *expressions: Any) -> FromClause:
        """The base table joined with what ``expressions`` read (joins form a chain)."""
        needed: set[str] = set()
        for expression in expressions:
            needed |= _tables(expression)
        joins = self.definition.joins
        last = max((i for i, join in enumerate(joins) if join.name in needed), default=-1)
        source: FromClause = inspect(self.definition.base).local_table
        for join in joins[: last + 1]:
            source = source.join(join.selectable, join.onclause, isouter=join.outer)
        return source

    def _full_source(self) -> FromClause:
        source: FromClause = inspect(self.definition.base).local_table
        for join in self.definition.joins:
            source = source.join(join.selectable, join.onclause, isouter=join.outer)
        return source

    def _narrowing_source(self, *extra: Any) -> FromClause:
        """What ordering and filtering read, plus ``extra``."""
        conditions = self.conditions()
        return self._source(*self.order_by(), *conditions, *extra)

    def _row_columns(self) -> list[ColumnElement]:
        currency = self.definition.currency
        return [
            self.base_id,
            self.base_version,
            currency if currency is not None else literal(None),
            *(expression for _, expression in self.definition.keys),
            *(column.expression for column in self.definition.columns),
            *(
                case((column.note.when, 1), else_=0)
                for column in self.definition.columns
                if column.note is not None
            ),
        ]

    # -- the statements -----------------------------------------------------------------

    def count(self) -> Select:
        return (
            select(func.count())
            .select_from(self._source(*self.conditions()))
            .where(*self.conditions())
        )

    def ids(self, *, reverse: bool = False) -> Select:
        """Every matching row id in display order (or its mirror)."""
        return (
            select(self.base_id)
            .select_from(self._narrowing_source())
            .where(*self.conditions())
            .order_by(*self.order_by(reverse=reverse))
        )

    def page(self, offset: int, limit: int, *, from_end: bool = False) -> Select:
        """Rows ``offset`` to ``offset + limit`` in display order, in ``RowLayout``.

        With ``from_end`` the offset counts back from the last row: ``page(0, 200,
        from_end=True)`` is the last 200 rows, still in display order.
        """
        chosen = self.ids(reverse=from_end).limit(limit).offset(offset)
        return (
            select(*self._row_columns())
            .select_from(self._full_source())
            .where(self.base_id.in_(chosen))
            .order_by(*self.order_by())
        )

    def rows(self, ids: Sequence[int]) -> Select:
        """The rows with these ids (any order), in ``RowLayout``."""
        return (
            select(*self._row_columns())
            .select_from(self._full_source())
            .where(self.base_id.in_(list(ids)))
        )

    def select(self) -> Select:
        """The rows as shown: chosen columns labelled by key, then ``currency`` (lists
        with money), then for each shown column with a ``CellNote`` a 0/1 flag labelled
        ``note_<key>`` (1: the note applies); sorted."""
        currency = self.definition.currency
        columns = [column.expression.label(column.key) for column in self.shown_columns]
        if currency is not None:
            columns.append(currency.label("currency"))
        columns += [
            case((column.note.when, 1), else_=0).label(f"note_{column.key}")
            for column in self.shown_columns
            if column.note is not None
        ]
        return (
            select(*columns)
            .select_from(self._full_source())
            .where(*self.conditions())
            .order_by(*self.order_by())
        )

    def totals(self) -> Select | None:
        """Row count and the sum of each total column, one row per currency."""
        summed = [column for column in self.definition.columns if column.total]
        if not summed:
            return None
        currency = self.definition.currency
        sums = [func.sum(column.expression).label(column.key) for column in summed]
        group = [currency] if currency is not None else []
        query = select(*group, func.count().label("rows"), *sums)
        source = self._source(*self.conditions(), *group, *(c.expression for c in summed))
        query = query.select_from(source).where(*self.conditions())
        if group:
            query = query.group_by(*group).order_by(*group)
        return query


# -- running them ---------------------------------------------------------------------


def fetch_page(
    connection: Any, query: ListQuery, offset: int, limit: int, *, from_end: bool = False
) -> list[tuple]:
    statement = query.page(offset, limit, from_end=from_end)
    return [tuple(row) for row in connection.execute(statement)]


def fetch_count(connection: Any, query: ListQuery) -> int:
    return int(connection.execute(query.count()).scalar_one())


def fetch_rows(connection: Any, query: ListQuery, ids: Sequence[int]) -> dict[int, tuple]:
    if not ids:
        return {}
    return {row[0]: tuple(row) for row in connection.execute(query.rows(ids))}


def fetch_totals(connection: Any, query: ListQuery) -> list[Totals]:
    statement = query.totals()
    if statement is None:
        return []
    has_currency = query.definition.currency is not None
    found = []
    for row in connection.execute(statement).mappings():
        values = dict(row)
        currency = values.pop(next(iter(values))) if has_currency else None
        count = int(values.pop("rows"))
        found.append(Totals(currency, count, {key: int(v or 0) for key, v in values.items()}))
    return found


def fetch_ids(connection: Any, query: ListQuery, chunk: int = 50_000) -> Any:
    """The ordered ids as a compact ``array('q')`` (8 bytes a row), read in chunks."""
    from array import array

    ids = array("q")
    result = connection.execution_options(stream_results=True).execute(query.ids())
    for part in result.scalars().partitions(chunk):
        ids.extend(part)
    return ids


__all__ = [
    "Join",
    "ListColumn",
    "ListDefinition",
    "ListQuery",
    "RowLayout",
    "Totals",
    "ViewState",
    "fetch_count",
    "fetch_ids",
    "fetch_page",
    "fetch_rows",
    "fetch_totals",
]
