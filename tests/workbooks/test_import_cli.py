"""``portfolio import xlsx|csv|undo`` from the command line."""

from __future__ import annotations

from sqlalchemy import func, select

from portfolio.cli import main
from portfolio.model import BudgetLine, Campaign, Client, JournalEntry


def _line_of_first_client(db) -> tuple[str, str, int, int]:
    with db.session() as session:
        return session.execute(
            select(Client.name, Campaign.name, BudgetLine.month, BudgetLine.spend_forecast)
            .join(Campaign, Campaign.client_id == Client.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(Client.currency == "USD")
            .order_by(Client.name, Campaign.name, BudgetLine.month)
            .limit(1)
        ).one()


def test_dry_run_import_and_undo(demo_sqlite, tmp_path, capsys):
    db = str(demo_sqlite.path)
    client, campaign, month, forecast = _line_of_first_client(demo_sqlite)
    path = tmp_path / "update.csv"
    path.write_text(
        "Client,Campaign,Month,Spend forecast\n"
        f'"{client}","{campaign}",{month // 100}-{month % 100:02d},"$12,345.67"\n'
    )
    assert main(["import", "csv", "--db", db, str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "budget lines: 0 added, 1 changed, 0 unchanged" in out
    assert f"Spend forecast ${forecast / 100:,.2f} -> $12,345.67" in out
    assert out.rstrip().endswith("Dry run: nothing was changed.")
    assert _line_of_first_client(demo_sqlite)[3] == forecast

    assert main(["import", "csv", "--db", db, str(path)]) == 0
    assert "1 changed (undo with: portfolio import undo)" in capsys.readouterr().out
    assert _line_of_first_client(demo_sqlite)[3] == 1234567
    assert main(["import", "csv", "--db", db, str(path)]) == 0
    assert "Nothing to change" in capsys.readouterr().out

    assert main(["import", "undo", "--db", db]) == 0
    assert "1 changed row restored" in capsys.readouterr().out
    assert _line_of_first_client(demo_sqlite)[3] == forecast
    assert main(["import", "undo", "--db", db]) == 1
    assert capsys.readouterr().err.strip() == "portfolio: There is no import to undo"


def test_refused_rows_are_listed_and_the_exit_code_says_so(demo_sqlite, tmp_path, capsys):
    db = str(demo_sqlite.path)
    path = tmp_path / "bad.csv"
    path.write_text("Client,Campaign,Month,Spend forecast\nNobody,Nothing,2026-07,1\n")
    assert main(["import", "csv", "--db", db, str(path)]) == 1
    captured = capsys.readouterr()
    assert "bad, row 2, Client: no client named 'Nobody'" in captured.out
    assert captured.err.strip() == (
        "portfolio: 1 row(s) of bad.csv were refused; nothing was imported"
    )
    assert main(["import", "xlsx", "--db", db, str(path)]) == 1
    assert "is not an Excel workbook (.xlsx): it is a text file" in capsys.readouterr().err
    assert main(["import", "csv", "--db", db, str(path), "--date-order", "ymd"]) == 2
    with demo_sqlite.session() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 0
