"""Workbooks built once per session: the demo book plus clients with hostile names.

Exporting takes about a second and LibreOffice several, so the exported workbook and
LibreOffice's recalculation of it are session fixtures that many tests read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portfolio.editing import create
from portfolio.exports.request import workbook_request
from portfolio.exports.workbook import WorkbookReport, export_workbook
from portfolio.model import BudgetLine, Campaign, Client, TeamMember
from portfolio.storage import open_database
from tests.conftest import AS_OF, TODAY
from tests.workbooks.libreoffice import recalculated_sheets

#: Client names a spreadsheet would evaluate if they were not written as text.
HOSTILE_NAMES = (
    '=HYPERLINK("http://example.com/x","click me")',
    "=1+1",
    "+44 Holdings",
    "-Minus Insurance",
    "@SUM(A1:A9)",
    "#N/A",
    "<b>Tags & Co</b>",
)
#: Text that only survives if leading control characters are written faithfully.
HOSTILE_NOTES = "\tTabbed =cmd|' /C calc'!A0"
HOSTILE_TERMS = "\rCarriage return first"
TAB_NAME = "\tTab Leading Ltd"


def add_hostile_clients(path: Path) -> None:
    """Clients (with a campaign and budget lines) whose text must stay inert."""
    db = open_database(path)
    with db.transaction() as session:
        director = session.scalar(
            select(TeamMember.name).where(TeamMember.role == "account_director").limit(1)
        )
        for index, name in enumerate(HOSTILE_NAMES):
            client = create(
                session,
                "client",
                {
                    "name": name,
                    "vertical": "retail",
                    "status": "active",
                    "director_id": director,
                    "pricing_model": "fixed_fee",
                    "currency": "USD",
                    "notes": HOSTILE_NOTES,
                    "compensation_terms": HOSTILE_TERMS,
                },
            )
            campaign = create(
                session,
                "campaign",
                {
                    "client_id": client.id,
                    "name": f"=SUM({index},1)",
                    "channel": "email",
                    "status": "active",
                },
            )
            for month in (202609, 202610, 202611):
                create(
                    session,
                    "budget_line",
                    {
                        "campaign_id": campaign.id,
                        "month": month,
                        "spend_budget": "1000.10",
                        "spend_actual": "1200.05" if month <= AS_OF else None,
                        "revenue_budget": "5000",
                    },
                )
        # The editing layer trims names; a database can still hold one (older data,
        # another tool), and the export must carry it exactly.
        tabbed = session.scalar(select(Client).where(Client.name == HOSTILE_NAMES[2]))
        tabbed.name = TAB_NAME
    db.close()


@pytest.fixture(scope="session")
def workbook_db(demo_file: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("workbook_db") / "book.sqlite3"
    shutil.copyfile(demo_file, path)
    add_hostile_clients(path)
    return path


@pytest.fixture(scope="session")
def exported(workbook_db: Path, tmp_path_factory) -> tuple[Path, WorkbookReport]:
    """The whole book, every month, as a workbook."""
    target = tmp_path_factory.mktemp("exported") / "book.xlsx"
    db = open_database(workbook_db)
    with db.session() as session:
        request = workbook_request(session, as_of=AS_OF, today=TODAY, period="all")
    report = export_workbook(db, target, request)
    db.close()
    return target, report


@pytest.fixture(scope="session")
def recalculated(exported, tmp_path_factory) -> dict[str, list[list[str]]]:
    """Every sheet as LibreOffice computes it (formulas recalculated), as CSV rows."""
    path, _ = exported
    return recalculated_sheets(path, tmp_path_factory.mktemp("recalculated"))


@pytest.fixture
def book(demo_sqlite):
    """The demo, and a USD client with two campaigns that have lines Jul-Oct 2026."""
    with demo_sqlite.session() as session:
        client = session.scalar(
            select(Client).where(Client.currency == "USD").order_by(Client.name).limit(1)
        )
        campaigns = session.scalars(
            select(Campaign.name)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(Campaign.client_id == client.id, BudgetLine.month.between(202607, 202610))
            .group_by(Campaign.id, Campaign.name)
            .having(func.count() == 4)
            .order_by(Campaign.name)
            .limit(2)
        ).all()
        assert len(campaigns) == 2
        other = session.scalar(
            select(Client.name).where(Client.currency == "EUR").order_by(Client.name).limit(1)
        )
    return demo_sqlite, client.name, campaigns, other


def stored_line(db, client: str, campaign: str, month: int) -> BudgetLine | None:
    """The stored budget line of a client's campaign and month, or None."""
    with db.session() as session:
        return session.scalar(
            select(BudgetLine)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == client, Campaign.name == campaign, BudgetLine.month == month)
        )
