"""Issue 9: every change as a core action with a journal, driven as two real users.

Two ``Database`` objects on one portfolio (an SQLite file, or a PostgreSQL database),
each working as a different team member, stand for two people with the app open. No
mocks: every check reads what was committed.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from portfolio.actions import (
    Action,
    Create,
    Delete,
    Edit,
    EditConflictError,
    NothingToUndoError,
    perform,
    rebased,
    redo,
    undo,
)
from portfolio.errors import NotFoundError, ValidationError
from portfolio.identity import link, resolve
from portfolio.journal.history import history
from portfolio.model import BudgetLine, Client, JournalChange, JournalEntry, TeamMember
from portfolio.storage import Database, open_database
from tests.conftest import ROOT_DIR

A_NAME = "Isla Patel"
B_NAME = "Hannah O'Neill"


def target_of(db: Database) -> str:
    if db.path is not None:
        return str(db.path)
    return db.url.render_as_string(hide_password=False)


@pytest.fixture
def people(demo) -> Iterator[tuple[Database, Database]]:
    """Two people working on the demo portfolio: A (Isla Patel) and B (Hannah O'Neill)."""
    a = open_database(target_of(demo), user=A_NAME)
    b = open_database(target_of(demo), user=B_NAME)
    yield a, b
    a.close()
    b.close()


def line_as_seen(db: Database, line_id: int = 1) -> BudgetLine:
    with db.session() as session:
        return session.get(BudgetLine, line_id)


def stored(db: Database, line_id: int, field: str):
    with db.session() as session:
        return getattr(session.get(BudgetLine, line_id), field)


def edit(line: BudgetLine, field: str, value: str, **extra) -> Action:
    step = Edit(
        "budget_line",
        line.id,
        {field: value},
        version=line.version,
        seen={field: getattr(line, field)},
        **extra,
    )
    return Action(f"Edit {field}", (step,))


def currency_of_line(db: Database, line_id: int) -> str:
    from portfolio.model import Campaign

    with db.session() as session:
        return session.scalar(
            select(Client.currency)
            .join(Campaign, Campaign.client_id == Client.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(BudgetLine.id == line_id)
        )


def amount(db: Database, line_id: int, major: int) -> tuple[str, int]:
    """Text to type for ``major`` units in the line's currency, and its minor units."""
    from portfolio.money import exponent

    return str(major), major * 10 ** exponent(currency_of_line(db, line_id))


# -- optimistic concurrency -----------------------------------------------------------------


@pytest.mark.parametrize("first", ["A", "B"])
def test_two_edits_of_one_field_give_one_conflict_and_lose_no_value(people, first):
    """Both read the line, both type a new Spend actual: whoever saves second is told
    who changed it and to what; the first value stays, nothing is silently lost."""
    a, b = people
    seen = line_as_seen(a)
    ordered = [(a, A_NAME, "111"), (b, B_NAME, "222")]
    if first == "B":
        ordered.reverse()
    (winner, winner_name, winner_value), (loser, _, loser_value) = ordered
    typed, minor = amount(a, 1, int(winner_value))
    perform(winner, edit(seen, "spend_actual", typed))
    with pytest.raises(EditConflictError) as caught:
        perform(loser, edit(seen, "spend_actual", loser_value))
    message = str(caught.value)
    assert message.startswith("Not saved: Spend actual of ")
    assert f"was changed by {winner_name}" in message
    assert "Nothing was changed" in message
    [conflict] = caught.value.conflicts
    assert conflict.field == "spend_actual" and conflict.stored == minor
    assert conflict.by == winner_name
    assert stored(a, 1, "spend_actual") == minor


def test_edits_of_different_fields_of_one_record_both_stand(people):
    a, b = people
    seen = line_as_seen(a)
    actual, actual_minor = amount(a, 1, 111)
    forecast, forecast_minor = amount(a, 1, 222)
    perform(a, edit(seen, "spend_actual", actual))
    perform(b, edit(seen, "spend_forecast", forecast))  # based on the old version: merged
    assert stored(a, 1, "spend_actual") == actual_minor
    assert stored(a, 1, "spend_forecast") == forecast_minor


def test_use_mine_puts_my_value_over_theirs_and_both_are_journalled(people):
    a, b = people
    seen = line_as_seen(a)
    perform(a, edit(seen, "spend_actual", "111"))
    mine = edit(seen, "spend_actual", "222")
    with pytest.raises(EditConflictError) as caught:
        perform(b, mine)
    perform(b, rebased(mine, caught.value))
    _, minor = amount(a, 1, 222)
    assert stored(a, 1, "spend_actual") == minor
    with a.session() as session:
        lines = history(session, entity="budget_line", row_id=1)
    assert [line.user for line in lines] == [B_NAME, A_NAME]


def test_a_change_made_meanwhile_is_a_new_conflict_not_an_overwrite(people):
    """'Use mine' is checked again: a third change in between is asked about again."""
    a, b = people
    seen = line_as_seen(a)
    perform(a, edit(seen, "spend_actual", "111"))
    mine = edit(seen, "spend_actual", "222")
    with pytest.raises(EditConflictError) as caught:
        perform(b, mine)
    perform(a, edit(line_as_seen(a), "spend_actual", "333"))
    with pytest.raises(EditConflictError, match="was changed by Isla Patel"):
        perform(b, rebased(mine, caught.value))


def test_a_delete_of_a_record_someone_changed_since_is_a_conflict(people):
    a, b = people
    seen = line_as_seen(a)
    perform(a, edit(seen, "spend_actual", "111"))
    with pytest.raises(EditConflictError, match="was changed by Isla Patel"):
        perform(b, Action("Delete line", (Delete("budget_line", 1, seen.version),)))
    assert stored(a, 1, "spend_actual") is not None


def test_an_edit_based_on_a_version_the_journal_cannot_explain_is_refused(people):
    """A change outside Portfolio's actions (a SQL shell) moves the version without a
    journal entry: a change based on the older version cannot be merged safely."""
    a, b = people
    seen = line_as_seen(a)
    with a.transaction() as session:
        session.execute(text("UPDATE budget_line SET version = version + 1 WHERE id = 1"))
    step = Edit("budget_line", 1, {"spend_forecast": "5"}, version=seen.version)
    with pytest.raises(EditConflictError, match="outside Portfolio's journal"):
        perform(b, Action("Edit", (step,)))


# -- undo and redo are actions too -----------------------------------------------------------


def test_undo_after_someone_elses_change_is_a_conflict_never_an_overwrite(people):
    a, b = people
    done = perform(a, edit(line_as_seen(a), "spend_actual", "111"))
    perform(b, edit(line_as_seen(b), "spend_actual", "222"))
    _, theirs = amount(a, 1, 222)
    with pytest.raises(EditConflictError) as caught:
        undo(a, done.entry_id)
    assert str(caught.value).startswith("Cannot undo Edit spend_actual: ")
    assert f"was changed by {B_NAME}" in str(caught.value)
    assert stored(a, 1, "spend_actual") == theirs
    # Chosen "Use mine": the undo puts the value before A's edit back, journalled.
    original = line_as_seen(a)
    undo(a, done.entry_id, overwrite=True)
    assert stored(a, 1, "spend_actual") != theirs
    assert stored(a, 1, "spend_actual") != original.spend_actual


def test_undo_and_redo_of_an_edit_put_values_back_and_forth(people):
    a, _ = people
    before = stored(a, 1, "spend_actual")
    done = perform(a, edit(line_as_seen(a), "spend_actual", "111"))
    after = stored(a, 1, "spend_actual")
    undo(a, done.entry_id)
    assert stored(a, 1, "spend_actual") == before
    with pytest.raises(NothingToUndoError):
        undo(a, done.entry_id)
    redo(a, done.entry_id)
    assert stored(a, 1, "spend_actual") == after
    undo(a, done.entry_id)
    assert stored(a, 1, "spend_actual") == before


def test_redo_after_someone_elses_change_is_a_conflict(people):
    a, b = people
    done = perform(a, edit(line_as_seen(a), "spend_actual", "111"))
    undo(a, done.entry_id)
    perform(b, edit(line_as_seen(b), "spend_actual", "222"))
    with pytest.raises(EditConflictError, match=f"was changed by {B_NAME}"):
        redo(a, done.entry_id)


def fingerprint(db: Database) -> tuple:
    with db.session() as session:
        return tuple(
            session.execute(
                text(f"SELECT count(*), coalesce(sum(id), 0), coalesce(sum(version), 0) FROM {t}")
            ).one()
            for t in ("client", "campaign", "budget_line", "client_request", "makeup_action")
        )


def first_client(db: Database) -> tuple[int, str]:
    with db.session() as session:
        return tuple(session.execute(select(Client.id, Client.name).order_by(Client.id)).first())


def test_undoing_a_delete_brings_the_whole_cascade_back_and_redo_removes_it_again(people):
    a, _ = people
    before = fingerprint(a)
    client_id, name = first_client(a)
    done = perform(a, Action(f"Delete {name}", (Delete("client", client_id),)))
    gone = fingerprint(a)
    assert gone != before
    undo(a, done.entry_id)
    assert fingerprint(a) == before
    redo(a, done.entry_id)
    assert fingerprint(a) == gone
    undo(a, done.entry_id)
    assert fingerprint(a) == before


def test_undoing_a_delete_after_the_name_was_taken_again_is_a_clear_conflict(people):
    """The fault: a traceback on stderr while the Edit menu offered 'Redo'."""
    a, b = people
    client_id, name = first_client(a)
    with a.session() as session:
        client = session.get(Client, client_id)
        values = {
            "name": name,
            "vertical": client.vertical,
            "status": client.status,
            "director_id": client.director_id,
            "pricing_model": client.pricing_model,
            "currency": client.currency,
        }
    done = perform(a, Action(f"Delete {name}", (Delete("client", client_id),)))
    perform(b, Action(f"Add client {name}", (Create("client", values),)))
    before = fingerprint(a)
    with pytest.raises(EditConflictError) as caught:
        undo(a, done.entry_id)
    assert "another client with this client exists now" in str(caught.value)
    assert f"created by {B_NAME}" in str(caught.value)
    assert fingerprint(a) == before


def test_undoing_a_create_someone_built_on_is_refused(people):
    a, b = people
    with a.session() as session:
        director = session.scalar(
            select(TeamMember.id).where(TeamMember.role == "account_director").limit(1)
        )
    values = {
        "name": "Nova Mutual",
        "vertical": "banking",
        "status": "active",
        "director_id": director,
        "pricing_model": "fixed fee",
        "currency": "USD",
    }
    done = perform(a, Action("Add client Nova Mutual", (Create("client", values),)))
    [client_id] = done.created
    campaign = {"client_id": client_id, "name": "Launch", "channel": "email", "status": "planned"}
    perform(b, Action("Add campaign", (Create("campaign", campaign),)))
    with pytest.raises(EditConflictError, match="has 1 campaign added since"):
        undo(a, done.entry_id)


def test_ids_are_never_handed_out_twice(people):
    """An undone create must not give its id to the next new row (SQLite reused it): the
    journal would mix two records' pasts."""
    a, _ = people
    with a.session() as session:
        director = session.scalar(
            select(TeamMember.id).where(TeamMember.role == "account_director").limit(1)
        )
    values = {
        "vertical": "banking",
        "status": "active",
        "director_id": director,
        "pricing_model": "fixed fee",
        "currency": "USD",
    }
    first = perform(a, Action("Add", (Create("client", {**values, "name": "One"}),)))
    undo(a, first.entry_id)
    second = perform(a, Action("Add", (Create("client", {**values, "name": "Two"}),)))
    assert second.created[0] > first.created[0]


# -- who, and the history ---------------------------------------------------------------------


def test_the_journal_names_who_and_keeps_before_and_after_in_the_same_transaction(people):
    a, _ = people
    seen = line_as_seen(a)
    typed, minor = amount(a, 1, 4321)
    done = perform(a, edit(seen, "spend_actual", typed))
    with a.session() as session:
        entry = session.get(JournalEntry, done.entry_id)
        assert entry.user_name == A_NAME and entry.kind == "edit"
        assert entry.member_id == a.user.member_id
        assert abs(entry.at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
            minutes=5
        )
        [change] = session.scalars(select(JournalChange).where(JournalChange.entry_id == entry.id))
        assert change.op == "update" and change.entity == "budget_line" and change.row_id == 1
        assert json.loads(change.before) == {"spend_actual": seen.spend_actual}
        assert json.loads(change.after) == {"spend_actual": minor}
        assert change.version == seen.version + 1


def test_a_refused_change_writes_no_journal_entry(people):
    a, _ = people
    with a.session() as session:
        before = session.scalar(select(func.count()).select_from(JournalEntry))
    with pytest.raises(ValidationError):
        perform(a, edit(line_as_seen(a), "spend_actual", "-5"))
    with a.session() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == before


def test_a_name_that_is_no_team_member_is_refused_as_who(demo):
    db = open_database(target_of(demo), user="Nobody Atall")
    with pytest.raises(NotFoundError, match="names no team member"):
        perform(db, Action("Edit", (Edit("budget_line", 1, {"spend_actual": "1"}),)))
    db.close()


def test_a_login_is_linked_to_a_member_once(demo):
    with demo.transaction() as session:
        member = session.scalar(select(TeamMember.id).where(TeamMember.name == A_NAME))
        link(session, member, "ipatel")
    with demo.session() as session:
        assert resolve(session, "ipatel").name == A_NAME
        assert resolve(session, A_NAME).login == "ipatel"
    with pytest.raises(ValidationError, match="already works as 'ipatel'"):
        with demo.transaction() as session:
            link(session, member, "someone-else")


def test_postgresql_names_the_server_login(demo):
    if demo.is_sqlite:
        pytest.skip("the login is the operating-system account on SQLite")
    with demo.session() as session:
        user = resolve(session, None)
        assert user.login == session.scalar(text("SELECT current_user"))


def run_cli(*args: str, user: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "portfolio", *args],
        capture_output=True,
        text=True,
        cwd=ROOT_DIR,
        env={**os.environ, "PORTFOLIO_USER": user},
        check=False,
    )


def line_name(db: Database, line_id: int = 1) -> tuple[str, str]:
    from portfolio.queries.pickers import describe

    with db.session() as session:
        named = describe(session, "budget_line", line_id)
        client = named.split(" / ")[0]
    return named.replace(" / ", "/"), client


def test_history_shows_changes_from_the_app_the_cli_and_imports_with_their_user(people, tmp_path):
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions

    a, b = people
    record, client = line_name(a)
    perform(a, edit(line_as_seen(a), "spend_actual", "111"))
    result = run_cli(
        "edit",
        "--db",
        target_of(a),
        "budget-line",
        record,
        "--set",
        "Spend forecast=222",
        user=B_NAME,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == line_as_seen(a).version
    sheet = tmp_path / "forecasts.csv"
    named = record.split("/")
    sheet.write_text(
        f"Client,Campaign,Month,Revenue forecast\n{named[0]},{named[1]},{named[2]},333\n",
        encoding="utf-8",
    )
    run_import(a, sheet, ImportOptions())
    result = run_cli(
        "history", "--db", target_of(a), "--client", client, "--format", "json", user=A_NAME
    )
    assert result.returncode == 0, result.stderr
    lines = json.loads(result.stdout)
    assert {"time", "user", "action", "entity", "record", "field", "before", "after"} <= set(
        lines[0]
    )
    fields = [(line["user"], line["field"]) for line in lines[:3]]
    assert fields == [
        (A_NAME, "Revenue forecast"),
        (B_NAME, "Spend forecast"),
        (A_NAME, "Spend actual"),
    ]
    assert lines[0]["action"] == "Import forecasts.csv"
    assert lines[1]["after"].endswith("222.00") or lines[1]["after"].endswith("222")
    mine = run_cli(
        "history", "--db", target_of(a), "--user", B_NAME, "--format", "json", user=A_NAME
    )
    assert {line["user"] for line in json.loads(mine.stdout)} == {B_NAME}


def test_portfolio_edit_refuses_a_conflict_in_one_line_naming_the_field_and_who(people):
    a, _ = people
    record, _ = line_name(a)
    version = line_as_seen(a).version
    perform(a, edit(line_as_seen(a), "spend_actual", "111"))
    result = run_cli(
        "edit",
        "--db",
        target_of(a),
        "budget-line",
        record,
        "--set",
        "spend_actual=9",
        "--expect-version",
        str(version),
        user=B_NAME,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Spend actual" in result.stderr and f"changed by {A_NAME}" in result.stderr
    # Another field, same stale version: merged.
    result = run_cli(
        "edit",
        "--db",
        target_of(a),
        "budget-line",
        record,
        "--set",
        "pieces=9",
        "--expect-version",
        str(version),
        user=B_NAME,
    )
    assert result.returncode == 0, result.stderr
    assert stored(a, 1, "pieces") == 9


def test_import_undo_undoes_your_own_last_import_and_says_whose_otherwise(people, tmp_path):
    from portfolio.imports.importer import run_import, undo_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.imports.undo import NothingToUndoError as NoImportError

    a, b = people
    record, _ = line_name(a)
    named = record.split("/")
    sheet = tmp_path / "forecasts.csv"
    sheet.write_text(
        f"Client,Campaign,Month,Revenue forecast\n{named[0]},{named[1]},{named[2]},333\n",
        encoding="utf-8",
    )
    before = stored(a, 1, "revenue_forecast")
    run_import(a, sheet, ImportOptions())
    with pytest.raises(NoImportError, match=f"was made by {A_NAME}"):
        undo_import(b)
    undone = undo_import(a)
    assert undone.source == "forecasts.csv"
    assert stored(a, 1, "revenue_forecast") == before


def test_imports_journalled_before_the_upgrade_can_still_be_undone(demo, tmp_path):
    """Migration 0003 carries the import journal of 0002 into the change journal."""
    from portfolio.imports.importer import run_import, undo_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.storage import migrate

    record, _ = line_name(demo)
    named = record.split("/")
    sheet = tmp_path / "forecasts.csv"
    sheet.write_text(
        f"Client,Campaign,Month,Revenue forecast\n{named[0]},{named[1]},{named[2]},333\n",
        encoding="utf-8",
    )
    before = stored(demo, 1, "revenue_forecast")
    run_import(open_database(target_of(demo), user=A_NAME), sheet, ImportOptions())
    with demo.engine.begin() as connection:
        migrate.downgrade(connection, "0002")
        assert connection.execute(text("SELECT count(*) FROM import_change")).scalar() == 1
    migrate.upgrade_engine(demo.engine)
    with demo.session() as session:
        [line] = history(session, entity="budget_line", row_id=1)
        assert line.user == "(before the journal)" and line.field == "Revenue forecast"
    again = open_database(target_of(demo), user=B_NAME)
    undone = undo_import(again)  # anyone's: who imported it was not recorded then
    again.close()
    assert undone.source == "forecasts.csv"
    assert stored(demo, 1, "revenue_forecast") == before
