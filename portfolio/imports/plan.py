"""The preview of an import: every row matched, validated by the core, and compared with
what is stored, before anything is written.

For each sheet the planner finds the header row, maps the columns, and reads the rows
in batches: each row's fields are parsed by ``portfolio.editing.parse_record`` (so the
rules are the ones the app's cells apply, and every problem of a row is reported at
once), its natural key is looked up among the stored records (one query per batch, not
per row), and the outcome is one of: added, changed (with the previous and new value of
each changed field), unchanged, a conflict (the row's version moved on since the file
was exported, so it is not overwritten), or refused with its reasons.

Dates that read two ways (03/04/2026) wait until the whole file is read: if another
date in it can only be read one way, that decides the file's order (and the preview
says so); otherwise, without a chosen order, those rows are refused.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.analytics.variance import open_actuals_note
from portfolio.editing import ParseOptions, parse_record
from portfolio.editing.fields import is_blank
from portfolio.errors import ValidationError
from portfolio.exports.cells import CUT_MARK
from portfolio.imports.formulas import REASON as UNCOMPUTED_REASON
from portfolio.imports.formulas import CellError, Uncomputed
from portfolio.imports.headers import (
    CURRENCY,
    HEADER_SEARCH_ROWS,
    ORDER,
    REPORT_TITLES,
    VERSION,
    ColumnMap,
    SheetLayoutError,
    Target,
    has_key,
    key_labels,
    map_columns,
    target_for_header,
    target_for_title,
)
from portfolio.imports.sources import Sheet, Source
from portfolio.imports.values import DATE_ORDERS, AmbiguousDate, order_shown_by, read_temporal
from portfolio.jobs import Job
from portfolio.model import Campaign, Client
from portfolio.money import exponent, format_money
from portfolio.numbers import COMMA, NumberError, decimal_mark_shown_by, read_number, reads_two_ways
from portfolio.periods import last_closed_month, month_key
from portfolio.text import name_key

#: Rows validated and compared per database round trip.
BATCH = 2000
#: Share of the progress bar for reading and checking; writing takes the rest.
PLANNING = 0.9
#: Changes, conflicts and problems listed in full by ``describe``.
LISTED = 20
#: Rows read (blank ones too) between two progress reports, which are also where a
#: Cancel is noticed.
STEP_ROWS = 5000


@dataclass(frozen=True)
class ImportOptions:
    #: ``dmy`` or ``mdy`` for dates such as 03/04/2026; ``None`` to refuse those rows
    #: unless the file itself shows its order.
    date_order: str | None = None
    #: The decimal mark of numbers written as text: ``True`` a comma (1.234,50), ``False``
    #: a point (1,234.50), ``None`` as the file shows it (numbers such as 16.700 that
    #: read two ways are refused unless another number in the file shows the mark).
    decimal_comma: bool | None = None
    #: Apply the rows that passed even if others were refused.
    good_rows_only: bool = False
    #: Leave out rows hidden in a sheet (by a filter or by hand) and hidden sheets.
    skip_hidden: bool = False
    #: The encoding of a CSV file (a Python codec name); ``None`` tells it from the bytes.
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.date_order not in (None, *DATE_ORDERS):
            raise ValidationError("date order", f"{self.date_order!r} is not dmy or mdy")


@dataclass(frozen=True, slots=True)
class RowProblem:
    sheet: str
    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class RowChange:
    """A row to add (``row_id`` is None) or change."""

    entity: str
    sheet: str
    row: int
    key: str
    row_id: int | None
    #: Added: every value. Changed: the new value of each changed field.
    values: dict[str, Any]
    #: Changed: the stored value of each changed field.
    previous: dict[str, Any]
    #: Changed: the stored version the change was worked out against.
    version: int | None
    #: Added: the parent added by this same import, by name, if any:
    #: ("client", name) or ("campaign", (client name, campaign name)).
    pending_parent: tuple | None = None
    #: The client's name, for a record that belongs to one.
    client: str | None = None
    #: The currency of the record's money fields.
    currency: str | None = None

    @property
    def is_added(self) -> bool:
        return self.row_id is None


@dataclass(frozen=True, slots=True)
class Conflict:
    entity: str
    sheet: str
    row: int
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}, row {self.row} ({self.key}): {self.reason}"


@dataclass
class EntityCounts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0
    refused: int = 0


@dataclass
class ImportPlan:
    source: str
    changes: list[RowChange] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, EntityCounts] = field(default_factory=dict)
    rows_read: int = 0
    #: Hidden sheets and rows, in words, and whether they were applied or left out.
    hidden: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(c.added for c in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())

    @property
    def refused_rows(self) -> int:
        return len({(p.sheet, p.row) for p in self.problems})

    def count(self, entity: str) -> EntityCounts:
        return self.counts.setdefault(entity, EntityCounts())

    def describe(self, listed: int = LISTED) -> str:
        """The preview as text: counts per kind of record, then what changes."""
        from portfolio.editing import entity as entity_spec

        lines = [f"{self.source}: {self.rows_read:,} rows read"]
        for name in ORDER:
            counts = self.counts.get(name)
            if counts is None:
                continue
            plural = entity_spec(name).plural.lower()
            lines.append(
                f"  {plural}: {counts.added:,} added, {counts.changed:,} changed, "
                f"{counts.unchanged:,} unchanged, {counts.conflicts:,} conflicts, "
                f"{counts.refused:,} refused"
            )
        lines.append("  nothing is deleted: rows missing from the file stay as they are")
        lines += [f"  hidden: {hidden}" for hidden in self.hidden]
        lines += [f"  note: {note}" for note in self.notes]
        shown = [c for c in self.changes][:listed]
        if shown:
            lines.append("Changes:")
            for change in shown:
                lines.append(f"  {_describe_change(change)}")
            if len(self.changes) > listed:
                lines.append(f"  ... and {len(self.changes) - listed:,} more")
        if self.conflicts:
            lines.append("Conflicts (not applied):")
            lines += [f"  {conflict}" for conflict in self.conflicts[:listed]]
            if len(self.conflicts) > listed:
                lines.append(f"  ... and {len(self.conflicts) - listed:,} more")
        return "\n".join(lines)


def _describe_change(change: RowChange) -> str:
    where = f"{change.sheet} row {change.row}"
    if change.is_added:
        return f"{where}: {describe_change(change)} {change.key}"
    return f"{where}: {change.key}: {describe_change(change)}"


def describe_change(change: RowChange) -> str:
    """What a change does, in words: "add budget line" or "Spend actual $1.00 -> $2.00"."""
    from portfolio.editing import entity as entity_spec

    spec = entity_spec(change.entity)
    if change.is_added:
        return f"add {spec.label.lower()}"
    parts = []
    for name, value in change.values.items():
        field_spec = spec.field(name)
        before = _shown(change.previous[name], field_spec.kind, change.currency)
        after = _shown(value, field_spec.kind, change.currency)
        parts.append(f"{field_spec.label} {before} -> {after}")
    return "; ".join(parts)


def _shown(value: Any, kind: str, currency: str | None) -> str:
    if value is None:
        return "(empty)"
    if kind == "money" and currency:
        return format_money(value, currency)
    if kind == "month":
        return month_key(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# -- the planner --------------------------------------------------------------------


@dataclass(slots=True)
class _ClientRef:
    id: int | None
    name: str
    currency: str


@dataclass(slots=True)
class _Parsed:
    """A row after parsing, before it is compared with the stored record."""

    number: int
    values: tuple
    #: The row's field values as given (dates and months already read from text).
    raw: dict[str, Any]
    #: The natural key's own field (name or month), parsed.
    parsed: dict[str, Any]
    client: _ClientRef | None
    campaign_id: int | None
    campaign_pending: tuple | None
    version: int | None
    problems: list[RowProblem]


class Planner:
    """Builds an ``ImportPlan`` from the sheets of a ``Source`` within one session."""

    def __init__(self, session: Session, options: ImportOptions, job: Job) -> None:
        self.session = session
        self.options = options
        self.job = job
        self.date_order = options.date_order
        self.decimal_comma = options.decimal_comma
        self.parse_options = ParseOptions(decimal_comma=self.decimal_comma)
        #: The first text that shows each day-month order / decimal mark: (sheet, row, text).
        self.order_evidence: dict[str, tuple[str, int, str]] = {}
        self.mark_evidence: dict[str, tuple[str, int, str]] = {}
        #: Rows waiting for the whole file to be read: (layout, sheet, row, values).
        self.deferred: list[tuple[ColumnMap, str, int, tuple]] = []
        #: What those rows would add, by key, and what they wait for ("date", "number").
        self.deferred_keys: dict[tuple, str] = {}
        self.waiting_for: set[str] = set()
        #: Set once the whole file is read: a row that still cannot be read is refused.
        self.final = False
        self.seen: dict[tuple, tuple[str, int]] = {}
        self._load_indexes()

    def _load_indexes(self) -> None:
        self.clients: dict[str, _ClientRef] = {}
        self.clients_folded: dict[str, _ClientRef] = {}
        for ident, name, currency in self.session.execute(
            select(Client.id, Client.name, Client.currency)
        ):
            ref = _ClientRef(ident, name, currency)
            self.clients[name] = ref
            self.clients_folded.setdefault(name_key(name), ref)
        self.campaigns: dict[tuple[int, str], int] = {}
        self.campaigns_folded: dict[tuple[int, str], int] = {}
        for ident, client_id, name in self.session.execute(
            select(Campaign.id, Campaign.client_id, Campaign.name)
        ):
            self.campaigns[(client_id, name)] = ident
            self.campaigns_folded.setdefault((client_id, name_key(name)), ident)
        self.pending_clients: dict[str, _ClientRef] = {}
        self.pending_campaigns: set[tuple[str, str]] = set()

    # -- sheets --------------------------------------------------------------------

    def plan(self, source: Source) -> ImportPlan:
        plan = ImportPlan(source.path.name, notes=list(source.notes))
        laid_out: list[tuple[ColumnMap, Sheet]] = []
        for sheet in source.sheets:
            if sheet.hidden:
                if self.options.skip_hidden:
                    plan.hidden.append(f"sheet {sheet.title!r} is hidden: left out")
                    continue
                plan.hidden.append(
                    f"sheet {sheet.title!r} is hidden: read like the others; {_LEAVE_OUT}"
                )
            try:
                layout = self._layout(sheet, plan)
            except SheetLayoutError as error:
                plan.problems.append(RowProblem(sheet.title, 1, None, str(error)))
                continue
            if layout is not None:
                laid_out.append((layout, sheet))
        if not laid_out and not plan.problems:
            plan.problems.append(
                RowProblem(
                    source.path.name,
                    1,
                    None,
                    "no sheet with clients, campaigns, budget lines or opportunities "
                    "(their headers were not found)",
                )
            )
        laid_out.sort(key=lambda item: ORDER.index(item[0].target.entity))
        for index, (layout, sheet) in enumerate(laid_out):
            share = PLANNING / len(laid_out)
            self._plan_sheet(plan, layout, sheet, index * share, share)
        self._finish_deferred(plan)
        note = open_actuals_note(_months_with_actuals(plan), last_closed_month())
        if note:
            plan.notes.append(note)
        return plan

    def _layout(self, sheet: Sheet, plan: ImportPlan) -> ColumnMap | None:
        title_target = target_for_title(sheet.title)
        reason = REPORT_TITLES.get(sheet.title.strip().casefold())
        if title_target is None and reason:
            plan.notes.append(f"sheet {sheet.title!r} is not imported: {reason}")
            return None
        for number, values in sheet.rows():
            if number > HEADER_SEARCH_ROWS:
                break
            target = title_target or target_for_header(values)
            if target is not None and has_key(target, values):
                layout = map_columns(target, values, number)
                if layout.ignored:
                    plan.notes.append(
                        f"sheet {sheet.title!r}: column(s) "
                        + ", ".join(repr(h) for h in layout.ignored)
                        + " are not fields of "
                        + f"{target.spec.plural.lower()} and were ignored"
                    )
                return layout
        if title_target is not None:
            raise SheetLayoutError(
                f"no header row with the columns {key_labels(title_target)} "
                f"in the first {HEADER_SEARCH_ROWS} rows"
            )
        plan.notes.append(
            f"sheet {sheet.title!r} is not imported: no header row of clients, campaigns, "
            "budget lines or opportunities was found"
        )
        return None

    def _plan_sheet(
        self, plan: ImportPlan, layout: ColumnMap, sheet: Sheet, start: float, share: float
    ) -> None:
        """Plan a sheet's rows; progress runs from ``start`` over ``share`` of the bar."""
        batch: list[tuple[int, tuple]] = []
        expected = max(sheet.estimated_rows or 0, 1)
        self.job.step(start, f"Reading {sheet.title}")
        hidden_rows = sheet.hidden_rows
        hidden_seen: list[int] = []
        sheet.watch = lambda done: self.job.step(
            start + share * done, f"{sheet.title}: skipping blank lines"
        )
        since_step = 0
        for number, values in sheet.rows(layout.header_row + 1):
            since_step += 1
            if since_step == STEP_ROWS:  # blank rows too: progress and Cancel keep going
                since_step = 0
                done = min(number / expected, 1.0)
                self.job.step(start + share * done, f"{sheet.title}: {number:,} rows checked")
            if all(is_blank(value) for value in values):
                continue
            if hidden_rows and number in hidden_rows:
                hidden_seen.append(number)
                if self.options.skip_hidden:
                    continue
            plan.rows_read += 1
            batch.append((number, values))
            if len(batch) == BATCH:
                self._plan_batch(plan, layout, sheet.title, batch)
                batch = []
        if batch:
            self._plan_batch(plan, layout, sheet.title, batch)
        if hidden_seen:
            plan.hidden.append(_hidden_rows(sheet, hidden_seen, self.options.skip_hidden))

    # -- rows ----------------------------------------------------------------------

    def _plan_batch(
        self, plan: ImportPlan, layout: ColumnMap, title: str, rows: Iterable[tuple[int, tuple]]
    ) -> None:
        parsed_rows: list[_Parsed] = []
        for number, values in rows:
            try:
                parsed = self._parse(layout, title, number, values)
            except _Waiting as waiting:
                self._defer_key(layout, values, waiting.needs)
                if self.final:
                    self._refuse(
                        plan, plan.count(layout.target.entity), [self._why(waiting, title, number)]
                    )
                else:
                    self.deferred.append((layout, title, number, values))
                    self.waiting_for.add(waiting.needs)
                continue
            if parsed is not None:
                parsed_rows.append(parsed)
        stored = self._stored(layout.target, parsed_rows)
        for parsed in parsed_rows:
            self._compare(plan, layout, title, parsed, stored)

    def _cell(self, layout: ColumnMap, values: tuple, role) -> Any:
        index = layout.index_of(role)
        if index is None or index >= len(values):
            return None
        return values[index]

    def _parse(self, layout: ColumnMap, title: str, number: int, values: tuple) -> _Parsed | None:
        target = layout.target
        spec = target.spec
        problems: list[RowProblem] = []

        def problem(column: str | None, reason: str) -> None:
            problems.append(RowProblem(title, number, column, reason))

        width = len(values)
        raw = {name: values[i] if i < width else None for i, name in layout.field_columns}
        other = {name: values[i] if i < width else None for name, i in layout.other_columns.items()}
        # A formula without its result is refused by name, never read as a blank that
        # would clear the stored value.
        unreadable: dict[str, str] = {}
        for i, name in layout.field_columns:
            if type(raw[name]) in _UNREADABLE:
                unreadable[layout.headers[i]] = _unreadable_reason(raw.pop(name))
        for name, i in layout.other_columns.items():
            if type(other[name]) in _UNREADABLE:
                unreadable[layout.headers[i]] = _unreadable_reason(other[name])
                other[name] = None

        client: _ClientRef | None = None
        campaign_id: int | None = None
        campaign_pending: tuple | None = None
        if "client" in target.key:
            client = self._client(layout, other.get("client"), problem)
            if client is None and (
                needs := self._is_deferred(("client", _text(other.get("client"))))
            ):
                raise _Waiting(None, f"belongs to client {_text(other.get('client'))!r}", needs)
        if "campaign" in target.key and client is not None:
            campaign_id, campaign_pending = self._campaign(
                layout, client, other.get("campaign"), problem
            )
            if campaign_id is None and campaign_pending is None:
                key = ("campaign", client.name, _text(other.get("campaign")))
                if needs := self._is_deferred(key):
                    raise _Waiting(None, f"belongs to campaign {key[2]!r}", needs)

        texts = [name for name in layout.temporal_fields if isinstance(raw.get(name), str)]
        for name in texts:  # all of the row's evidence first: a later read may wait
            hint = order_shown_by(raw[name])
            if hint:
                self.order_evidence.setdefault(hint, (title, number, raw[name]))
        numbers = [name for name in layout.numeric_fields if type(raw.get(name)) is str]
        unsure = None
        for name in numbers:
            value = raw[name]
            mark = decimal_mark_shown_by(value)
            if mark:
                self.mark_evidence.setdefault(mark, (title, number, value))
            elif unsure is None and self.decimal_comma is None and reads_two_ways(value):
                unsure = name
        for name in texts:
            value = raw[name]
            try:
                raw[name] = read_temporal(value, spec.field(name), self.date_order)
            except ValidationError as error:
                problem(layout.header_for_field(name), error.reason)
                del raw[name]
            except AmbiguousDate:
                raise _Waiting(layout.header_for_field(name), value, "date") from None
        if unsure is not None:
            raise _Waiting(layout.header_for_field(unsure), raw[unsure], "number")

        version = None
        given_version = other.get("version")
        if isinstance(given_version, int):
            version = given_version
        elif not is_blank(given_version):
            try:
                version = int(str(given_version).strip().split(".")[0])
            except ValueError:
                problem(layout.headers[layout.index_of(VERSION)], "is not a row version number")

        given_currency = other.get("currency")
        if client is not None and not is_blank(given_currency):
            if str(given_currency).strip().upper() != client.currency:
                problem(
                    layout.headers[layout.index_of(CURRENCY)],
                    f"amounts are in {str(given_currency).strip()} but {client.name} is "
                    f"billed in {client.currency}; Portfolio does not convert imported amounts",
                )

        key_field = layout.key_field
        key_raw = {key_field: raw[key_field]} if key_field in raw else {}
        parsed, errors = parse_record(self.session, spec, key_raw, options=self.parse_options)
        for error in errors:
            problem(layout.header_for_field(error.field), error.reason)
        raw.pop(key_field, None)
        if unreadable:  # the cell's own reason says it; "is required" would only repeat it
            problems[:] = [p for p in problems if p.column not in unreadable]
            for header in sorted(unreadable):
                problems.append(RowProblem(title, number, header, unreadable[header]))
        return _Parsed(
            number, values, raw, parsed, client, campaign_id, campaign_pending, version, problems
        )

    def _parse_fields(
        self,
        layout: ColumnMap,
        title: str,
        row: _Parsed,
        fields: dict[str, Any],
    ) -> dict[str, Any]:
        """``fields`` of ``row`` parsed by the core; their problems go on the row."""
        if not fields:
            return {}
        if row.client is None and "client" in layout.target.key:
            # Amounts cannot be read without the client's currency; the missing client
            # is the row's problem, not each amount.
            fields = {n: v for n, v in fields.items() if n not in layout.money_fields}
        currency = row.client.currency if row.client is not None else None
        parsed, errors = parse_record(
            self.session, layout.target.spec, fields, options=self.parse_options, currency=currency
        )
        for error in errors:
            row.problems.append(
                RowProblem(title, row.number, layout.header_for_field(error.field), error.reason)
            )
        return parsed

    def _client(self, layout: ColumnMap, value: Any, problem) -> _ClientRef | None:
        if type(value) is str:
            found = self.clients.get(value)
            if found is not None:
                return found
        column = layout.header_for_field("client_id")
        if value is not None and not isinstance(value, str):
            problem(column, _not_a_name(value, "client name"))
            return None
        name = _text(value)
        if not name:
            problem(column, "is required")
            return None
        found = (
            self.clients.get(name)
            or self.pending_clients.get(name)
            or self.clients_folded.get(name_key(name))
            or self.pending_clients.get(name_key(name))
        )
        if found is None and not self._is_deferred(("client", name)):
            problem(column, f"no client named {name!r}")
        return found

    def _campaign(
        self, layout: ColumnMap, client: _ClientRef, value: Any, problem
    ) -> tuple[int | None, tuple | None]:
        if client.id is not None and type(value) is str:
            found = self.campaigns.get((client.id, value))
            if found is not None:
                return found, None
        column = layout.header_for_field("campaign_id")
        if value is not None and not isinstance(value, str):
            problem(column, _not_a_name(value, "campaign name"))
            return None, None
        name = _text(value)
        if not name:
            problem(column, "is required")
            return None, None
        if client.id is not None:
            found = self.campaigns.get((client.id, name)) or self.campaigns_folded.get(
                (client.id, name_key(name))
            )
            if found is not None:
                return found, None
        pending = (client.name, name_key(name))
        if pending in self.pending_campaigns:
            return None, pending
        if not self._is_deferred(("campaign", client.name, name)):
            problem(column, f"{client.name} has no campaign named {name!r}")
        return None, None

    def _defer_key(self, layout: ColumnMap, values: tuple, kind: str) -> None:
        """Remember what a deferred row would add, so its dependants wait too."""
        target = layout.target
        if target.entity == "client":
            name = _text(self._cell(layout, values, next(iter(target.key_roles()))))
            self.deferred_keys[("client", name_key(name))] = kind
        elif target.entity == "campaign":
            roles = target.key_roles()
            client = _text(self._cell(layout, values, roles[0]))
            name = _text(self._cell(layout, values, roles[1]))
            found = self.clients.get(client) or self.clients_folded.get(name_key(client))
            client_name = found.name if found else client
            self.deferred_keys[("campaign", name_key(client_name), name_key(name))] = kind

    def _is_deferred(self, key: tuple) -> str | None:
        """What the row that would add ``key`` waits for ("date", "number"), if it waits."""
        return self.deferred_keys.get(
            tuple(name_key(part) if isinstance(part, str) else part for part in key)
        )

    # -- comparing with what is stored ---------------------------------------------------

    def _stored(self, target: Target, rows: list[_Parsed]) -> dict[tuple, dict]:
        """Stored records for the batch's keys, by natural key (names folded)."""
        spec = target.spec
        model = spec.model
        columns = [model.id, model.version, *(getattr(model, name) for name in target.fields)]
        names = ["id", "version", *target.fields]
        if target.entity == "client":
            wanted = {
                ref.name
                for row in rows
                if (ref := self._stored_client(row.parsed.get("name"))) is not None
            }
            condition = model.name.in_(wanted)
            key_of = lambda record: (name_key(record["name"]),)  # noqa: E731
        elif target.entity in ("campaign", "opportunity"):
            client_ids = {row.client.id for row in rows if row.client and row.client.id}
            columns.append(model.client_id)
            names.append("client_id")
            condition = model.client_id.in_(client_ids)
            key_of = lambda record: (record["client_id"], name_key(record["name"]))  # noqa: E731
        else:
            wanted = {
                (row.campaign_id, row.parsed["month"])
                for row in rows
                if row.campaign_id is not None and row.parsed.get("month") is not None
            }
            columns.append(model.campaign_id)
            names.append("campaign_id")
            # By campaign (the unique index's first column), months sorted out here: a
            # row-value IN list makes SQLite scan the whole table.
            condition = model.campaign_id.in_({campaign for campaign, _ in wanted})
            key_of = lambda record: (record["campaign_id"], record["month"])  # noqa: E731
        if target.entity in ("client", "budget_line") and not wanted:
            return {}
        if target.entity in ("campaign", "opportunity") and not client_ids:
            return {}
        stored: dict[tuple, dict] = {}
        for values in self.session.execute(select(*columns).where(condition)):
            record = dict(zip(names, values, strict=True))
            stored[key_of(record)] = record
        return stored

    def _stored_client(self, name: Any) -> _ClientRef | None:
        if not isinstance(name, str):
            return None
        return self.clients.get(name) or self.clients_folded.get(name_key(name))

    def _compare(
        self,
        plan: ImportPlan,
        layout: ColumnMap,
        title: str,
        row: _Parsed,
        stored: dict[tuple, dict],
    ) -> None:
        target = layout.target
        spec = target.spec
        counts = plan.count(target.entity)
        problems = row.problems
        parsed = row.parsed

        def problem(field_name: str | None, reason: str) -> None:
            column = layout.header_for_field(field_name) if field_name else None
            problems.append(RowProblem(title, row.number, column, reason))

        key_field = layout.key_field
        key_value = parsed.get(key_field)
        if key_value is None:
            key_column = layout.header_for_field(key_field)
            if not any(p.column == key_column for p in problems):
                problem(key_field, "is required")
        has_parents = target.entity == "client" or (
            row.client is not None
            and (target.entity != "budget_line" or row.campaign_id or row.campaign_pending)
        )
        if key_value is None or not has_parents:
            self._parse_fields(layout, title, row, row.raw)  # report all its problems
            self._refuse(plan, counts, problems)
            return

        if target.entity == "client":
            natural = (name_key(key_value),)
            shown_key = key_value
        elif target.entity == "budget_line":
            natural = (row.campaign_id or row.campaign_pending, key_value)
            campaign_name = _text(row.values[layout.other_columns["campaign"]])
            shown_key = f"{row.client.name} / {campaign_name} / {month_key(key_value)}"
        else:
            natural = (row.client.id or row.client.name, name_key(key_value))
            shown_key = f"{row.client.name} / {key_value}"

        # Checked for refused rows too: two rows for one record is a mistake either way.
        duplicate_key = (target.entity, *natural)
        if duplicate_key in self.seen:
            sheet, first = self.seen[duplicate_key]
            problem(None, f"the same {spec.label.lower()} as {sheet} row {first}")
        else:
            self.seen[duplicate_key] = (title, row.number)

        if target.entity == "budget_line":
            record = stored.get((row.campaign_id, key_value)) if row.campaign_id else None
        elif target.entity == "client":
            record = stored.get(natural)
        else:
            record = stored.get((row.client.id, name_key(key_value))) if row.client.id else None

        # A cell that holds exactly the stored value needs no parsing: the core would
        # read it back as that value. Everything else is parsed and validated.
        fields = row.raw
        if record is not None:
            currency = row.client.currency if row.client is not None else None
            kinds = layout.field_kinds
            fields = {
                name: value
                for name, value in fields.items()
                if not same_as_stored(kinds[name], value, record.get(name), currency)
            }
        if layout.text_fields:
            fields = self._uncut(plan, layout, title, row, fields, record)
        parsed = row.parsed = {**parsed, **self._parse_fields(layout, title, row, fields)}
        if problems:
            self._refuse(plan, counts, problems)
            return

        merged = {**(record or {}), **parsed}
        for rule in spec.rules:
            for name, message in rule(merged):
                problem(name, message)
        if problems:
            self._refuse(plan, counts, problems)
            return

        if record is None:
            self._add(plan, counts, layout, title, row, shown_key)
            return

        changes = {}
        table = spec.model.__table__
        for name, value in parsed.items():
            if name == key_field and isinstance(value, str):
                continue  # matched ignoring case: keep the stored spelling
            if value is None and not table.c[name].nullable:
                continue  # a blank cell where a value must be: keep the stored one
            if _differs(value, record.get(name)):
                changes[name] = value
        if not changes:
            counts.unchanged += 1
            return
        if row.version is not None and row.version != record["version"]:
            reason, changes = self._merge_since_export(target.entity, record, row.version, changes)
            if reason is not None:
                counts.conflicts += 1
                plan.conflicts.append(Conflict(target.entity, title, row.number, shown_key, reason))
                return
            if not changes:
                counts.unchanged += 1
                return
        counts.changed += 1
        plan.changes.append(
            RowChange(
                target.entity,
                title,
                row.number,
                shown_key,
                record["id"],
                changes,
                {name: record[name] for name in changes},
                record["version"],
                client=row.client.name if row.client is not None else None,
                currency=row.client.currency if row.client is not None else None,
            )
        )

    def _merge_since_export(
        self, entity: str, record: dict, exported: int, changes: dict[str, Any]
    ) -> tuple[str | None, dict[str, Any]]:
        """Field-level optimistic concurrency for a row changed in Portfolio since the
        file was exported (its version moved on from ``exported``).

        The journal says which fields changed since and what they were at export: a
        field the file still holds as it was then was not edited in the file, so the
        colleague's value stays; a field edited in the file and in Portfolio is a
        conflict (the row is left alone, naming the field and who). Returns (the reason
        for a conflict or None, the changes to apply).
        """
        from portfolio.journal.lookup import last_touching, record_changes, versions_explained
        from portfolio.journal.wording import field_label, local_time

        history = record_changes(self.session, entity, record["id"], after_version=exported)
        if not versions_explained(history, exported, record["version"]):
            return (
                f"changed in Portfolio since the file was exported (row version "
                f"{record['version']}, the file has {exported}); not overwritten"
            ), changes
        at_export: dict[str, Any] = {}
        for change in history:
            for name, value in (change.before or {}).items():
                at_export.setdefault(name, value)
        clashing = [
            name
            for name in changes
            if name in at_export and _differs(changes[name], at_export[name])
        ]
        if clashing:
            name = clashing[0]
            past = last_touching(history, name)
            who = f" by {past.user_name} on {local_time(past.at)}" if past else ""
            return (
                f"{field_label(entity, name)} was changed in Portfolio{who} since the file "
                "was exported, and in the file too; not overwritten"
            ), changes
        return None, {name: value for name, value in changes.items() if name not in at_export}

    def _uncut(
        self,
        plan: ImportPlan,
        layout: ColumnMap,
        title: str,
        row: _Parsed,
        fields: dict[str, Any],
        record: dict | None,
    ) -> dict[str, Any]:
        """``fields`` less text cells an export cut (older text longer than a cell holds):
        the stored text is whole, so such a cell is left alone if it is the start of
        it, and refused otherwise (it would store the cut text)."""
        for name in layout.text_fields:
            value = fields.get(name)
            if not isinstance(value, str) or not (found := CUT_MARK.search(value)):
                continue
            stored = record.get(name) if record is not None else None
            kept = value[: found.start()]
            length = int(found.group(1).replace(",", ""))
            column = layout.header_for_field(name)
            if isinstance(stored, str) and len(stored) == length and stored.startswith(kept):
                fields = {key: item for key, item in fields.items() if key != name}
                plan.notes.append(
                    f"{title}, row {row.number}, {column}: the export cut this text; the "
                    f"whole text ({length:,} characters) is kept in Portfolio"
                )
            else:
                row.problems.append(
                    RowProblem(
                        title,
                        row.number,
                        column,
                        "holds text an export cut short, which is not the start of the text "
                        "stored; type the text again (at most 32,767 characters)",
                    )
                )
        return fields

    def _add(
        self,
        plan: ImportPlan,
        counts: EntityCounts,
        layout: ColumnMap,
        title: str,
        row: _Parsed,
        shown_key: str,
    ) -> None:
        target = layout.target
        spec = target.spec
        if row.version is not None:
            counts.conflicts += 1
            plan.conflicts.append(
                Conflict(
                    target.entity,
                    title,
                    row.number,
                    shown_key,
                    "has a row version but is not in Portfolio: it was deleted or renamed "
                    "since the export, or renamed in the file; not added (clear its row "
                    "version to add it as a new row)",
                )
            )
            return
        values = {name: row.parsed.get(name) for name in target.fields}
        problems = []
        for name in target.fields:
            field_spec = spec.field(name)
            if field_spec.required and values.get(name) is None:
                problems.append(
                    RowProblem(title, row.number, layout.header_for_field(name), "is required")
                )
        if problems:
            self._refuse(plan, counts, problems)
            return
        pending_parent = None
        if target.entity == "budget_line":
            for measure in ("spend", "revenue", "sales"):
                if values.get(f"{measure}_budget") is None:
                    values[f"{measure}_budget"] = 0
                if values.get(f"{measure}_forecast") is None:
                    values[f"{measure}_forecast"] = values[f"{measure}_budget"]
            values["campaign_id"] = row.campaign_id
            if row.campaign_id is None:
                pending_parent = ("campaign", row.campaign_pending)
        elif target.entity in ("campaign", "opportunity"):
            values["client_id"] = row.client.id
            if row.client.id is None:
                pending_parent = ("client", row.client.name)
            if target.entity == "campaign":
                self.pending_campaigns.add((row.client.name, name_key(values["name"])))
        else:
            if values.get("fiscal_year_start") is None:
                values["fiscal_year_start"] = 1
            ref = _ClientRef(None, values["name"], values["currency"])
            self.pending_clients[ref.name] = ref
            self.pending_clients[name_key(ref.name)] = ref
        counts.added += 1
        plan.changes.append(
            RowChange(
                target.entity,
                title,
                row.number,
                shown_key,
                None,
                values,
                {},
                None,
                pending_parent,
                client=row.client.name if row.client is not None else None,
                currency=row.client.currency if row.client is not None else None,
            )
        )

    def _refuse(self, plan: ImportPlan, counts: EntityCounts, problems: list[RowProblem]) -> None:
        counts.refused += 1
        plan.problems.extend(problems)

    # -- dates that needed the whole file ----------------------------------------------

    def _finish_deferred(self, plan: ImportPlan) -> None:
        """Read the rows that waited, now that the whole file shows its date order and
        decimal mark (or does not, and they are refused)."""
        if not self.deferred:
            return
        if "date" in self.waiting_for and self.date_order is None and len(self.order_evidence) == 1:
            ((order, (sheet, number, text)),) = self.order_evidence.items()
            self.date_order = order
            reading = "day first" if order == "dmy" else "month first"
            plan.notes.append(
                f"dates such as 03/04/2026 were read {reading}, as {text!r} "
                f"({sheet} row {number}) shows"
            )
        if (
            "number" in self.waiting_for
            and self.decimal_comma is None
            and len(self.mark_evidence) == 1
        ):
            ((mark, (sheet, number, text)),) = self.mark_evidence.items()
            self.decimal_comma = mark == COMMA
            self.parse_options = ParseOptions(decimal_comma=self.decimal_comma)
            plan.notes.append(
                f"numbers such as 16.700 were read with a decimal {mark}, as {text!r} "
                f"({sheet} row {number}) shows"
            )
        deferred, self.deferred = self.deferred, []
        # Keys come back as rows are refused again, so that only the dependants of a
        # row that still waits say so (a parent refused for another reason is "no
        # client named ...").
        self.deferred_keys.clear()
        self.final = True
        by_layout: dict[int, list] = {}
        for item in deferred:
            by_layout.setdefault(id(item[0]), []).append(item)
        for items in by_layout.values():
            layout, title = items[0][0], items[0][1]
            self._plan_batch(
                plan, layout, title, [(number, values) for _, _, number, values in items]
            )

    def _why(self, waiting: _Waiting, title: str, number: int) -> RowProblem:
        """The refusal of a row that the whole file could not settle."""
        if waiting.needs == "date":
            why = (
                "the file has dates written both ways"
                if self.order_evidence
                else "no date in the file shows which"
            )
            if waiting.column is None:
                reason = f"{waiting.text}, which has a date that reads two ways"
            else:
                reason = f"{waiting.text!r} reads two ways (day or month first)"
            return RowProblem(
                title, number, waiting.column, f"{reason}: {why}; choose the date order"
            )
        why = (
            "the file has numbers written with both marks"
            if self.mark_evidence
            else "no number in the file shows which decimal mark it uses"
        )
        if waiting.column is None:
            reason = f"{waiting.text}, which has a number that reads two ways"
        else:
            try:
                read_number(waiting.text, None)
                reason = f"{waiting.text!r} reads two ways"
            except NumberError as error:
                reason = str(error)
        return RowProblem(
            title,
            number,
            waiting.column,
            f"{reason}: {why}; choose the decimal mark (--decimal-comma or --decimal-point)",
        )


