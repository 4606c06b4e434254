"""Edit-in-a-spreadsheet round trips: export, change cells and add rows, import back,
undo; conflicts with edits made in Portfolio meanwhile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from portfolio.editing import create, update
from portfolio.errors import ConflictError
from portfolio.exports.request import workbook_request
from portfolio.exports.workbook import export_workbook
from portfolio.imports.importer import preview_import, run_import, undo_import
from portfolio.imports.plan import ImportOptions
from portfolio.imports.undo import NothingToUndoError
from portfolio.model import BudgetLine, Campaign, Client, ClientRequest, JournalEntry
from portfolio.money import from_minor
from tests.conftest import AS_OF, TODAY
from tests.workbooks.libreoffice import resaved_xlsx

OPTIONS = ImportOptions()
LINES = "Budget lines"


def _first_client(session) -> Client:
    return session.scalar(select(Client).order_by(Client.name).limit(1))


def _lines(db, client_name: str) -> dict[tuple[str, int], dict]:
    """Every budget line of a client: (campaign, month) -> its stored values."""
    with db.session() as session:
        rows = session.execute(
            select(Campaign.name, BudgetLine)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == client_name)
        ).all()
        return {
            (name, line.month): {
                column: getattr(line, column)
                for column in BudgetLine.__table__.c.keys()
                if column not in ("id",)
            }
            for name, line in rows
        }


def _export_client(db, path, name: str) -> None:
    with db.session() as session:
        request = workbook_request(session, as_of=AS_OF, today=TODAY, client=name, period="all")
    export_workbook(db, path, request)


def _edit(path, out) -> dict:
    """Change a forecast and an actual, add a line for a new month; say what changed."""
    book = openpyxl.load_workbook(path)
    sheet = book[LINES]
    header = [cell.value for cell in sheet[1]]
    column = {name: index for index, name in enumerate(header)}
    first, second = list(sheet.iter_rows(min_row=2, max_row=3))
    first[column["Spend forecast"]].value = first[column["Spend forecast"]].value + 250.25
    second[column["Spend actual"]].value = 4321.09
    new = [None] * len(header)
    new[column["Client"]] = first[column["Client"]].value
    new[column["Campaign"]] = first[column["Campaign"]].value
    new[column["Month"]] = dt.datetime(2027, 3, 1)
    new[column["Spend budget"]] = 1500
    new[column["Revenue budget"]] = 2500.5
    sheet.append(new)
    book.save(out)
    month = lambda cell: cell.value.year * 100 + cell.value.month  # noqa: E731
    return {
        "forecast": (first[column["Campaign"]].value, month(first[column["Month"]])),
        "actual": (second[column["Campaign"]].value, month(second[column["Month"]])),
        "added": (first[column["Campaign"]].value, 202703),
    }


def test_a_spreadsheet_round_trip_applies_exactly_the_edits_and_undoes(demo, tmp_path):
    with demo.session() as session:
        client = _first_client(session)
        name, currency = client.name, client.currency
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(demo, exported, name)
    before = _lines(demo, name)
    where = _edit(exported, edited)

    plan = preview_import(demo, edited, OPTIONS)
    assert plan.problems == [] and plan.conflicts == []
    lines = plan.counts["budget_line"]
    assert (lines.added, lines.changed, lines.unchanged) == (1, 2, len(before) - 2)
    assert plan.counts["client"].unchanged == 1 and plan.counts["client"].changed == 0
    assert _lines(demo, name) == before  # a preview writes nothing

    result = run_import(demo, edited, OPTIONS)
    assert (result.applied.added, result.applied.changed) == (1, 2)
    after = _lines(demo, name)
    forecast, actual, added = where["forecast"], where["actual"], where["added"]
    assert from_minor(after[forecast]["spend_forecast"], currency) == from_minor(
        before[forecast]["spend_forecast"], currency
    ) + Decimal("250.25")
    assert from_minor(after[actual]["spend_actual"], currency) == Decimal("4321.09")
    assert after[added]["spend_budget"] == 150000 and after[added]["spend_forecast"] == 150000
    assert after[added]["revenue_budget"] == 250050 and after[added]["spend_actual"] is None
    untouched = set(before) - {forecast, actual}
    assert all(after[key] == before[key] for key in untouched)
    assert after[forecast]["version"] == before[forecast]["version"] + 1

    again = run_import(demo, edited, OPTIONS)
    assert again.applied is None and again.plan.changed == again.plan.added == 0

    undone = undo_import(demo)
    assert (undone.removed, undone.restored) == (1, 2)
    restored = _lines(demo, name)
    assert set(restored) == set(before)
    for key, values in before.items():
        bumped = {**values, "version": restored[key]["version"]}
        assert restored[key] == bumped
    with pytest.raises(NothingToUndoError):
        undo_import(demo)


def test_rows_changed_in_portfolio_since_the_export_are_conflicts(demo_sqlite, tmp_path):
    db = demo_sqlite
    with db.session() as session:
        name = _first_client(session).name
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(db, exported, name)
    where = _edit(exported, edited)
    campaign, month = where["forecast"]
    with db.transaction() as session:  # someone re-forecasts the same line meanwhile
        line_id = session.scalar(
            select(BudgetLine.id)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == name, Campaign.name == campaign, BudgetLine.month == month)
        )
        update(session, "budget_line", line_id, {"spend_forecast": "99.99"})

    result = run_import(db, edited, OPTIONS)
    assert [conflict.key.split(" / ")[1] for conflict in result.plan.conflicts] == [campaign]
    assert "changed in Portfolio since the file was exported" in result.plan.conflicts[0].reason
    assert (result.applied.added, result.applied.changed) == (1, 1)
    assert _lines(db, name)[(campaign, month)]["spend_forecast"] == 9999  # not overwritten


def _line_of(db, name: str, campaign: str, month: int) -> int:
    with db.session() as session:
        return session.scalar(
            select(BudgetLine.id)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == name, Campaign.name == campaign, BudgetLine.month == month)
        )


@pytest.mark.parametrize("same_field", [True, False])
def test_a_row_a_colleague_changed_since_the_export_merges_field_by_field(
    demo, tmp_path, same_field
):
    """Issue 9: the workbook path too merges what nobody else touched; a field changed
    in the file and by a colleague is a conflict naming the field and who."""
    from portfolio.actions import Action, Edit, perform
    from portfolio.storage import open_database
    from tests.core.test_journal import target_of

    with demo.session() as session:
        name = _first_client(session).name
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(demo, exported, name)
    where = _edit(exported, edited)
    campaign, month = where["forecast"]
    line_id = _line_of(demo, name, campaign, month)
    colleague = open_database(target_of(demo), user="Hannah O'Neill")
    field = "spend_forecast" if same_field else "revenue_forecast"
    perform(colleague, Action("Edit", (Edit("budget_line", line_id, {field: "99.99"}),)))
    colleague.close()
    from_file = _lines(demo, name)[(campaign, month)]

    result = run_import(demo, edited, OPTIONS)
    after = _lines(demo, name)[(campaign, month)]
    if same_field:
        [conflict] = result.plan.conflicts
        assert conflict.reason.startswith("Spend forecast was changed in Portfolio by Hannah")
        assert after["spend_forecast"] == 9999  # theirs, not overwritten
    else:
        assert not result.plan.conflicts
        assert after["revenue_forecast"] == 9999  # the colleague's change stays
        assert after["spend_forecast"] != from_file["spend_forecast"]  # the file's edit


def test_a_preview_is_not_applied_once_the_data_moved_on(demo_sqlite, tmp_path):
    db = demo_sqlite
    with db.session() as session:
        name = _first_client(session).name
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(db, exported, name)
    where = _edit(exported, edited)
    preview = preview_import(db, edited, OPTIONS)
    campaign, month = where["actual"]
    with db.transaction() as session:
        line = session.scalar(
            select(BudgetLine)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == name, Campaign.name == campaign, BudgetLine.month == month)
        )
        update(session, "budget_line", line.id, {"spend_actual": "1.00"})
    with pytest.raises(ConflictError, match="changed since the preview"):
        run_import(db, edited, OPTIONS, expected=preview)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_new_clients_campaigns_and_lines_in_one_file_and_undo_guard(demo_sqlite, tmp_path):
    db = demo_sqlite
    with db.session() as session:
        director = session.scalar(select(Client.director_id).order_by(Client.name).limit(1))
        from portfolio.model import TeamMember

        director_name = session.get(TeamMember, director).name
    book = openpyxl.Workbook()
    clients = book.active
    clients.title = "Clients"
    clients.append(
        ["Client", "Vertical", "Status", "Account director", "Pricing model", "Currency"]
    )
    clients.append(["Nova Mutual", "Insurance", "Active", director_name, "Per sale", "EUR"])
    campaigns = book.create_sheet("Campaigns")
    campaigns.append(["Client", "Campaign", "Channel", "Status", "Start"])
    campaigns.append(["nova mutual", "Launch", "Email", "Planned", dt.datetime(2026, 12, 1)])
    lines = book.create_sheet("Budget lines")
    lines.append(["Client", "Campaign", "Month", "Spend budget", "Spend forecast"])
    lines.append(["Nova Mutual", "launch", "Dec 2026", "1.234,50", None])
    lines.append(["Nova Mutual", "Launch", "2027-01", 800, 900])
    path = tmp_path / "new.xlsx"
    book.save(path)

    result = run_import(db, path, ImportOptions(decimal_comma=True))
    assert [(c.entity, c.is_added) for c in result.plan.changes] == [
        ("client", True),
        ("campaign", True),
        ("budget_line", True),
        ("budget_line", True),
    ]
    assert _lines(db, "Nova Mutual")[("Launch", 202612)]["spend_forecast"] == 123450

    with db.transaction() as session:  # a request logged for the new client afterwards
        client_id = session.scalar(select(Client.id).where(Client.name == "Nova Mutual"))
        create(
            session,
            "client_request",
            {
                "client_id": client_id,
                "category": "billing",
                "priority": "normal",
                "subject": "Invoice address",
                "status": "open",
                "opened_at": dt.datetime(2026, 11, 20, 9, 0),
            },
        )
    with pytest.raises(ConflictError, match="Nova Mutual has 1 request added since"):
        undo_import(db)
    assert _lines(db, "Nova Mutual")  # nothing was undone
    with db.transaction() as session:
        session.execute(ClientRequest.__table__.delete())
    undone = undo_import(db)
    assert undone.removed == 4
    with db.session() as session:
        assert session.scalar(select(Client).where(Client.name == "Nova Mutual")) is None


def test_a_round_trip_through_libreoffice(demo_file, tmp_path):
    """Edited with openpyxl, then opened and saved by LibreOffice, as a user would."""
    from portfolio.storage import open_database
    from tests.conftest import copy_demo

    db = open_database(copy_demo(demo_file, tmp_path / "demo.sqlite3"))
    with db.session() as session:
        name = _first_client(session).name
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(db, exported, name)
    _edit(exported, edited)
    saved = resaved_xlsx(edited, tmp_path / "libreoffice")
    plan = preview_import(db, saved, OPTIONS)
    assert plan.problems == [] and plan.conflicts == []
    assert (plan.counts["budget_line"].added, plan.counts["budget_line"].changed) == (1, 2)
    assert plan.counts["campaign"].changed == plan.counts["client"].changed == 0
    db.close()


def test_cancelling_an_import_changes_nothing(demo_sqlite, tmp_path):
    from portfolio.jobs import Cancelled, Job

    db = demo_sqlite
    with db.session() as session:
        name = _first_client(session).name
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(db, exported, name)
    _edit(exported, edited)
    before = _lines(db, name)

    def on_progress(fraction: float, message: str) -> None:
        if message.startswith("Applying"):
            job.cancel()

    job = Job(on_progress)
    with pytest.raises(Cancelled):
        run_import(db, edited, OPTIONS, job)
    assert _lines(db, name) == before
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 0
