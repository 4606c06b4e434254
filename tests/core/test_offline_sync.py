"""Issue 14: take a book offline and bring it back, against a real server.

The "server" is the demo portfolio on each backend (an SQLite team file, and a
PostgreSQL database when ``PORTFOLIO_TEST_PG_URL`` is set); the laptop copy is an SQLite
file. Two people: Isla Patel works on the laptop copy, Hannah O'Neill on the server.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from portfolio.actions import Action, Create, Delete, Edit, perform
from portfolio.errors import DatabaseOpenError
from portfolio.journal.history import history
from portfolio.model import BudgetLine, Campaign, CampaignDrop, Client, Deadline, TeamMember
from portfolio.storage import Database, open_database
from portfolio.storage.totals import differences
from portfolio.sync.book import Scope, book_tables, rows_in_book
from portfolio.sync.checkout import LOCAL_IDS, checkout
from portfolio.sync.merge import resolver
from portfolio.sync.pending import the_copy
from portfolio.sync.run import preview, sync
from tests.conftest import BACKENDS, ROOT_DIR

LAPTOP = "Isla Patel"
SERVER = "Hannah O'Neill"


def target_of(db: Database) -> str:
    return str(db.path) if db.path is not None else db.url.render_as_string(hide_password=False)


def book_of(db: Database) -> tuple[int, list[int]]:
    """The first director with a few clients, and those clients."""
    with db.session() as session:
        director = session.scalar(
            select(Client.director_id).group_by(Client.director_id).order_by(Client.director_id)
        )
        clients = list(
            session.scalars(
                select(Client.id).where(Client.director_id == director).order_by(Client.id)
            )
        )
    return director, clients


def snapshot_of(db: Database, clients: list[int]) -> dict:
    """Every row of the book, by table and id: what both sides must agree on."""
    found = {}
    with db.engine.connect() as connection:
        for name in book_tables():
            found[name] = {
                row["id"]: dict(row)
                for row in connection.execute(rows_in_book(name, clients)).mappings()
            }
    return found


@pytest.fixture
def sides(demo, tmp_path):
    """(server as Hannah, the server as Isla for checking out, laptop copy, clients)."""
    server = open_database(target_of(demo), user=SERVER)
    owner = open_database(target_of(demo), user=LAPTOP)
    director, clients = book_of(demo)
    checkout(owner, Scope(director_id=director), tmp_path / "book.sqlite3")
    laptop = open_database(tmp_path / "book.sqlite3")
    yield server, owner, laptop, clients
    for db in (server, owner, laptop):
        db.close()


def lines_of(db: Database, clients: list[int], count: int = 6) -> list[int]:
    with db.session() as session:
        return list(
            session.scalars(
                select(BudgetLine.id)
                .join(Campaign, Campaign.id == BudgetLine.campaign_id)
                .where(Campaign.client_id.in_(clients))
                .order_by(BudgetLine.id)
                .limit(count)
            )
        )


def value(db: Database, line_id: int, field: str):
    with db.session() as session:
        line = session.get(BudgetLine, line_id)
        return None if line is None else getattr(line, field)


def edit(db: Database, entity: str, row_id: int, **values) -> None:
    perform(db, Action("Edit", (Edit(entity, row_id, values),)))


def test_checkout_copies_the_book_the_team_and_the_position(sides, demo):
    server, owner, laptop, clients = sides
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    with laptop.session() as session:
        assert set(session.scalars(select(Client.id))) == set(clients)
        assert session.scalar(select(TeamMember.id).limit(1)) is not None
    assert laptop.user.name == LAPTOP  # changes made here are the taker's
    made = perform(
        laptop,
        Action(
            "Add",
            (
                Create(
                    "campaign",
                    {
                        "client_id": clients[0],
                        "name": "Offline",
                        "channel": "email",
                        "status": "planned",
                    },
                ),
            ),
        ),
    )
    assert made.created[0] >= LOCAL_IDS  # never an id the server hands out


def test_a_copy_syncs_only_with_the_portfolio_it_came_from(sides, tmp_path):
    """Regression (found trying the feature as a user): ``sync --server`` pointed at
    another portfolio wrote the copy's changes over unrelated records that shared ids,
    and a checkout could be taken from an offline copy."""
    server, owner, laptop, clients = sides
    with laptop.session() as session:
        where = the_copy(session).server
    if "://" in where:  # the copy remembers the server without its password
        assert make_url(where).password is None
    other = open_database(tmp_path / "other.sqlite3", create=True)
    try:
        edit(laptop, "client", clients[0], notes="for the team only")
        with pytest.raises(DatabaseOpenError, match="not the portfolio this copy was taken"):
            sync(laptop, other)
        with pytest.raises(DatabaseOpenError, match="not the portfolio this copy was taken"):
            preview(laptop, other)
    finally:
        other.close()
    with pytest.raises(DatabaseOpenError, match="is itself an offline copy"):
        checkout(laptop, Scope(client_ids=tuple(clients)), tmp_path / "nested.sqlite3")
    assert not (tmp_path / "nested.sqlite3").exists()
    with pytest.raises(DatabaseOpenError, match="not an offline copy"):
        sync(server, laptop)
    assert sync(laptop, server).sent == 1  # the right server still takes it


def test_a_checkout_never_overwrites_a_file(sides, tmp_path):
    _server, owner, _laptop, clients = sides
    with pytest.raises(DatabaseOpenError, match="already exists"):
        checkout(owner, Scope(client_ids=tuple(clients)), tmp_path / "book.sqlite3")


def scenario(server: Database, laptop: Database, clients: list[int]) -> dict:
    """Changes on both sides while the laptop is offline; returns what was touched."""
    a, b, c, d, e, f = lines_of(server, clients)
    edit(laptop, "budget_line", a, spend_forecast="111")  # only here
    edit(server, "budget_line", a, revenue_forecast="222")  # only there, other field
    edit(laptop, "budget_line", b, spend_forecast="333")  # both sides: a conflict
    edit(server, "budget_line", b, spend_forecast="444")
    edit(laptop, "budget_line", c, pieces="7")  # both sides, the same value: no conflict
    edit(server, "budget_line", c, pieces="7")
    perform(server, Action("Delete", (Delete("budget_line", d),)))  # deleted there
    edit(laptop, "budget_line", d, responses="5")  # ... but changed here: a conflict
    perform(laptop, Action("Delete", (Delete("budget_line", e),)))  # deleted here only
    campaign = {
        "client_id": clients[0],
        "name": "Spring launch",
        "channel": "email",
        "status": "planned",
    }
    made = perform(laptop, Action("Add", (Create("campaign", campaign),)))
    perform(
        laptop,
        Action(
            "Add",
            (
                Create(
                    "budget_line",
                    {"campaign_id": made.created[0], "month": 202612, "spend_budget": "1000"},
                ),
            ),
        ),
    )
    perform(server, Action("Add", (Create("campaign", campaign),)))  # the same name there
    clash = {**campaign, "name": "Autumn push"}
    perform(laptop, Action("Add", (Create("campaign", clash),)))  # only here
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_sync_merges_field_by_field_and_keeps_conflicts_until_resolved(sides):
    server, _owner, laptop, clients = sides
    touched = scenario(server, laptop, clients)
    report = sync(laptop, server)
    kinds = sorted(c.kind for c in report.conflicts)
    assert kinds == ["added_both", "deleted_there", "field"]
    # What merged is on both sides; what conflicts waits here, as it was typed here.
    assert value(server, touched["a"], "spend_forecast") == value(
        laptop, touched["a"], "spend_forecast"
    )
    assert value(laptop, touched["a"], "revenue_forecast") == value(
        server, touched["a"], "revenue_forecast"
    )
    assert value(server, touched["b"], "spend_forecast") != value(
        laptop, touched["b"], "spend_forecast"
    )
    assert value(server, touched["e"], "spend_forecast") is None
    assert value(laptop, touched["e"], "spend_forecast") is None
    with server.session() as session:
        assert session.scalar(select(Campaign.id).where(Campaign.name == "Autumn push"))

    report = sync(laptop, server, resolve=resolver(default="mine"))
    assert not report.conflicts
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    # Regression (found trying it as a user): the server's history said the offline
    # change replaced the value both sides last agreed on, hiding Hannah's 444 it
    # overwrote. It says what the server held.
    with server.session() as session:
        mine = [
            line
            for line in history(session, entity="budget_line", row_id=touched["b"])
            if line.field_name == "spend_forecast" and line.user == LAPTOP
        ]
    assert len(mine) == 1 and "444" in mine[0].before and "333" in mine[0].after
    # Monthly totals are not copied: each side's triggers keep them from its own lines.
    for side in (server, laptop):
        with side.engine.connect() as connection:
            assert differences(connection) == []
    assert value(server, touched["d"], "responses") == 5  # put back: mine
    with server.session() as session:
        spring = session.scalars(select(Campaign).where(Campaign.name == "Spring launch")).all()
        assert len(spring) == 1  # added on both sides: one record, with its line
        assert session.scalar(select(BudgetLine.id).where(BudgetLine.campaign_id == spring[0].id))


def test_keep_theirs_brings_the_servers_values_down(sides):
    server, _owner, laptop, clients = sides
    touched = scenario(server, laptop, clients)
    sync(laptop, server, resolve=resolver(default="theirs"))
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    assert value(server, touched["b"], "spend_forecast") == value(
        laptop, touched["b"], "spend_forecast"
    )
    assert value(laptop, touched["d"], "spend_forecast") is None  # their deletion stands


def test_conflicts_can_be_settled_one_by_one(sides):
    server, _owner, laptop, clients = sides
    touched = scenario(server, laptop, clients)
    plan = preview(laptop, server)
    choices = {c.key: ("mine" if c.kind == "field" else "theirs") for c in plan.conflicts}
    sync(laptop, server, resolve=resolver(choices))
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    assert value(server, touched["b"], "spend_forecast") == value(
        laptop, touched["b"], "spend_forecast"
    )
    assert value(server, touched["d"], "spend_forecast") is None


def test_offline_changes_keep_their_author_and_time_on_the_server(sides):
    server, _owner, laptop, clients = sides
    [line] = lines_of(server, clients, 1)
    edit(laptop, "budget_line", line, spend_actual="99")
    made_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    sync(laptop, server)
    with server.session() as session:
        [entry] = history(session, entity="budget_line", row_id=line)
    assert entry.user == LAPTOP and entry.field == "Spend actual"
    assert entry.synced is not None
    assert abs(entry.time - made_at) < dt.timedelta(minutes=1)


def test_an_interrupted_sync_run_again_ends_as_an_uninterrupted_one(sides, monkeypatch):
    """The push reached the server, then the sync died: it is not sent twice."""
    import portfolio.sync.run as run

    server, _owner, laptop, clients = sides
    scenario(server, laptop, clients)

    def dies(*_args, **_kwargs):
        raise KeyboardInterrupt("killed after sending")

    monkeypatch.setattr(run, "pull", dies)
    with pytest.raises(KeyboardInterrupt):
        sync(laptop, server, resolve=resolver(default="mine"))
    monkeypatch.undo()
    report = sync(laptop, server, resolve=resolver(default="mine"))
    assert report.resumed
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    with server.session() as session:
        spring = session.scalars(select(Campaign).where(Campaign.name == "Autumn push")).all()
        assert len(spring) == 1  # sent once


def test_a_change_made_after_an_interrupted_sync_is_sent_by_the_next(sides, monkeypatch):
    """Regression (found trying it as a user): a sync died after the server took its
    changes; the person changed the same figure again; the next sync said it had sent
    before it stopped, then brought the server's value over the new one: lost, both
    sides agreeing on the old figure. Also a change made while a sync runs."""
    import portfolio.sync.run as run

    server, _owner, laptop, clients = sides
    line, other = lines_of(laptop, clients, 2)
    edit(laptop, "budget_line", line, spend_actual="111")
    edit(laptop, "client", clients[0], notes="first")

    def dies(*_args, **_kwargs):
        raise KeyboardInterrupt("killed after sending")

    monkeypatch.setattr(run, "pull", dies)
    with pytest.raises(KeyboardInterrupt):
        sync(laptop, server)
    monkeypatch.undo()
    assert value(server, line, "spend_actual") == 11100
    edit(laptop, "budget_line", line, spend_actual="222")
    edit(laptop, "budget_line", other, spend_actual="333")

    report = sync(laptop, server)
    assert report.resumed and report.waiting == 2
    assert value(laptop, line, "spend_actual") == 22200  # not the server's 111
    report = sync(laptop, server)
    assert not report.resumed and report.waiting == 0 and not report.conflicts
    for side in (server, laptop):
        assert value(side, line, "spend_actual") == 22200
        assert value(side, other, "spend_actual") == 33300
    with server.session() as session:
        changes = [
            (h.before, h.after)
            for h in history(session, entity="budget_line", row_id=line)
            if h.field_name == "spend_actual" and h.user == LAPTOP
        ]
    assert len(changes) == 2  # each offline change once, none sent twice
    assert "222" in changes[0][1] and "111" in changes[0][0] and "111" in changes[1][1]


@pytest.fixture(params=BACKENDS)
def twin_servers(request, demo_file, tmp_path, pg_server, pg_demo_template) -> list[str]:
    """Two identical demo servers on one backend: one story told twice."""
    import shutil

    if request.param == "sqlite":
        return [str(shutil.copyfile(demo_file, tmp_path / f"server-{n}.sqlite3")) for n in (1, 2)]
    return [pg_server.create(template=pg_demo_template) for _ in (1, 2)]


def test_a_sync_killed_at_any_moment_and_run_again_gives_the_same_end_state(twin_servers, tmp_path):
    """kill -9 during real sync processes; the twin run without kills is the reference."""
    ends = []
    for server_target, kills in zip(twin_servers, ((), (0.5, 1.0, 1.5, 2.0, 3.0)), strict=True):
        server = open_database(server_target, user=SERVER)
        owner = open_database(server_target, user=LAPTOP)
        director, clients = book_of(server)
        book = tmp_path / f"book-{len(kills)}.sqlite3"
        checkout(owner, Scope(director_id=director), book)
        laptop = open_database(book)
        scenario(server, laptop, clients)
        laptop.close()
        env = {**os.environ, "PORTFOLIO_USER": LAPTOP}
        command = [
            sys.executable,
            "-m",
            "portfolio",
            "sync",
            str(book),
            "--resolve",
            "mine",
            "--server",
            server_target,
        ]
        for delay in kills:
            process = subprocess.Popen(
                command,
                cwd=ROOT_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
        result = subprocess.run(command, cwd=ROOT_DIR, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        laptop = open_database(book)
        local, remote = snapshot_of(laptop, clients), snapshot_of(server, clients)
        assert local == remote
        ends.append(_comparable(remote))
        for db in (server, owner, laptop):
            db.close()
    assert ends[0] == ends[1]


def _comparable(snapshot: dict) -> dict:
    """A book without its new records' ids and versions, which depend on the order of
    events, so two runs of the same story compare equal."""
    out = {}
    for name, rows in snapshot.items():
        out[name] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in ("id", "version")))
            for row in rows.values()
        )
    return out


def _under(db: Database, campaign_id: int) -> tuple:
    """A campaign's lines and drops with their figures: what must not be lost."""
    with db.engine.connect() as connection:
        lines = connection.execute(
            select(BudgetLine.__table__).where(BudgetLine.campaign_id == campaign_id)
        ).all()
        drops = connection.execute(
            select(CampaignDrop.__table__).where(CampaignDrop.campaign_id == campaign_id)
        ).all()
    return sorted(tuple(row) for row in lines), sorted(tuple(row) for row in drops)