def same_as_stored(kind: str, value: Any, stored: Any, currency: str | None) -> bool:
    """Whether a spreadsheet value certainly is the stored one, without parsing it.

    Only numbers, dates, blanks and text identical to the stored text are judged here;
    anything else goes to the core. A
    number equals a stored amount when it is the float nearest to it (``stored / 100``
    is correctly rounded, and so is the spreadsheet's decimal text), which is exactly
    when the core's ``parse_money`` would read it as that amount.
    """
    if value is None:
        return stored is None
    if stored is None or isinstance(value, str):
        return False
    number = type(value) in (int, float)
    if kind == "money":
        return number and currency is not None and value == stored / 10 ** exponent(currency)
    if kind in ("count", "integer"):
        return number and value == stored
    if kind in ("text", "longtext"):
        # Exactly the stored text (older text with a tab or a control character
        # included): nothing to clean or check.
        return type(value) is str and value == stored
    if kind == "bool":
        return type(value) is bool and value == stored
    if kind == "month":
        return isinstance(value, dt.date) and value.year * 100 + value.month == stored
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.time() == dt.time() and value.date() == stored
        return isinstance(value, dt.date) and value == stored
    if kind == "datetime":
        return isinstance(value, dt.datetime) and value.replace(microsecond=0) == stored
    return False


