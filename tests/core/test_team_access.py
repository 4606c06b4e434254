"""Logins and roles on a team server, enforced by PostgreSQL itself (issue 13).

Every test logs in as real login roles made on the test server, gives them access
with ``portfolio team add-login`` run as the database owner, and then tries through
the core (what the app runs), the command line and ``psql``: a rep cannot change
another director's client, a viewer cannot write, a manager can; each refusal is one
line in words.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from portfolio.actions import Action, Delete, Edit, perform
from portfolio.cli import main
from portfolio.errors import AccessRefusedError, ValidationError
from portfolio.model import BudgetLine, Campaign, Client, JournalEntry, TeamMember
from portfolio.storage import open_database
from tests.conditions import portfolio_cli
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PORTFOLIO_TEST_PG_URL")


@dataclass
class Team:
    """A demo on its own database with four logins: manager, director, rep, viewer."""

    url: str
    server: object
    logins: dict[str, str]
    members: dict[str, str]
    #: A client of the director's book assigned to the rep, and one of another book.
    mine: int
    theirs: int
    theirs_name: str
    theirs_director: str

    def url_of(self, who: str) -> str:
        return self.server.url_as(self.url, self.logins[who])

    def open(self, who: str):
        return open_database(self.url_of(who))


@pytest.fixture
def team(pg_server, pg_demo_template) -> Team:
    url = pg_server.create(template=pg_demo_template)
    owner = open_database(url)
    with owner.session() as session:
        manager = session.scalars(select(TeamMember).where(TeamMember.role == "manager")).first()
        mine = session.scalars(
            select(Client).where(Client.rep_id.is_not(None)).order_by(Client.id)
        ).first()
        rep = session.get(TeamMember, mine.rep_id)
        director = session.get(TeamMember, mine.director_id)
        theirs = session.scalars(
            select(Client).where(Client.director_id != director.id).order_by(Client.id)
        ).first()
        viewer = session.scalars(
            select(TeamMember).where(
                TeamMember.id.not_in([manager.id, rep.id, director.id]),
                TeamMember.role == "account_rep",
            )
        ).first()
        members = {
            "manager": manager.name,
            "director": director.name,
            "rep": rep.name,
            "viewer": viewer.name,
        }
        facts = (mine.id, theirs.id, theirs.name, session.get(TeamMember, theirs.director_id).name)
    owner.close()
    logins = {}
    for role, name in members.items():
        login = pg_server.create_login(role)
        assert (
            main(
                [
                    "team",
                    "add-login",
                    "--db",
                    url,
                    "--member",
                    name,
                    "--login",
                    login,
                    "--role",
                    role,
                ]
            )
            == 0
        )
        logins[role] = login
    return Team(url, pg_server, logins, members, *facts)


def _line_of(db, client_id: int) -> tuple[int, int, int]:
    """(id, version, spend_forecast) of a budget line of ``client_id``."""
    return db.read(
        lambda s: tuple(
            s.execute(
                select(BudgetLine.id, BudgetLine.version, BudgetLine.spend_forecast)
                .join(Campaign, Campaign.id == BudgetLine.campaign_id)
                .where(Campaign.client_id == client_id)
                .order_by(BudgetLine.id)
                .limit(1)
            ).one()
        )
    )


def _edit_forecast(db, client_id: int, value: str = "1,234.56"):
    line_id, version, _ = _line_of(db, client_id)
    step = Edit("budget_line", line_id, {"spend_forecast": value}, version=version)
    return perform(db, Action("Edit Spend forecast", (step,)))


# -- through the core, as the app does ----------------------------------------------------


def test_a_rep_cannot_change_another_directors_client_and_hears_whose_book_it_is(team):
    db = team.open("rep")
    try:
        before = _line_of(db, team.theirs)
        with pytest.raises(AccessRefusedError) as refused:
            _edit_forecast(db, team.theirs)
        assert str(refused.value) == (
            f"You cannot change {team.theirs_name}'s budget: it is not one of your clients "
            f"(it belongs to {team.theirs_director}'s book)"
        )
        assert "\n" not in str(refused.value)
        assert _line_of(db, team.theirs) == before
        # Their own client goes through, journalled under their own name.
        outcome = _edit_forecast(db, team.mine)
        entry = db.read(lambda s: s.get(JournalEntry, outcome.entry_id))
        assert (entry.login, entry.user_name) == (team.logins["rep"], team.members["rep"])
    finally:
        db.close()


def test_a_director_cannot_change_another_book_but_a_manager_can(team):
    director = team.open("director")
    manager = team.open("manager")
    try:
        with pytest.raises(AccessRefusedError) as refused:
            _edit_forecast(director, team.theirs)
        assert str(refused.value) == (
            f"You cannot change {team.theirs_name}'s budget: it belongs to "
            f"{team.theirs_director}'s book"
        )
        _edit_forecast(director, team.mine, "10.00")
        _edit_forecast(manager, team.theirs, "20.00")
        assert _line_of(manager, team.theirs)[2] == 2000
        assert _line_of(manager, team.mine)[2] == 1000
    finally:
        director.close()
        manager.close()


def test_a_viewer_cannot_write_anything(team):
    db = team.open("viewer")
    try:
        before = _line_of(db, team.mine)
        with pytest.raises(AccessRefusedError) as refused:
            _edit_forecast(db, team.mine)
        assert str(refused.value) == "You cannot change anything here: you have read-only access"
        assert _line_of(db, team.mine) == before
    finally:
        db.close()


def test_a_rep_cannot_delete_a_client_even_their_own(team):
    db = team.open("rep")
    try:
        version = db.read(lambda s: s.get(Client, team.mine).version)
        with pytest.raises(AccessRefusedError, match="an account rep cannot delete clients"):
            perform(db, Action("Delete client", (Delete("client", team.mine, version),)))
        assert db.read(lambda s: s.get(Client, team.mine)) is not None
    finally:
        db.close()


def test_a_locked_budget_year_holds_for_reps_only(team):
    owner = open_database(team.url)
    try:
        assert main(["team", "lock-budgets", "--db", team.url, "--year", "2030"]) == 0
    finally:
        owner.close()
    rep = team.open("rep")
    director = team.open("director")
    try:
        line_id, version, _ = _line_of(rep, team.mine)
        step = Edit("budget_line", line_id, {"spend_budget": "99.00"}, version=version)
        with pytest.raises(AccessRefusedError, match=r"budgets up to 2030 are locked"):
            perform(rep, Action("Edit Spend budget", (step,)))
        # A forecast is not a budget: the rep may still re-forecast.
        _edit_forecast(rep, team.mine, "5.00")
        line_id, version, _ = _line_of(director, team.mine)
        step = Edit("budget_line", line_id, {"spend_budget": "99.00"}, version=version)
        perform(director, Action("Edit Spend budget", (step,)))
    finally:
        rep.close()
        director.close()


def test_the_override_cannot_make_a_login_someone_else(team, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_USER", team.members["manager"])
    db = team.open("rep")
    try:
        with pytest.raises(ValidationError, match="on this server you are logged in as"):
            _edit_forecast(db, team.mine)
    finally:
        db.close()
    # Naming oneself is allowed.
    monkeypatch.setenv("PORTFOLIO_USER", team.members["rep"])
    db = team.open("rep")
    try:
        _edit_forecast(db, team.mine)
    finally:
        db.close()


# -- through the command line ------------------------------------------------------------


def test_the_command_line_refuses_in_one_line(team, tmp_path):
    db = team.open("manager")
    try:
        campaign, month = db.read(
            lambda s: s.execute(
                select(Campaign.name, BudgetLine.month)
                .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
                .where(Campaign.client_id == team.theirs)
                .limit(1)
            ).one()
        )
    finally:
        db.close()
    path = tmp_path / "forecast.csv"
    path.write_text(
        "Client,Campaign,Month,Spend forecast\n"
        f'"{team.theirs_name}","{campaign}",{month // 100}-{month % 100:02d},"4,321.00"\n'
    )
    result = portfolio_cli("import", "csv", "--db", team.url_of("rep"), str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"portfolio: You cannot change {team.theirs_name}'s budget: it is not one of your "
        f"clients (it belongs to {team.theirs_director}'s book)"
    )
    result = portfolio_cli("import", "csv", "--db", team.url_of("viewer"), str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "portfolio: You cannot change anything here: you have read-only access"
    )
    result = portfolio_cli("import", "csv", "--db", team.url_of("manager"), str(path))
    assert result.returncode == 0, result.stderr


def test_only_a_manager_or_the_owner_gives_logins(team, pg_server):
    newcomer = pg_server.create_login("newcomer")
    result = portfolio_cli(
        "team",
        "add-login",
        "--db",
        team.url_of("director"),
        "--member",
        team.members["viewer"],
        "--login",
        newcomer,
        "--role",
        "manager",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "portfolio: You cannot change the team: only a manager can"
    result = portfolio_cli(
        "team",
        "set-role",
        "--db",
        team.url_of("manager"),
        "--member",
        team.members["viewer"],
        "--role",
        "rep",
    )
    assert result.returncode == 0, result.stderr
    listed = portfolio_cli("team", "list", "--db", team.url_of("viewer"), "--format", "csv")
    assert f"{team.members['viewer']},account_rep,{team.logins['viewer']},rep,yes" in listed.stdout
    result = portfolio_cli(
        "team", "remove-login", "--db", team.url_of("manager"), "--member", team.logins["rep"]
    )
    assert result.returncode == 0, result.stderr
    result = portfolio_cli("at-risk", "--db", team.url_of("rep"))
    assert result.returncode == 1
    assert result.stderr.strip().startswith(
        f"portfolio: Your login {team.logins['rep']} has no access to the portfolio at "
    )


def test_a_login_unknown_to_the_server_is_made_only_with_a_password(team):
    login = f"made_{os.getpid()}"
    result = portfolio_cli(
        "team",
        "add-login",
        "--db",
        team.url,
        "--member",
        team.members["viewer"],
        "--login",
        login,
        "--role",
        "viewer",
    )
    assert result.returncode == 1
    assert f"There is no login '{login}' on the server; give --password" in result.stderr
    result = portfolio_cli(
        "team",
        "add-login",
        "--db",
        team.url,
        "--member",
        team.members["viewer"],
        "--login",
        login,
        "--role",
        "viewer",
        "--password",
        env={"PORTFOLIO_NEW_LOGIN_PASSWORD": "s3cret pass"},
    )
    try:
        assert result.returncode == 0, result.stderr
        url = make_url(team.url).set(username=login, password="s3cret pass")
        db = open_database(url.render_as_string(hide_password=False))
        assert db.user.access == "viewer"
        db.close()
    finally:
        team.server.logins.append(login)


# -- through psql --------------------------------------------------------------------------

needs_psql = pytest.mark.skipif(shutil.which("psql") is None, reason="needs psql")


def psql(team: Team, who: str, sql: str) -> subprocess.CompletedProcess:
    url = make_url(team.url)
    return subprocess.run(
        [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            url.host or "localhost",
            "-p",
            str(url.port or 5432),
            "-U",
            team.logins[who],
            "-d",
            url.database,
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PGPASSWORD": team.server.LOGIN_PASSWORD},
        timeout=60,
        check=False,
    )


@needs_psql
def test_psql_gives_a_rep_no_more_than_the_app(team):
    theirs_lines = (
        "UPDATE budget_line SET spend_forecast = 1 WHERE campaign_id IN "
        f"(SELECT id FROM campaign WHERE client_id = {team.theirs})"
    )
    result = psql(team, "rep", theirs_lines)
    assert result.returncode != 0
    assert f"ERROR:  You cannot change {team.theirs_name}'s budget" in result.stderr
    for sql, words in (
        (f"DELETE FROM client WHERE id = {team.mine}", "an account rep cannot delete clients"),
        (
            f"UPDATE campaign SET client_id = {team.theirs} WHERE client_id = {team.mine}",
            f"You cannot change {team.theirs_name}'s campaigns",
        ),
        (
            f"DELETE FROM budget_line WHERE campaign_id IN "
            f"(SELECT id FROM campaign WHERE client_id = {team.theirs})",
            f"You cannot change {team.theirs_name}'s budget",
        ),
        (
            f"UPDATE team_member SET access = 'manager' WHERE login = '{team.logins['rep']}'",
            "permission denied for table team_member",
        ),
        ("DELETE FROM journal_entry", "permission denied for table journal_entry"),
        ("UPDATE journal_entry SET action = 'forged'", "permission denied for table journal_entry"),
        ("ALTER TABLE client DISABLE TRIGGER ALL", "must be owner of table client"),
        ("ALTER TABLE client DISABLE ROW LEVEL SECURITY", "must be owner of table client"),
    ):
        result = psql(team, "rep", sql)
        assert result.returncode != 0 and words in result.stderr, (sql, result.stderr)
    # A journal entry forged in someone else's name is the rep's own.
    result = psql(
        team,
        "rep",
        "INSERT INTO journal_entry (at, login, user_name, action, kind) "
        f"VALUES (now(), '{team.logins['manager']}', 'Someone', 'x', 'edit') "
        "RETURNING login || '|' || user_name",
    )
    assert result.returncode == 0
    assert f"{team.logins['rep']}|{team.members['rep']}" in result.stdout
    owner = open_database(team.url)
    try:
        lines = owner.read(
            lambda s: s.scalar(
                text(
                    "SELECT count(*) FROM budget_line b JOIN campaign c ON c.id = b.campaign_id "
                    f"WHERE c.client_id = {team.theirs} AND b.spend_forecast = 1"
                )
            )
        )
        assert lines == 0
    finally:
        owner.close()


@needs_psql
def test_psql_gives_a_viewer_reads_only_and_a_manager_everything(team):
    assert psql(team, "viewer", "SELECT count(*) FROM budget_line").returncode == 0
    result = psql(team, "viewer", "UPDATE budget_line SET spend_forecast = 1")
    assert "permission denied for table budget_line" in result.stderr
    result = psql(
        team,
        "manager",
        f"UPDATE budget_line SET spend_forecast = spend_forecast + 1 WHERE campaign_id IN "
        f"(SELECT id FROM campaign WHERE client_id = {team.theirs})",
    )
    assert result.returncode == 0, result.stderr