def test_a_campaign_deleted_there_and_changed_here_keeps_its_lines_until_settled(sides):
    """Regression (found trying the feature as a user): the first sync kept the deleted
    campaign here as a conflict but removed its lines and drops from the copy, and "use
    mine" then put it back on the server empty."""
    server, _owner, laptop, clients = sides
    with server.session() as session:
        campaign_id = session.scalar(
            select(Campaign.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .join(CampaignDrop, CampaignDrop.campaign_id == Campaign.id)
            .where(Campaign.client_id.in_(clients))
            .order_by(Campaign.id)
            .limit(1)
        )
    before = _under(laptop, campaign_id)
    assert before[0] and before[1]
    edit(laptop, "campaign", campaign_id, post_mortem="kept offline")
    perform(server, Action("Delete", (Delete("campaign", campaign_id),)))

    report = sync(laptop, server)
    assert [c.kind for c in report.conflicts] == ["deleted_there"]
    assert _under(laptop, campaign_id) == before  # nothing gone before anyone chose

    report = sync(laptop, server, resolve=resolver(default="mine"))
    assert not report.conflicts
    with server.session() as session:
        assert session.get(Campaign, campaign_id).post_mortem == "kept offline"
    assert _under(server, campaign_id) == _under(laptop, campaign_id) == before
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    for side in (server, laptop):
        with side.engine.connect() as connection:
            assert differences(connection) == []
    with server.session() as session:
        lines = history(session, entity="budget_line")
        newest = history(session, entity="campaign", row_id=campaign_id)[0]
    assert {line.row_id for line in lines if line.action.startswith("Put back ")} == {
        row[0] for row in before[0]
    }
    # The campaign's history says, last, that it came back (not only the offline edit,
    # dated before the deletion there).
    assert newest.action.startswith("Put back ") and newest.field is None


def test_the_command_line_says_what_to_do_when_the_server_is_not_where_it_was(
    sides, tmp_path, capsys, monkeypatch
):
    """Regression (found trying it as a user): a moved team file was reported as "does
    not exist (make a new portfolio ...)", and a manager's empty book as "Book: holds no
    clients"."""
    from portfolio.cli import main
    from portfolio.model import OfflineCopy

    server, owner, laptop, clients = sides
    book = str(laptop.path)
    right = laptop.read(lambda s: s.get(OfflineCopy, 1).server)
    if "://" in right:  # the copy remembers the server without its password: libpq's own
        monkeypatch.setenv("PGPASSWORD", server.url.password or "")
    laptop.write(lambda s: setattr(s.get(OfflineCopy, 1), "server", str(tmp_path / "gone.db")))
    edit(laptop, "client", clients[0], notes="made on the train")
    laptop.close()
    assert main(["sync", book]) == 1
    said = capsys.readouterr().err
    assert "Cannot reach the team portfolio this copy came from" in said
    assert "Your changes are safe in the copy" in said and "--server" in said
    assert main(["sync", book, "--server", right]) == 0
    assert "Sent 1 changed record (1 journal entry" in capsys.readouterr().out
    assert main(["sync", book]) == 0  # the new place is remembered
    assert capsys.readouterr().out.startswith("Nothing to send; read ")

    with server.session() as session:
        manager = session.scalar(
            select(TeamMember.name).where(
                TeamMember.id.not_in(select(Client.director_id)), TeamMember.role == "manager"
            )
        )
    out = str(tmp_path / "manager.sqlite3")
    assert main(["checkout", "--db", target_of(server), "--director", manager, "-o", out]) == 1
    assert "is the director of no client" in capsys.readouterr().err


def test_a_line_changed_here_under_a_client_deleted_there_keeps_the_whole_client(sides):
    """Regression (found trying it as a user): a line edited offline whose client was
    deleted on the server was lost from the copy with its client, and every later sync
    failed (KeyError naming the line); a deadline under a campaign deleted there was
    lost too (its key to the campaign is two columns)."""
    server, _owner, laptop, clients = sides
    gone_client = clients[0]
    line = lines_of(laptop, [gone_client], 1)[0]
    with laptop.session() as session:
        campaign_id, other_client = session.execute(
            select(Deadline.campaign_id, Deadline.client_id)
            .where(Deadline.campaign_id.is_not(None), Deadline.client_id != gone_client)
            .limit(1)
        ).one()
    kept = snapshot_of(laptop, [gone_client, other_client])
    edit(laptop, "budget_line", line, spend_actual="4321")
    edit(laptop, "campaign", campaign_id, post_mortem="kept offline")
    perform(server, Action("Delete", (Delete("client", gone_client),)))
    perform(server, Action("Delete", (Delete("campaign", campaign_id),)))

    report = sync(laptop, server)
    assert sorted(c.kind for c in report.conflicts) == ["deleted_there", "deleted_there"]
    here = snapshot_of(laptop, [gone_client, other_client])
    for name, rows in kept.items():  # nothing went before anyone chose
        assert set(here[name]) == set(rows), name
    assert value(laptop, line, "spend_actual") == 432100
    assert sync(laptop, server).conflicts  # and the next sync still works

    report = sync(laptop, server, resolve=resolver(default="mine"))
    assert not report.conflicts and report.waiting == 0
    assert value(server, line, "spend_actual") == 432100
    both = [gone_client, other_client]
    assert snapshot_of(laptop, both) == snapshot_of(server, both)
    for name, rows in kept.items():
        assert set(snapshot_of(server, both)[name]) == set(rows), name
    for side in (server, laptop):
        with side.engine.connect() as connection:
            assert differences(connection) == []


def test_ask_takes_only_real_answers_and_leaves_the_rest_when_answers_run_out(monkeypatch, capsys):
    """``--resolve ask`` from a pipe: a wrong answer is said and asked again; when the
    answers run out the rest wait for later (it raised EOFError)."""
    from portfolio.cli.offline import ask
    from portfolio.sync.merge import SyncConflict

    answers = iter(["x", "m"])

    def typed(_prompt: str) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", typed)
    conflict = SyncConflict("client", 1, "Acme", "notes", "field", "a", "b", "c")
    assert ask(conflict) == "mine"
    assert "'x' is not an answer" in capsys.readouterr().out
    assert ask(conflict) is None


def test_a_campaign_added_on_both_sides_with_lines_of_the_same_months(sides):
    """Regression (found trying it as a user): a campaign added here and there under one
    name, each with a line for January: the sync failed on a foreign key here (the
    server's lines came down under a campaign that waited), and "mine" then failed on
    the duplicate month; the copy could never sync again and January's 111 never
    reached the server."""
    server, _owner, laptop, clients = sides
    campaign = {
        "client_id": clients[0],
        "name": "Dup camp",
        "channel": "email",
        "status": "planned",
    }

    def with_lines(db: Database, months: dict[int, str]) -> None:
        made = perform(db, Action("Add", (Create("campaign", campaign),)))
        steps = tuple(
            Create(
                "budget_line",
                {"campaign_id": made.created[0], "month": month, "spend_actual": amount},
            )
            for month, amount in months.items()
        )
        perform(db, Action("Add lines", steps))

    with_lines(laptop, {202601: "111", 202603: "333"})
    with_lines(server, {202601: "999", 202602: "222"})

    def months(db: Database) -> dict[int, int]:
        with db.session() as session:
            return dict(
                session.execute(
                    select(BudgetLine.month, BudgetLine.spend_actual)
                    .join(Campaign, Campaign.id == BudgetLine.campaign_id)
                    .where(Campaign.name == "Dup camp")
                ).all()
            )

    report = sync(laptop, server)
    assert [c.kind for c in report.conflicts] == ["added_both"]
    assert months(laptop) == {202601: 11100, 202603: 33300}  # waits here, as made here
    assert months(server) == {202601: 99900, 202602: 22200}

    report = sync(laptop, server)  # still syncs while it waits
    assert [c.kind for c in report.conflicts] == ["added_both"]

    report = sync(laptop, server, resolve=resolver(default="mine"))
    assert not report.conflicts and report.waiting == 0
    assert months(server) == months(laptop) == {202601: 11100, 202602: 22200, 202603: 33300}
    assert snapshot_of(laptop, clients) == snapshot_of(server, clients)
    for side in (server, laptop):
        with side.engine.connect() as connection:
            assert differences(connection) == []


def test_reference_data_changed_outside_the_journal_reaches_the_copy(sides):
    """Regression (found trying it as a user): a manager locking budget years writes a
    setting without a journal entry, so the copy never learnt of the lock (nor of it
    being lifted). Reference data now comes down whole at every sync."""
    from portfolio.access.logins import BUDGET_LOCK_KEY, lock_budgets
    from portfolio.model import Setting

    server, _owner, laptop, _clients = sides

    def lock(db: Database):
        with db.session() as session:
            row = session.get(Setting, BUDGET_LOCK_KEY)
            return None if row is None else row.value

    lock_budgets(server, 2026)
    sync(laptop, server)
    assert lock(laptop) == "2026"
    lock_budgets(server, None)
    sync(laptop, server)
    assert lock(laptop) is None


def test_an_import_and_its_undo_made_offline_are_an_import_and_an_undo_on_the_server(
    sides, tmp_path
):
    """Regression (found trying it as a user): an import undone in the copy reached the
    server as a plain edit, the import there stayed "not undone" (without its file
    name), and the server's `import undo` kept offering it, then refused."""
    from portfolio.errors import PortfolioError
    from portfolio.imports.importer import run_import, undo_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.model import JournalEntry

    server, owner, laptop, clients = sides
    with laptop.session() as session:
        client, campaign, month = session.execute(
            select(Client.name, Campaign.name, BudgetLine.month)
            .join(Campaign, Campaign.client_id == Client.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(Client.id == clients[0])
            .order_by(Campaign.name, BudgetLine.month)
            .limit(1)
        ).one()
    path = tmp_path / "forecast.csv"
    path.write_text(
        "Client,Campaign,Month,Spend forecast\n"
        f'"{client}","{campaign}",{month // 100}-{month % 100:02d},12345.67\n',
        encoding="utf-8",
    )
    run_import(laptop, path, ImportOptions())
    undo_import(laptop)  # undone before it was ever sent: both go in one sync
    run_import(laptop, path, ImportOptions())
    sync(laptop, server)
    undo_import(laptop)  # undone after the import reached the server
    sync(laptop, server)
    with server.session() as session:
        imports = session.scalars(
            select(JournalEntry).where(JournalEntry.kind == "import").order_by(JournalEntry.id)
        ).all()
        mine = [entry for entry in imports if entry.origin is not None]
        assert len(mine) == 2 and all(entry.source == "forecast.csv" for entry in mine)
        for entry in mine:
            undo = session.get(JournalEntry, entry.undone_by_id)
            assert undo is not None and undo.kind == "undo"
    with pytest.raises(PortfolioError):
        undo_import(owner)  # nothing of Isla's is left to undo there
