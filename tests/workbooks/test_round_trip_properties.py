"""Faithful round trips, over many generated values (Hypothesis): any value the
portfolio can hold, written by the export's cell encoders into a real .xlsx file and
read back by the import's reader and the core's parsers, is the value stored. Then
the same for a whole portfolio: export, re-import, nothing changes."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from portfolio.editing import create, entity
from portfolio.editing.fields import MAX_CELL_TEXT, parse_money, parse_plain
from portfolio.errors import ValidationError
from portfolio.exports.cells import Column
from portfolio.exports.request import workbook_request
from portfolio.exports.streamed_sheet import StreamedSheet
from portfolio.exports.workbook import export_workbook
from portfolio.imports.importer import preview_import, run_import
from portfolio.imports.plan import ImportOptions
from portfolio.imports.sources import open_source
from portfolio.imports.values import read_temporal
from portfolio.model import Client, TeamMember
from tests.conftest import AS_OF, TODAY

NOTES = entity("client").field("notes")
NAME = entity("client").field("name")
START = entity("client").field("contract_start")
MONTH = entity("budget_line").field("month")
OPENED = entity("client_request").field("opened_at")
SPEND = entity("budget_line").field("spend_actual")


def _write_and_read(columns: list[Column], rows: list[list]) -> list[tuple]:
    """``rows`` written as the export writes them, read back as the import reads them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cells.xlsx"
        book = openpyxl.Workbook(write_only=True)
        sheet = StreamedSheet(book, "Cells")
        book._add_sheet(sheet)
        sheet.write(sheet.encoder(columns), rows)
        book.save(path)
        with open_source(path, "xlsx") as source:
            return [values for _, values in source.sheets[0].rows()]


def _stored_text(kind_spec, text: str) -> str | None:
    """What entry stores for ``text``, or None if entry refuses it."""
    try:
        return parse_plain(kind_spec, text)
    except ValidationError:
        return None


any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60
) | st.sampled_from(
    [
        "_x0041_ is not A",
        "_x005F_x0041_",
        "\rcarriage return first",
        "line\r\nbreaks\n\tand tabs",
        "  spaced  ",
        '=HYPERLINK("x")',
        "emoji 🧾 and RTL عربى and e\u0301",
        "\ufeffBOM first",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(any_text, min_size=1, max_size=8))
def test_any_stored_text_survives_export_and_reimport(texts):
    stored = [
        (_stored_text(NOTES, text), _stored_text(NAME, text.replace("\n", " ")[:200]))
        for text in texts
    ]
    stored = [pair for pair in stored if pair[0] is not None and pair[1] is not None]
    if not stored:
        return
    back = _write_and_read([Column("Notes"), Column("Name")], [list(pair) for pair in stored])
    for (notes, name), values in zip(stored, back, strict=True):
        assert parse_plain(NOTES, values[0]) == notes
        assert parse_plain(NAME, values[1]) == name


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minors=st.lists(
        st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), min_size=1, max_size=10
    ),
    currency=st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLF"]),
)
def test_any_amount_survives_export_and_reimport(minors, currency):
    back = _write_and_read(
        [Column("Currency"), Column("Amount", "money", currency=0)],
        [[currency, minor] for minor in minors],
    )
    for minor, values in zip(minors, back, strict=True):
        assert parse_money(values[1], currency, SPEND) == minor


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days=st.lists(st.dates(), min_size=1, max_size=6),
    months=st.lists(st.integers(min_value=1900, max_value=2999), min_size=1, max_size=6),
    moments=st.lists(
        st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
        min_size=1,
        max_size=6,
    ),
    data=st.data(),
)
def test_any_date_month_and_time_survives_export_and_reimport(days, months, moments, data):
    """Old dates included: before 1900-03-01 Excel shows a serial a day off (its 29
    February 1900 never was) or cannot show it; those are written as ISO text."""
    months = [year * 100 + data.draw(st.integers(1, 12)) for year in months]
    moments = [moment.replace(microsecond=0) for moment in moments]
    count = min(len(days), len(months), len(moments))
    rows = [[days[i], months[i], moments[i]] for i in range(count)]
    columns = [Column("Day", "date"), Column("Month", "month"), Column("When", "datetime")]
    for row, values in zip(rows, _write_and_read(columns, rows), strict=True):
        assert parse_plain(START, read_temporal(values[0], START, None)) == row[0]
        assert parse_plain(MONTH, read_temporal(values[1], MONTH, None)) == row[1]
        assert parse_plain(OPENED, read_temporal(values[2], OPENED, None)) == row[2]


def test_an_unchanged_workbook_with_unusual_values_reimports_as_no_change(demo, tmp_path):
    """Export then re-import changes nothing, for values at the edges of what the
    portfolio holds: text Excel would misread, an old contract date, the most notes a
    cell holds, and (older data, stored before entry refused it) notes longer than a
    cell, which the export cuts and marks and the import leaves whole."""
    with demo.transaction() as session:
        director = session.scalar(
            select(TeamMember.name).where(TeamMember.role == "account_director").limit(1)
        )
        values = {
            "vertical": "retail",
            "status": "active",
            "director_id": director,
            "pricing_model": "fixed_fee",
            "currency": "KWD",
        }
        create(
            session,
            "client",
            {
                **values,
                "name": "_x0041_ Ünïcödé \u00a0 Co 🧾",
                "notes": "line\r\n\tsecond _x000D_ =1+1",
                "contract_start": dt.date(1899, 12, 31),
                "contract_end": dt.date(1900, 2, 28),
            },
        )
        create(session, "client", {**values, "name": "Full Cell", "notes": "n" * MAX_CELL_TEXT})
        old = create(session, "client", {**values, "name": "Older Notes", "notes": "short"})
        session.flush()
        session.execute(update(Client).where(Client.id == old.id).values(notes="o" * 40_000))
    path = tmp_path / "book.xlsx"
    with demo.session() as session:
        request = workbook_request(session, as_of=AS_OF, today=TODAY, period="all")
    export_workbook(demo, path, request)

    plan = preview_import(demo, path, ImportOptions())
    assert plan.problems == [] and plan.conflicts == []
    assert plan.added == 0 and plan.changed == 0
    assert any("the export cut this text" in note for note in plan.notes)
    assert run_import(demo, path, ImportOptions()).applied is None
    with demo.session() as session:
        notes = dict(session.execute(select(Client.name, Client.notes)).all())
        start = session.scalar(select(Client.contract_start).where(Client.name.like("_x0041_%")))
    assert notes["Older Notes"] == "o" * 40_000
    assert notes["Full Cell"] == "n" * MAX_CELL_TEXT
    assert notes["_x0041_ Ünïcödé Co 🧾"] == "line\r\n\tsecond _x000D_ =1+1"
    assert start == dt.date(1899, 12, 31)
