"""The exported workbook read back with openpyxl: sheets, values, types, formats, formulas."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest
from sqlalchemy import func, select

from portfolio.analytics.variance import variance_rollup
from portfolio.exports import formats, records
from portfolio.exports.request import workbook_request
from portfolio.exports.variance_sheet import AS_OF_NAME, COLUMNS
from portfolio.model import Client
from portfolio.money import from_minor
from portfolio.periods import Period
from portfolio.storage import open_database
from tests.conftest import AS_OF, TODAY
from tests.workbooks.conftest import HOSTILE_NAMES, HOSTILE_NOTES, HOSTILE_TERMS, TAB_NAME
from tests.workbooks.package_checks import check_package

SHEETS = [
    "Summary",
    "Variance",
    "Budget lines",
    "Clients",
    "Campaigns",
    "Requests",
    "Opportunities",
    "Deadlines",
]


@pytest.fixture(scope="module")
def book(exported):
    path, _ = exported
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def cached(exported):
    """The same workbook as a viewer that never recalculates sees it."""
    path, _ = exported
    return openpyxl.load_workbook(path, data_only=True, read_only=True)


def money(value) -> Decimal:
    """A spreadsheet number as the exact amount it stands for (to 4 places)."""
    return Decimal(repr(value)).quantize(Decimal("0.0001"))


def test_sheets_tables_and_frozen_headers(book, exported):
    assert book.sheetnames == SHEETS
    tables = check_package(exported[0])
    assert tables["Budget lines"] == ["BudgetLinesTable"]
    for spec in records.RECORD_SHEETS:
        sheet = book[spec.title]
        assert list(sheet.tables) == [spec.table]
        table = sheet.tables[spec.table]
        assert [column.name for column in table.tableColumns] == spec.headers
        assert table.ref == f"A1:{sheet.cell(1, len(spec.headers)).column_letter}{sheet.max_row}"
        assert table.autoFilter.ref == table.ref
        assert sheet.freeze_panes == spec.freeze
        assert [cell.value for cell in sheet[1]] == spec.headers
        assert sheet.cell(1, 1).font.b
    assert book["Variance"].freeze_panes == "E2"
    assert book["Variance"].auto_filter.ref.startswith("A1:S")
    widths = book["Budget lines"].column_dimensions
    assert widths["A"].width >= 20 and widths["C"].width >= 10


def test_budget_lines_are_the_database_figures_as_numbers(workbook_db, exported):
    path, report = exported
    db = open_database(workbook_db)
    with db.session() as session:
        request = workbook_request(session, as_of=AS_OF, today=TODAY, period="all")
        expected = session.execute(records.budget_lines_query(request)).all()
    db.close()
    sheet = openpyxl.load_workbook(path, read_only=True)["Budget lines"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert report.rows["Budget lines"] == len(rows) == len(expected) > 7000
    money_columns = range(4, 10)
    for got, want in zip(rows, expected, strict=True):
        client, campaign, month, currency = want[:4]
        assert got[:4] == (client, campaign, dt.datetime(month // 100, month % 100, 1), currency)
        for index in money_columns:
            if want[index] is None:
                assert got[index] is None
            else:
                assert isinstance(got[index], float | int)
                assert money(got[index]) == from_minor(want[index], currency)
        assert got[10:15] == tuple(want[10:15])
        assert got[-1] == want[-1]  # the row version


def test_money_formats_follow_each_clients_currency(book):
    sheet = book["Budget lines"]
    seen: dict[str, str] = {}
    for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        seen.setdefault(row[3].value, row[4].number_format)
        assert row[2].number_format == formats.MONTH
        assert row[2].is_date
    assert seen["USD"] == "[$$-409]#,##0.00"
    assert seen["EUR"] == "#,##0.00 [$€-1]"
    assert seen["JPY"] == "[$¥-411]#,##0"  # yen have no minor unit
    assert set(seen) >= {"USD", "EUR", "GBP", "JPY", "PLN"}
    starts = [row[5] for row in book["Clients"].iter_rows(min_row=2) if row[5].value is not None]
    assert starts and all(c.is_date and c.number_format == formats.DATE for c in starts)


def test_variance_sheet_has_live_formulas_and_their_results(book, cached, workbook_db):
    sheet = book["Variance"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert sheet["H2"].value == f"=IF($D2<={AS_OF_NAME},N(G2),F2)"
    assert sheet["I2"].value == "=H2-E2"
    assert sheet["J2"].value == '=IF(E2=0,"",I2/E2)'
    assert sheet["K2"].value == '=IF(I2>0,"UNFAVOURABLE","favourable")'
    assert sheet["R2"].value == '=IF(P2<0,"UNFAVOURABLE","favourable")'
    assert sheet["I2"].number_format.startswith("+")

    db = open_database(workbook_db)
    with db.session() as session:
        period = Period(202501, 202612, "all")
        spend = variance_rollup(session, by=("client", "month"), period=period, as_of=AS_OF)
        revenue = variance_rollup(
            session, by=("client", "month"), period=period, as_of=AS_OF, measure_name="revenue"
        )
    db.close()
    want = {(row.labels[0], row.labels[1]): row for row in spend.rows}
    want_revenue = {(row.labels[0], row.labels[1]): row for row in revenue.rows}
    rows = list(cached["Variance"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(want)
    for row in rows:
        key = (row[0], row[3].year * 100 + row[3].month)
        for offset, figures in ((4, want[key]), (11, want_revenue[key])):
            budget, forecast, actual, outlook, variance, pct, status = row[offset : offset + 7]
            currency = figures.currency
            assert money(budget) == from_minor(figures.budget, currency)
            assert money(outlook) == from_minor(figures.outlook, currency)
            assert money(variance) == from_minor(figures.variance, currency)
            if key[1] > AS_OF:
                assert actual is None and money(outlook) == money(forecast)
            if figures.variance_pct is None:
                assert pct in (None, "")
            else:
                assert Decimal(repr(pct * 100)).quantize(Decimal("0.01")) == figures.variance_pct
            assert status == ("favourable" if figures.favourable else "UNFAVOURABLE")


def test_unfavourable_variances_are_coloured_and_worded(book):
    rules = book["Variance"].conditional_formatting
    by_range = {str(entry.sqref): [rule.formula for rule in entry.rules] for entry in rules}
    spend = next(formulas for sqref, formulas in by_range.items() if sqref.startswith("I2:"))
    revenue = next(formulas for sqref, formulas in by_range.items() if sqref.startswith("P2:"))
    assert spend == [["$I2>0"]] and revenue == [["$P2<0"]]
    summary = book["Summary"]
    assert any(
        "UNFAVOURABLE" in str(rule.formula)
        for entry in summary.conditional_formatting
        for rule in entry.rules
    )
    words = {cell.value for row in summary.iter_rows() for cell in row}
    assert "UNFAVOURABLE" in words


def test_summary_names_the_as_of_month_and_charts_budget_against_actual(book, exported):
    defined = book.defined_names[AS_OF_NAME]
    assert defined.attr_text == "'Summary'!$B$4"
    assert book["Summary"]["B4"].value == dt.datetime(2026, 10, 1)
    assert book["Summary"]["A1"].value == "Portfolio workbook: Whole book"
    with zipfile.ZipFile(exported[0]) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = ElementTree.fromstring(archive.read(charts[0]))
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    bars = chart.findall(".//c:barChart/c:ser", ns)
    titles = [s.find("c:tx/c:strRef/c:f", ns).text for s in bars]
    values = [s.find("c:val/c:numRef/c:f", ns).text for s in bars]
    assert len(bars) == 3 and all(re.match(r"'?Summary'?!", t) for t in titles + values)
    words = [t.text for t in chart.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}t")]
    assert words == ["Spend: budget vs actual by month (USD)", "USD"]  # chart and axis titles


def test_workbook_recalculates_on_load_and_has_properties(book):
    assert book.calculation.fullCalcOnLoad
    assert book.properties.title == "Portfolio: Whole book, Jan 2025 to Dec 2026"
    assert book.properties.creator
    assert book.properties.created.date() == dt.datetime.now(dt.UTC).date()


def test_user_text_is_written_as_inert_text(book):
    clients = book["Clients"]
    cells = {row[0].value: row for row in clients.iter_rows(min_row=2)}
    for name in (*HOSTILE_NAMES[:2], *HOSTILE_NAMES[3:], TAB_NAME):
        assert name in cells, name
        row = cells[name]
        assert row[0].data_type == "s"  # a string, not a formula ("f") or error ("e")
        assert row[12].value == HOSTILE_NOTES and row[12].data_type == "s"
        assert row[9].value == HOSTILE_TERMS
    campaigns = {cell.value for cell in book["Campaigns"]["B"]}
    assert "=SUM(0,1)" in campaigns
    formulas = [
        cell.coordinate
        for sheet in ("Clients", "Campaigns", "Budget lines")
        for row in book[sheet].iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_only_the_variance_sheet_holds_formulas(book):
    def formulas(title: str) -> int:
        return sum(1 for row in book[title].iter_rows() for cell in row if cell.data_type == "f")

    assert formulas("Summary") == 0
    # Outlook, variance, variance % and status, for spend and for revenue.
    assert formulas("Variance") == 8 * (book["Variance"].max_row - 1)


def test_client_count_matches(book, workbook_db):
    db = open_database(workbook_db)
    with db.session() as session:
        clients = session.scalar(select(func.count()).select_from(Client))
    db.close()
    assert book["Clients"].max_row - 1 == clients


def test_summary_rollups_equal_the_cores_own(cached, workbook_db):
    rows = [tuple(row) + (None,) * 11 for row in cached["Summary"].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == "By account director")
    db = open_database(workbook_db)
    with db.session() as session:
        for measure, offset in (("spend", 1), ("revenue", 6)):
            rollup = variance_rollup(
                session,
                by=("director",),
                period=Period(202501, 202612, "all"),
                as_of=AS_OF,
                measure_name=measure,
                currency="USD",
            )
            want = {row.labels[0]: row for row in rollup.rows}
            got = {row[0]: row for row in rows[start + 1 : start + 1 + len(want)]}
            assert set(got) == set(want)
            for name, row in want.items():
                budget, outlook, variance = got[name][offset : offset + 3]
                assert money(budget) == from_minor(row.budget, "USD")
                assert money(outlook) == from_minor(row.outlook, "USD")
                assert money(variance) == from_minor(row.variance, "USD")
                assert got[name][offset + 4] == ("favourable" if row.favourable else "UNFAVOURABLE")
            total = rows[start + 1 + len(want)]
            assert total[0] == "Total"
            assert money(total[offset]) == from_minor(rollup.totals[0].budget, "USD")
    db.close()
