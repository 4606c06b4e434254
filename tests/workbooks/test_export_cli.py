"""``portfolio export xlsx`` from the command line, and the export on both backends."""

from __future__ import annotations

import openpyxl
from sqlalchemy import func, select

from portfolio.cli import main
from portfolio.exports.request import workbook_request
from portfolio.exports.workbook import export_workbook
from portfolio.model import BudgetLine, Campaign, Client, TeamMember
from tests.conftest import AS_OF, TODAY


def _director_with_clients(session) -> tuple[str, set[str]]:
    director = session.scalar(
        select(TeamMember).where(TeamMember.role == "account_director").order_by(TeamMember.name)
    )
    clients = set(session.scalars(select(Client.name).where(Client.director_id == director.id)))
    return director.name, clients


def test_a_directors_book_from_the_command_line(demo_sqlite, tmp_path, capsys):
    with demo_sqlite.session() as session:
        director, clients = _director_with_clients(session)
    out = tmp_path / "director.xlsx"
    code = main(
        ["export", "xlsx", "--db", str(demo_sqlite.path), "-o", str(out)]
        + ["--director", director.lower(), "--as-of", "2026-10", "--period", "2026"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Wrote {out} (Director: {director}, 2026)")
    book = openpyxl.load_workbook(out, read_only=True)
    assert {row[0] for row in book["Clients"].iter_rows(min_row=2, values_only=True)} == clients
    months = {row[2] for row in book["Budget lines"].iter_rows(min_row=2, values_only=True)}
    assert {month.year for month in months} == {2026}
    assert book["Summary"]["A1"].value == f"Portfolio workbook: Director: {director}"


def test_command_line_mistakes_are_one_line_messages(demo_sqlite, tmp_path, capsys):
    db = str(demo_sqlite.path)
    out = str(tmp_path / "x.xlsx")
    assert main(["export", "xlsx", "--db", db, "-o", out, "--period", "2026-13"]) == 1
    assert main(["export", "xlsx", "--db", db, "-o", out, "--client", "Nobody Ltd"]) == 1
    assert main(["export", "xlsx", "--db", db, "-o", str(tmp_path / "no" / "x.xlsx")]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("portfolio: ") for line in errors)
    assert "month must be 01 to 12" in errors[0]
    assert "No client named 'Nobody Ltd'" in errors[1]
    assert "does not exist" in errors[2]
    assert main(["export", "xlsx", "--db", db]) == 2  # -o is required
    assert not (tmp_path / "x.xlsx").exists()


def test_a_clients_book_on_each_backend(demo, tmp_path):
    with demo.session() as session:
        name = session.scalar(select(Client.name).order_by(Client.name).limit(1))
        request = workbook_request(session, as_of=AS_OF, today=TODAY, client=name, period="all")
        lines = session.scalar(
            select(func.count())
            .select_from(BudgetLine)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.name == name)
        )
    report = export_workbook(demo, tmp_path / "client.xlsx", request)
    assert report.rows["Budget lines"] == lines > 0
    book = openpyxl.load_workbook(tmp_path / "client.xlsx", read_only=True)
    rows = list(book["Budget lines"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == lines and {row[0] for row in rows} == {name}
    assert rows == sorted(rows, key=lambda row: (row[1], row[2]))