class _Waiting(Exception):  # noqa: N818 - control flow, not an error
    """A row that cannot be read until the whole file is: a date that reads two ways
    (``needs`` "date"), a number that does ("number"), or a parent row that waits."""

    def __init__(self, column: str | None, text: str, needs: str) -> None:
        super().__init__(text)
        self.column = column
        self.text = text
        self.needs = needs


_UNREADABLE = (Uncomputed, CellError)


def _unreadable_reason(value: Any) -> str:
    if isinstance(value, CellError):
        return (
            f"holds the spreadsheet error {value.code}, not a value; fix the formula or type "
            "the value"
        )
    return UNCOMPUTED_REASON


def _not_a_name(value: Any, what: str) -> str:
    kind = "a date" if isinstance(value, dt.date | dt.time) else "a number"
    shown = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value
    if isinstance(value, dt.date | dt.time) and not isinstance(value, dt.datetime):
        shown = value.isoformat()
    return (
        f"is {kind} ({shown}), not a {what}: the spreadsheet turned what was typed into "
        f"{kind}; format the column as Text and type it again"
    )


_LEAVE_OUT = "leave it out with --skip-hidden (in the app: Leave out hidden sheets and rows)"


def _hidden_rows(sheet: Sheet, rows: list[int], skipped: bool) -> str:
    shown = ", ".join(str(number) for number in rows[:LISTED])
    if len(rows) > LISTED:
        shown += f" and {len(rows) - LISTED:,} more"
    how = " by a filter" if sheet.filtered else ""
    plural, verb, them = ("rows", "are", "them") if len(rows) > 1 else ("row", "is", "it")
    if skipped:
        return f"sheet {sheet.title!r}: {plural} {shown} {verb} hidden{how}: left out"
    return (
        f"sheet {sheet.title!r}: {plural} {shown} {verb} hidden{how}: read like the others; "
        + _LEAVE_OUT.replace("leave it", f"leave {them}")
    )


def _text(value: Any) -> str:
    """A name cell as shown and looked up (cleaned like a stored name, never refused)."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, Decimal) and old is not None:
        return Decimal(old) != new
    if isinstance(new, dt.datetime) and isinstance(old, dt.datetime):
        return new.replace(microsecond=0) != old.replace(microsecond=0)
    return new != old


def _months_with_actuals(plan: ImportPlan) -> list[int]:
    """The month of each budget line the plan gives an actual (for the open-month note)."""
    months = []
    for change in iter_changes(plan, "budget_line"):
        if any(k.endswith("_actual") and v not in (None, "") for k, v in change.values.items()):
            month = change.values.get("month")
            if not isinstance(month, int):
                try:
                    month = int(change.key.rsplit(" / ", 1)[-1].replace("-", ""))
                except ValueError:
                    continue
            months.append(month)
    return months


def plan_import(session: Session, source: Source, options: ImportOptions, job: Job) -> ImportPlan:
    return Planner(session, options, job).plan(source)


def iter_changes(plan: ImportPlan, entity: str) -> Iterator[RowChange]:
    return (change for change in plan.changes if change.entity == entity)
