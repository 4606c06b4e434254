"""Real-world sheets: odd headers, typed-in amounts and dates, title rows, other
encodings; and every kind of bad row, reported and refused as a whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from portfolio.imports.importer import ImportRefusedError, preview_import, run_import
from portfolio.imports.plan import ImportOptions
from portfolio.model import BudgetLine, Campaign, JournalEntry
from tests.workbooks.conftest import stored_line


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _snapshot(db) -> tuple:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(BudgetLine)),
            session.scalar(select(func.sum(BudgetLine.version))),
            session.scalar(select(func.sum(BudgetLine.spend_forecast))),
            session.scalar(select(func.count()).select_from(Campaign)),
            session.scalar(select(func.count()).select_from(JournalEntry)),
        )


def test_messy_csv_with_typed_amounts_and_month_spellings(book, tmp_path):
    db, client, (first, second), _ = book
    path = _csv(
        tmp_path / "forecast update.csv",
        "Forecast update from the client, November\n"
        "\n"
        f" CLIENT  name ;Program;month;Spend_Budget (USD);forecast ;Spend Actual;Notes\n"
        f"{client.lower()};{first};Jul 2026;;$1,234.50;;looks fine\n"
        f"  {client}  ;{first};08/2026;;1234;(12.00);\n"
        f'{client};{second.upper()};2026-09;;"1,000";;\n'
        ";;;;;;\n",
        encoding="cp1252",
    )
    plan = preview_import(db, path, ImportOptions(), kind="csv")
    reasons = [str(problem) for problem in plan.problems]
    assert reasons == [
        f"{path.stem}, row 5, Spend Actual: cannot be negative",
    ]
    assert any("'Notes'" in note and "ignored" in note for note in plan.notes)
    good = run_import(db, path, ImportOptions(good_rows_only=True), kind="csv")
    assert good.applied.changed == 2
    assert stored_line(db, client, first, 202607).spend_forecast == 123450
    assert stored_line(db, client, second, 202609).spend_forecast == 100000
    assert stored_line(db, client, first, 202608).spend_forecast != 123400  # refused row untouched


def test_decimal_comma_is_read_as_the_text_shows_unless_the_user_chose_a_point(book, tmp_path):
    """'1.234,50' can only mean one thing, so it is read without being told; a point
    chosen by the user refuses it; and a euro sign on a dollar client is no dollar
    amount (it was ignored, storing euros as dollars)."""
    db, client, (first, _), _ = book
    path = _csv(
        tmp_path / "eu.csv",
        f"Client;Campaign;Month;Spend forecast\n{client};{first};2026-07;1.234,50\n",
    )
    refused = preview_import(db, path, ImportOptions(decimal_comma=False), kind="csv")
    assert "choose the decimal comma" in refused.problems[0].reason
    run_import(db, path, ImportOptions(), kind="csv")
    assert stored_line(db, client, first, 202607).spend_forecast == 123450
    euros = _csv(
        tmp_path / "euros.csv",
        f"Client;Campaign;Month;Spend forecast\n{client};{first};2026-07;1.234,50 €\n",
    )
    refused = preview_import(db, euros, ImportOptions(decimal_comma=True), kind="csv")
    assert "is written in €, but the amounts here are in USD" in refused.problems[0].reason


def test_dates_that_read_two_ways_are_never_guessed(book, tmp_path):
    db, client, (first, second), _ = book
    text = "Client,Campaign,Start,End\n" + f"{client},{first},03/04/2026,05/06/2026\n"
    path = _csv(tmp_path / "dates.csv", text)
    plan = preview_import(db, path, ImportOptions(), kind="csv")
    assert len(plan.problems) == 1
    assert plan.problems[0].reason == (
        "'03/04/2026' reads two ways (day or month first): no date in the file shows "
        "which; choose the date order"
    )
    assert plan.problems[0].row == 2

    plan = preview_import(db, path, ImportOptions(date_order="dmy"), kind="csv")
    assert plan.problems == []
    (change,) = plan.changes
    assert change.values["start_date"] == dt.date(2026, 4, 3)

    shown = _csv(tmp_path / "shown.csv", text + f"{client},{second},13/04/2026,30/06/2026\n")
    plan = preview_import(db, shown, ImportOptions(), kind="csv")
    assert plan.problems == []
    assert any("read day first" in note and "13/04/2026" in note for note in plan.notes)
    starts = {change.key: change.values.get("start_date") for change in plan.changes}
    assert starts[f"{client} / {first}"] == dt.date(2026, 4, 3)

    mixed = _csv(tmp_path / "mixed.csv", text + f"{client},{second},04/13/2026,13/05/2026\n")
    plan = preview_import(db, mixed, ImportOptions(), kind="csv")
    assert any("written both ways" in problem.reason for problem in plan.problems)


def test_every_kind_of_bad_row_is_reported_and_nothing_changes(book, tmp_path):
    db, client, (first, second), euro_client = book
    sheet_rows = [
        [
            "Client",
            "Campaign",
            "Month",
            "Currency",
            "Spend budget",
            "Spend forecast",
            "Sales actual",
            "Row version",
        ],
        ["Nobody Ltd", first, "2026-07", None, 1, 1, None, None],  # 2 unknown client
        [client, "No Such Campaign", "2026-07", None, 1, 1, None, None],  # 3 unknown campaign
        [client, first, "2026-13", None, 1, 1, None, None],  # 4 no such month
        [client, first, "2026-07", None, -5, 1, None, None],  # 5 negative money
        [client, first, "2026-08", None, 12.345, 1, None, None],  # 6 too many decimals
        [client, first, "2026-09", None, "lots", 1, None, None],  # 7 not an amount
        [client, first, "2026-10", None, 1, 1, 2.5, None],  # 8 not a whole number
        [client, first, "2026-10", None, 1, 1, None, None],  # 9 same line as row 8
        [client, second, "2026-07", "EUR", 1, 1, None, None],  # 10 wrong currency
        [client, second, None, None, 1, 1, None, None],  # 11 month missing
        [client, second, "2026-08", None, 1, 1, None, "v2"],  # 12 bad version
        [euro_client, first, "2026-07", None, 1, 1, None, None],  # 13 campaign of another
        [client, second, "2026-09", None, 1, 2, None, None],  # 14 fine
    ]
    campaigns = [
        ["Client", "Campaign", "Channel", "Status", "Start", "End", "Persistency %"],
        [client, first, "Carrier pigeon", "Active", None, None, None],  # 2 bad choice
        [client, second, "Email", "Active", "2026-09-01", "2026-01-31", None],  # 3 end first
        [client, "x" * 201, "Email", "Active", None, None, None],  # 4 too long
        [client, "Brand new", "Email", None, None, None, "120"],  # 5 no status, > 100
    ]
    path = tmp_path / "bad.xlsx"
    workbook = openpyxl.Workbook()
    lines = workbook.active
    lines.title = "Budget lines"
    for row in sheet_rows:
        lines.append(row)
    sheet = workbook.create_sheet("Campaigns")
    for row in campaigns:
        sheet.append(row)
    workbook.save(path)
    before = _snapshot(db)

    with pytest.raises(ImportRefusedError) as refused:
        run_import(db, path, ImportOptions())
    plan = refused.value.plan
    found = {(p.sheet, p.row, p.column): p.reason for p in plan.problems}
    expected = {
        ("Budget lines", 2, "Client"): "no client named 'Nobody Ltd'",
        ("Budget lines", 3, "Campaign"): "has no campaign named 'No Such Campaign'",
        ("Budget lines", 4, "Month"): "'2026-13' is not a month",
        ("Budget lines", 5, "Spend budget"): "cannot be negative",
        ("Budget lines", 6, "Spend budget"): "more than 2 decimals for USD",
        ("Budget lines", 7, "Spend budget"): "'lots' is not an amount",
        ("Budget lines", 8, "Sales actual"): "2.5 is not a whole number",
        ("Budget lines", 9, None): "the same budget line as Budget lines row 8",
        ("Budget lines", 10, "Currency"): "amounts are in EUR but",
        ("Budget lines", 11, "Month"): "is required",
        ("Budget lines", 12, "Row version"): "is not a row version number",
        ("Budget lines", 13, "Campaign"): "has no campaign named",
        ("Campaigns", 2, "Channel"): "'Carrier pigeon' is not one of",
        ("Campaigns", 3, "End"): "is before the start",
        ("Campaigns", 4, "Campaign"): "is 201 characters long; the most is 200",
        ("Campaigns", 5, "Status"): "is required",
        ("Campaigns", 5, "Persistency %"): "must be at most 100",
    }
    for where, reason in expected.items():
        assert where in found, f"{where} not reported; got {sorted(found)}"
        assert reason in found[where], (where, found[where])
    assert len({(p.sheet, p.row) for p in plan.problems}) == 16
    assert "16 row(s) of bad.xlsx were refused; nothing was imported" in str(refused.value)
    assert _snapshot(db) == before

    good = run_import(db, path, ImportOptions(good_rows_only=True))
    assert good.applied.changed == 1 and good.applied.added == 0
    assert stored_line(db, client, second, 202609).spend_forecast == 200


def test_a_title_row_above_the_header_and_blank_rows_are_fine(book, tmp_path):
    db, client, (first, _), _ = book
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Q3 update"
    sheet.append(["Forecast update, Q3"])
    sheet.append([])
    sheet.append(["Client", "Campaign", "Month", "Forecast"])
    sheet.append([client, first, dt.datetime(2026, 7, 1), 777])
    sheet.append([])
    sheet.append([client, first, dt.datetime(2026, 8, 1), 888])
    path = tmp_path / "titled.xlsx"
    workbook.save(path)
    plan = preview_import(db, path, ImportOptions())
    assert plan.problems == [] and plan.changed == 2
    assert [change.row for change in plan.changes] == [4, 6]


def test_rows_of_a_new_client_wait_for_its_dates_order(book, tmp_path):
    db, _, _, _ = book
    with db.session() as session:
        from portfolio.model import TeamMember

        director = session.scalar(
            select(TeamMember.name).where(TeamMember.role == "account_director").limit(1)
        )

    def workbook(end: str) -> Path:
        book = openpyxl.Workbook()
        clients = book.active
        clients.title = "Clients"
        clients.append(
            ["Client", "Vertical", "Status", "Director", "Pricing model", "Currency"]
            + ["Contract start", "Contract end"]
        )
        clients.append(
            ["Orion Health", "Healthcare benefits", "Onboarding", director, "Fixed fee", "USD"]
            + ["03/04/2026", end]
        )
        campaigns = book.create_sheet("Campaigns")
        campaigns.append(["Client", "Campaign", "Channel", "Status"])
        campaigns.append(["Orion Health", "Open Enrollment", "Direct mail", "Planned"])
        path = tmp_path / f"orion-{end.replace('/', '')}.xlsx"
        book.save(path)
        return path

    plan = preview_import(db, workbook("02/04/2029"), ImportOptions())
    reasons = {(p.sheet, p.row): p.reason for p in plan.problems}
    assert reasons[("Clients", 2)].startswith("'03/04/2026' reads two ways")
    assert reasons[("Campaigns", 2)].startswith(
        "belongs to client 'Orion Health', which has a date that reads two ways"
    )
    plan = preview_import(db, workbook("30/04/2029"), ImportOptions())
    assert plan.problems == [] and plan.added == 2
    client = next(change for change in plan.changes if change.entity == "client")
    assert client.values["contract_start"] == dt.date(2026, 4, 3)
