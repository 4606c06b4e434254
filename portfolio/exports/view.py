""" "Export this view": one list as the person sees it, as a workbook with one table.

The list's ``ListQuery`` (``portfolio.queries.listing``) already is the view: its shown
columns in their order, its sort, its filter and its scope. ``ListQuery.select`` gives
those rows from SQL; they are streamed into a ``StreamedSheet`` with each column typed
from the list's own column kinds, so money keeps each row's currency format, months and
dates are dates, and each variance shows its sign, is coloured when unfavourable and
has a status column beside it that says so in words.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from portfolio.exports.cells import Column
from portfolio.exports.records import stream
from portfolio.exports.streamed_sheet import MAX_ROWS, StreamedSheet
from portfolio.exports.variance_sheet import BAD_FILL, BAD_FONT, FAVOURABLE, UNFAVOURABLE
from portfolio.exports.workbook import WorkbookReport, WorkbookTooBigError
from portfolio.files import atomic_output
from portfolio.jobs import Job, quiet
from portfolio.money import round_minor
from portfolio.queries.listing import ListColumn, ListQuery
from portfolio.storage import Database

#: List column kinds -> workbook column kinds (choices are written as their labels).
_KINDS = {
    "money": "money",
    "count": "count",
    "integer": "count",
    "percent": "decimal",
    "date": "date",
    "datetime": "datetime",
    "month": "month",
    "bool": "bool",
}


def _columns(shown: tuple[ListColumn, ...]) -> list[Column]:
    """The sheet's columns: the list's, plus a status in words after each variance."""
    currency_index = len(shown) + sum(1 for column in shown if column.is_variance)
    columns = []
    for column in shown:
        kind = _KINDS.get(column.kind, "text")
        columns.append(
            Column(
                column.label,
                kind,
                max(float(column.width), 8.0),
                currency=currency_index if kind == "money" else None,
                signed=column.is_variance,
            )
        )
        if column.is_variance:
            # Room for a note after the word where the column has one.
            width = 15 if column.note is None else 40
            columns.append(Column(f"{column.label} status", width=width))
    return columns


def _rows(
    source: Iterator[tuple], shown: tuple[ListColumn, ...], has_currency: bool
) -> Iterator[list]:
    """Rows of ``ListQuery.select`` as the sheet's columns, the currency last.

    A variance whose ``CellNote`` applies (a closed month's empty actual counted as 0)
    keeps its value and colour, and its status cell says the note after the word, so
    the workbook does not pass it off as a reported under- or overspend.
    """
    noted = [index for index, column in enumerate(shown) if column.note is not None]
    flags_at = len(shown) + (1 if has_currency else 0)
    for row in source:
        notes = {index: row[flags_at + at] for at, index in enumerate(noted)}
        values: list = []
        for index, column in enumerate(shown):
            value = row[index]
            if value is None:
                pass
            elif column.kind == "choice" and column.vocabulary is not None:
                value = column.vocabulary.label(value)
            elif column.kind == "money" and not isinstance(value, int):
                # Worked-out amounts (a weighted value) may fall between minor units.
                value = round_minor(Decimal(value))
            values.append(value)
            if column.is_variance:
                status = _status(value, bool(column.higher_is_better))
                if status is not None and notes.get(index) and column.note is not None:
                    status = f"{status}: {column.note.text}"
                values.append(status)
        if has_currency:
            values.append(row[len(shown)])
        yield values


def _status(value, higher_is_better: bool) -> str | None:
    if value is None:
        return None
    favourable = value >= 0 if higher_is_better else value <= 0
    return FAVOURABLE if favourable else UNFAVOURABLE


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'") or "View"
    return cleaned[:31]


def export_view(
    db: Database,
    target: str | Path,
    query: ListQuery,
    *,
    job: Job | None = None,
    author: str = "Portfolio",
) -> WorkbookReport:
    """Write the rows of ``query`` (one list as shown) to ``target``."""
    job = job or quiet()
    started = time.perf_counter()
    definition = query.definition
    shown = query.shown_columns
    columns = _columns(shown)
    report = WorkbookReport(Path(target))
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(query.select().subquery())) or 0
        if total >= MAX_ROWS:
            raise WorkbookTooBigError(
                f"{total:,} rows do not fit on one sheet (at most {MAX_ROWS - 1:,}); "
                "filter the list first"
            )
        with atomic_output(target) as temporary:
            book = Workbook(write_only=True)
            sheet = StreamedSheet(book, sheet_title(definition.title))
            book._add_sheet(sheet)
            try:
                sheet.setup([column.fitted_width for column in columns], freeze="B2")
                headers = [column.header for column in columns]
                sheet.write(sheet.encoder([Column(h, bold=True) for h in headers]), [headers])

                def progress(rows: int) -> None:
                    job.step(0.9 * rows / max(total, 1), f"{rows:,} of {total:,} rows")

                rows = _rows(
                    stream(session, query.select()), shown, definition.currency is not None
                )
                count = sheet.write(sheet.encoder(columns), rows, progress)
                report.rows[sheet.title] = count
                sheet.add_header_table(_table_name(definition.name), headers, sheet.row_count)
                _colour_variances(sheet, columns)
                _properties(book, definition.title, query, author)
                job.step(0.95, "Compressing the workbook")
                book.save(temporary)
            finally:
                sheet.discard()
    job.step(1.0, f"Wrote {Path(target).name}")
    report.seconds = time.perf_counter() - started
    return report


def _table_name(list_name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", list_name)
    return "".join(word.capitalize() for word in words if word) + "View"


def _colour_variances(sheet: StreamedSheet, columns: list[Column]) -> None:
    """Colour each variance and its status cell where the status says UNFAVOURABLE."""
    last = max(sheet.row_count, 2)
    for index, column in enumerate(columns, 1):
        if not column.signed:
            continue
        value, status = get_column_letter(index), get_column_letter(index + 1)
        # The status may go on with a note ("UNFAVOURABLE: No actual entered ..."): the
        # word leads, so its first letters decide.
        word = f'LEFT(${status}2,{len(UNFAVOURABLE)})="{UNFAVOURABLE}"'
        rule = FormulaRule(formula=[word], font=BAD_FONT, fill=BAD_FILL)
        sheet.conditional_formatting.add(f"{value}2:{status}{last}", rule)


def _properties(book: Workbook, title: str, query: ListQuery, author: str) -> None:
    state = query.state
    parts = []
    if state.filter_text:
        parts.append(f"filter {state.filter_text!r}")
    if state.scope:
        parts.append("scope " + ", ".join(f"{name}={value}" for name, value in state.scope))
    sort = ", ".join(
        f"{query.definition.column(key).label}{' (descending)' if descending else ''}"
        for key, descending in query.sort
    )
    parts.append(f"sorted by {sort}")
    properties = book.properties
    properties.title = f"Portfolio: {title}"
    properties.subject = "; ".join(parts)
    properties.creator = properties.lastModifiedBy = author
    properties.created = properties.modified = dt.datetime.now(dt.UTC).replace(
        tzinfo=None, microsecond=0
    )
