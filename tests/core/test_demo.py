"""Demo portfolios: deterministic, realistic, consistent, and safe to write."""

import hashlib
import re
import sqlite3

import pytest
from sqlalchemy import func, select

from portfolio.demo import DemoSpec, write_demo
from portfolio.errors import PortfolioError
from portfolio.model import BudgetLine, Campaign, Client
from tests.conftest import DEMO

TABLES = (
    "team_member",
    "client",
    "campaign",
    "budget_line",
    "client_request",
    "feedback",
    "opportunity",
    "deadline",
    "material_item",
    "meeting",
    "fx_rate",
    "makeup_action",
)


def fingerprint(path) -> dict[str, str]:
    connection = sqlite3.connect(path)
    prints = {}
    for table in TABLES:
        digest = hashlib.sha256()
        for row in connection.execute(f"SELECT * FROM {table} ORDER BY 1"):  # noqa: S608
            digest.update(repr(row).encode())
        prints[table] = digest.hexdigest()
    connection.close()
    return prints


def test_same_seed_and_day_give_the_same_portfolio(demo_file, tmp_path):
    again = tmp_path / "again.sqlite3"
    write_demo(again, DEMO)
    assert fingerprint(again) == fingerprint(demo_file)


def test_another_seed_gives_another_portfolio(demo_file, tmp_path):
    other = tmp_path / "other.sqlite3"
    write_demo(other, DemoSpec(clients=DEMO.clients, seed=DEMO.seed + 1, today=DEMO.today))
    assert fingerprint(other)["budget_line"] != fingerprint(demo_file)["budget_line"]


def test_the_default_book_has_names_in_every_script(demo_file):
    connection = sqlite3.connect(demo_file)
    names = [row[0] for row in connection.execute("SELECT name FROM client")]
    joined = " ".join(names)
    for script, pattern in {
        "accented Latin": "[éèêüöäôâç]",
        "Polish": "[łńśźżąę]",
        "Greek": "[\u0370-\u03ff]",
        "Cyrillic": "[\u0400-\u04ff]",
        "Japanese": "[\u3040-\u30ff\u4e00-\u9fff]",
    }.items():
        assert re.search(pattern, joined, re.IGNORECASE), f"no {script} client name"
    assert len(names) == 40 == len(set(names))
    directors = connection.execute(
        "SELECT COUNT(*) FROM team_member WHERE role = 'account_director'"
    ).fetchone()[0]
    reps = connection.execute("SELECT COUNT(*) FROM team_member WHERE role = 'account_rep'")
    assert (directors, reps.fetchone()[0]) == (3, 6)
    months = connection.execute("SELECT MIN(month), MAX(month) FROM budget_line").fetchone()
    assert months == (202501, 202612)


def test_the_demo_is_referentially_whole(demo_file):
    connection = sqlite3.connect(demo_file)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_demo_scales_to_ten_campaigns_and_two_hundred_lines_per_client(tmp_path):
    path = tmp_path / "bigger.sqlite3"
    report = write_demo(path, DemoSpec(clients=300, today=DEMO.today))
    assert 9 <= report.counts["campaign"] / 300 <= 11
    assert 180 <= report.counts["budget_line"] / 300 <= 220


def test_an_existing_file_is_not_overwritten_without_force(demo_file, tmp_path):
    path = tmp_path / "mine.sqlite3"
    path.write_text("precious")
    with pytest.raises(PortfolioError, match="already exists"):
        write_demo(path, DemoSpec(clients=3, today=DEMO.today))
    assert path.read_text() == "precious"
    write_demo(path, DemoSpec(clients=3, today=DEMO.today), force=True)
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM client").fetchone()[0] == 3
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_both_backends_hold_the_same_demo(demo, demo_file):
    with demo.session() as session:
        figures = (
            session.scalar(select(func.count()).select_from(Client)),
            session.scalar(select(func.count()).select_from(Campaign)),
            session.scalar(select(func.sum(BudgetLine.spend_actual))),
            session.scalar(select(func.sum(BudgetLine.revenue_budget))),
        )
    with sqlite3.connect(demo_file) as connection:
        expected = connection.execute(
            "SELECT (SELECT COUNT(*) FROM client), (SELECT COUNT(*) FROM campaign), "
            "(SELECT SUM(spend_actual) FROM budget_line), "
            "(SELECT SUM(revenue_budget) FROM budget_line)"
        ).fetchone()
    assert figures == tuple(expected)
