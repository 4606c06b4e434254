"""The lines' cube brought up to date from lines read before (in memory after an edit,
or the last run's snapshot on disk): the same lines as reading them all again, on both
backends, after random writes; and a snapshot that cannot be trusted is never used."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portfolio.analytics import cube_lines
from portfolio.analytics.campaign_cube import CampaignCube
from portfolio.analytics.cube_lines import Lines, changed_keys, current, read_stamps
from portfolio.analytics.cube_snapshot import KEEP, LinesSnapshot
from portfolio.analytics.cubes import FigureCubes, use_cubes
from portfolio.analytics.dimensions import LINES
from portfolio.analytics.variance import variance_rollup
from portfolio.model import BudgetLine, Campaign, Client
from portfolio.periods import Period
from portfolio.storage import totals
from tests.conftest import AS_OF
from tests.core.test_month_totals import OPERATIONS, _apply

TWO_YEARS = Period(202501, 202612, "2y")


def _named(connection) -> list:
    return connection.execute(select(Campaign.id, Campaign.name, Campaign.client_id)).all()


def _arrays(lines: Lines) -> list[list[int]]:
    return [
        values.tolist()
        for values in (lines.ids, lines.clients, lines.starts, lines.months, *lines.figures)
    ]


def _key(month: int, client: int) -> int:
    return month << 32 | client


def _campaign_rows(session: Session, cubes: FigureCubes) -> tuple:
    """The campaign level of spend from ``cubes``, and as SQL gives it from the lines."""
    use_cubes(session, cubes)
    args = dict(by=("campaign",), period=TWO_YEARS, as_of=AS_OF, measure_name="spend")
    cubed = variance_rollup(session, **args)
    plain = variance_rollup(session, source=LINES, **args)

    def rows(rollup) -> list:
        return [(r.key, r.labels, r.budget, r.forecast, r.actual, r.outlook) for r in rollup.rows]

    return rows(cubed), rows(plain)


# -- the stamps ----------------------------------------------------------------------


def test_every_write_that_moves_a_line_stamps_its_client_month_anew(demo):
    with demo.engine.connect() as connection:
        transaction = connection.begin()
        try:
            before = read_stamps(connection)
            assert len(np.unique(before[:, 2])) == len(before)  # random, not 0
            line = connection.execute(
                text(
                    "SELECT bl.id, bl.month, c.client_id, c.id FROM budget_line bl "
                    "JOIN campaign c ON c.id = bl.campaign_id ORDER BY bl.id LIMIT 1"
                )
            ).one()
            connection.execute(
                text("UPDATE budget_line SET revenue_actual = 12345 WHERE id = :id"),
                {"id": line[0]},
            )
            after_edit = read_stamps(connection)
            assert changed_keys(before, after_edit).tolist() == [_key(line[1], line[2])]

            # What no figure depends on moves no stamp.
            connection.execute(text("UPDATE client SET name = name || ' (renamed)'"))
            connection.execute(text("UPDATE budget_line SET version = version + 1"))
            assert changed_keys(after_edit, read_stamps(connection)).size == 0

            # A campaign moved to another client: its months at both clients. (Rows
            # that name a campaign with its client refuse the move: take one without.)
            other = connection.execute(
                text("SELECT id FROM client WHERE id <> :c ORDER BY id LIMIT 1"),
                {"c": line[2]},
            ).scalar_one()
            moved_from = read_stamps(connection)
            for found in connection.execute(
                text("SELECT id, client_id FROM campaign WHERE client_id <> :o ORDER BY id"),
                {"o": other},
            ).all():
                campaign, client = found
                savepoint = connection.begin_nested()
                try:
                    connection.execute(
                        text("UPDATE campaign SET client_id = :o WHERE id = :c"),
                        {"o": other, "c": campaign},
                    )
                    savepoint.commit()
                    break
                except IntegrityError:
                    savepoint.rollback()
            months = (
                connection.execute(
                    text("SELECT month FROM budget_line WHERE campaign_id = :c"), {"c": campaign}
                )
                .scalars()
                .all()
            )
            assert months
            expected = sorted(_key(month, c) for month in months for c in (client, other))
            assert changed_keys(moved_from, read_stamps(connection)).tolist() == expected

            # The rebuild (``portfolio check --rebuild-totals``) stamps every row anew.
            rebuilt_from = read_stamps(connection)
            totals.rebuild(connection)
            now = read_stamps(connection)
            assert not np.isin(now[:, 2], rebuilt_from[:, 2]).any()
        finally:
            transaction.rollback()


# -- lines brought up to date --------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_random_writes_then_lines_brought_up_to_date_equal_lines_read_again(
    demo, monkeypatch, operations
):
    # However much changed, bring the lines up to date (not read them all again).
    monkeypatch.setattr(cube_lines, "MOST_CHANGED", 1.0)
    with demo.engine.connect() as connection:
        transaction = connection.begin()
        try:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            base, _ = current(connection, None, _named)
            assert base.made == "read"
            base_arrays = _arrays(base)
            for operation in operations:
                _apply(connection, operation)
            refreshed, _ = current(connection, base, _named)
            again, _ = current(connection, None, _named)
            assert refreshed.made in ("kept", "refreshed")
            assert _arrays(refreshed) == _arrays(again)
            assert np.array_equal(refreshed.stamps, again.stamps)
            # The base is not changed: a cube still using it stays as it was.
            assert _arrays(base) == base_arrays
        finally:
            transaction.rollback()


def test_too_many_changed_clients_read_every_line_again(demo, monkeypatch):
    with demo.reading() as session:
        base, _ = current(session.connection(), None, _named)
    with demo.transaction() as session:
        session.execute(text("UPDATE budget_line SET sales_budget = sales_budget + 1"))
    monkeypatch.setattr(cube_lines, "MOST_CLIENTS_READ", 3)
    with demo.reading() as session:
        lines, _ = current(session.connection(), base, _named)
        assert lines.made == "read"
        assert _arrays(lines) == _arrays(current(session.connection(), None, _named)[0])


def test_after_an_edit_the_campaign_level_reads_only_what_changed(demo, monkeypatch):
    """Issue 15: the lines' cube was dropped and read again in full (0.8 s on the
    million-line demo) after every edit; now the last lines are the base of the next."""
    cubes = FigureCubes()
    with demo.reading() as session:
        cube = cubes.campaigns(session)
        assert cube.lines.made == "read"
    from portfolio.actions import Action, Edit, perform

    with demo.session() as session:
        line = session.scalar(select(BudgetLine.id).where(BudgetLine.month == 202603).limit(1))
    result = perform(demo, Action("Edit", (Edit("budget_line", line, {"spend_budget": 777}),)))
    cubes.changed(result.changes)
    _no_full_read(monkeypatch)
    with demo.reading() as session:
        assert cubes.campaigns(session).lines.made == "refreshed"
        cubed, plain = _campaign_rows(session, cubes)
        assert cubed == plain
        assert any(row[2] >= 777 for row in cubed)


def _no_full_read(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("every line was read again")

    monkeypatch.setattr(cube_lines, "read_ranges", refuse)


# -- the snapshot on disk ------------------------------------------------------------


def test_a_later_run_starts_from_the_snapshot_and_reads_only_what_changed(
    demo, tmp_path, monkeypatch
):
    snapshot = LinesSnapshot(tmp_path / "lines.npz")
    first = FigureCubes(snapshot)
    with demo.reading() as session:
        assert first.campaigns(session).lines.made == "read"
    first.saved(60)
    assert snapshot.path.exists()

    # Another program (another user, a sync, a SQL shell) changes a line meanwhile.
    with demo.transaction() as session:
        line = session.execute(
            text("SELECT id FROM budget_line WHERE month = 202604 ORDER BY id DESC LIMIT 1")
        ).scalar_one()
        session.execute(
            text("UPDATE budget_line SET spend_budget = 424242 WHERE id = :id"), {"id": line}
        )
    with monkeypatch.context() as patch:
        _no_full_read(patch)
        second = FigureCubes(snapshot)
        with demo.reading() as session:
            assert second.campaigns(session).lines.made == "refreshed"
            cubed, plain = _campaign_rows(session, second)
            assert cubed == plain
            assert any(row[2] >= 424242 for row in cubed)
        second.saved(60)  # the snapshot was behind: saved again
        third = FigureCubes(snapshot)
        with demo.reading() as session:
            assert third.campaigns(session).lines.made == "kept"
            assert _campaign_rows(session, third)[0] == cubed

    # Totals rebuilt: no stamp is the same, so every line is read again.
    with demo.transaction() as session:
        totals.rebuild(session.connection())
    fourth = FigureCubes(snapshot)
    with demo.reading() as session:
        assert fourth.campaigns(session).lines.made == "read"
        cubed, plain = _campaign_rows(session, fourth)
        assert cubed == plain


def test_a_campaign_renewed_with_the_id_of_a_deleted_one_is_not_given_its_lines(demo, tmp_path):
    """The snapshot holds a campaign's lines by id; SQLite gives a new row the highest
    id again when that row was deleted. The stamps of the old campaign's client-months
    drop its lines; the new campaign has only its own."""
    snapshot = LinesSnapshot(tmp_path / "lines.npz")
    first = FigureCubes(snapshot)
    with demo.reading() as session:
        first.campaigns(session)
    first.saved(60)
    with demo.transaction() as session:
        last = session.scalar(select(Campaign).order_by(Campaign.id.desc()).limit(1))
        last_id, client_id = last.id, last.client_id
        other = session.scalar(select(Client.id).where(Client.id != client_id).limit(1))
        session.execute(text("DELETE FROM campaign WHERE id = :id"), {"id": last_id})
        session.execute(
            text(
                "INSERT INTO campaign (id, client_id, name, channel, status, version) "
                "VALUES (:id, :client, 'Renewed', 'email', 'active', 1)"
            ),
            {"id": last_id, "client": other},
        )
        session.execute(
            text(
                "INSERT INTO budget_line (campaign_id, month, spend_budget, spend_forecast,"
                " revenue_budget, revenue_forecast, sales_budget, sales_forecast, version)"
                " VALUES (:id, 202603, 11, 12, 13, 14, 15, 16, 1)"
            ),
            {"id": last_id},
        )
    second = FigureCubes(snapshot)
    with demo.reading() as session:
        cube = second.campaigns(session)
        found = int(np.searchsorted(cube.ids, last_id))
        assert cube.months[cube.starts[found] : cube.starts[found + 1]].tolist() == [202603]
        cubed, plain = _campaign_rows(session, second)
        assert cubed == plain


def _lines(count: int = 5) -> Lines:
    ids = np.arange(1, count + 1, dtype=np.int64)
    starts = np.arange(0, 2 * count + 1, 2, dtype=np.int64)
    months = np.tile(np.array([202601, 202602], dtype=np.int32), count)
    figures = tuple(np.arange(2 * count, dtype=np.int32) * i for i in range(9))
    stamps = np.array([[202601, 1, -5], [202602, 1, 99]], dtype=np.int64)
    return Lines(ids, ids * 10, starts, months, figures, stamps)


def test_a_snapshot_reads_back_as_it_was_saved(tmp_path):
    snapshot = LinesSnapshot(tmp_path / "cubes" / "lines.npz")
    assert snapshot.load() is None
    lines = _lines()
    snapshot.save(lines)
    loaded = snapshot.load()
    assert loaded.made == "snapshot"
    assert _arrays(loaded) == _arrays(lines)
    assert np.array_equal(loaded.stamps, lines.stamps)
    assert list(tmp_path.joinpath("cubes").iterdir()) == [snapshot.path]  # no leftovers


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "empty", "other format", "arrays disagree", "pickled"],
)
def test_a_damaged_snapshot_is_ignored_with_a_warning(tmp_path, caplog, damage):
    snapshot = LinesSnapshot(tmp_path / "lines.npz")
    lines = _lines()
    if damage == "arrays disagree":
        lines = Lines(lines.ids, lines.clients, lines.starts[:-1], *_rest(lines))
    snapshot.save(lines)
    data = snapshot.path.read_bytes()
    if damage == "truncated":
        snapshot.path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        snapshot.path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    elif damage == "empty":
        snapshot.path.write_bytes(b"")
    elif damage == "other format":
        with np.load(snapshot.path) as saved:
            arrays = {name: saved[name] for name in saved.files}
        arrays["format"] = np.int64(99)
        with open(snapshot.path, "wb") as out:
            np.savez(out, **arrays)
    elif damage == "pickled":
        with np.load(snapshot.path) as saved:
            arrays = {name: saved[name] for name in saved.files}
        arrays["ids"] = np.array([object()], dtype=object)
        with open(snapshot.path, "wb") as out:
            np.savez(out, **arrays)
    with caplog.at_level(logging.WARNING):
        assert snapshot.load() is None
    if damage != "other format":
        assert "Ignoring the lines snapshot" in caplog.text


def _rest(lines: Lines) -> tuple:
    return lines.months, lines.figures, lines.stamps


def test_a_snapshot_that_cannot_be_written_is_only_logged(tmp_path, caplog):
    blocker = tmp_path / "cubes"
    blocker.write_text("a file where the folder should be")
    snapshot = LinesSnapshot(blocker / "lines.npz")
    with caplog.at_level(logging.WARNING):
        snapshot.save(_lines())
    assert "Could not save the lines snapshot" in caplog.text


def test_only_the_most_recently_used_snapshots_are_kept(tmp_path):
    import os
    import time

    folder = tmp_path / "cubes"
    paths = []
    for index in range(KEEP + 2):
        snapshot = LinesSnapshot.of_file(tmp_path / f"book{index}.sqlite3", folder)
        snapshot.save(_lines())
        stamp = time.time() - 1000 + index
        os.utime(snapshot.path, (stamp, stamp))
        paths.append(snapshot.path)
    LinesSnapshot(paths[0]).save(_lines())  # used again: the newest
    kept = set(folder.glob("lines-*.npz"))
    assert paths[0] in kept and len(kept) == KEEP
    assert kept == {paths[0], *paths[-(KEEP - 1) :]}


def test_the_app_keeps_a_snapshot_for_a_file_only(demo):
    from ui.views.figure_cubes import SharedCubes

    cubes = SharedCubes(demo).get()
    assert (cubes._snapshot is not None) == demo.is_sqlite


def test_a_cube_is_the_same_from_its_snapshot(demo, tmp_path):
    snapshot = LinesSnapshot(tmp_path / "lines.npz")
    with demo.reading() as session:
        dims = FigureCubes().dims(session)
        read = CampaignCube.load(session.connection(), dims)
        snapshot.save(read.lines)
        kept = CampaignCube.load(session.connection(), dims, snapshot.load())
    assert kept.lines.made == "kept"
    assert _arrays(kept.lines) == _arrays(read.lines)
    assert (kept.names, kept.client.tolist(), kept.rank.tolist()) == (
        read.names,
        read.client.tolist(),
        read.rank.tolist(),
    )


def test_lines_a_campaign_takes_over_with_foreign_keys_off_are_counted(demo, tmp_path):
    """Regression (a new-user try-out with Python's sqlite3, whose foreign keys are off):
    a campaign deleted there left its lines behind; a campaign made later with its id
    took them over with no trigger to count them, so the totals missed them and the
    snapshot, whose stamps had not moved, showed 11,610,000 where the lines say
    42,570,000. A new campaign now adds whatever lines it finds to its client's totals."""
    if not demo.is_sqlite:
        pytest.skip("PostgreSQL always enforces foreign keys")
    snapshot = LinesSnapshot(tmp_path / "lines.npz")
    first = FigureCubes(snapshot)
    with demo.reading() as session:
        first.campaigns(session)
    first.saved(60)
    with demo.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        campaign, client = connection.execute(
            text("SELECT id, client_id FROM campaign ORDER BY id LIMIT 1")
        ).one()
        connection.execute(text("DELETE FROM campaign WHERE id = :id"), {"id": campaign})
        connection.commit()
        second = FigureCubes(snapshot)
        with demo.reading() as session:
            second.campaigns(session)
        second.saved(60)
        connection.execute(
            text(
                "INSERT INTO campaign (id, client_id, name, channel, status, version) "
                "VALUES (:id, :client, 'Reborn', 'email', 'active', 1)"
            ),
            {"id": campaign, "client": client},
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.commit()
        assert totals.differences(connection) == []
    third = FigureCubes(snapshot)
    with demo.reading() as session:
        assert third.campaigns(session).lines.made == "refreshed"
        cubed, plain = _campaign_rows(session, third)
        assert cubed == plain
        assert any(row[1][1] == "Reborn" for row in cubed)
