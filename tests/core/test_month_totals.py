"""The monthly totals the roll-ups read stay exact through every kind of write, on both
backends, and give the same figures as adding up the budget lines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portfolio.actions import Create, Delete, Edit, perform, redo, undo
from portfolio.analytics.dimensions import LINES, TOTALS, Scope
from portfolio.analytics.recovery import recovery_plan
from portfolio.analytics.variance import variance_rollup
from portfolio.cli import main
from portfolio.imports.importer import run_import, undo_import
from portfolio.imports.plan import ImportOptions
from portfolio.model import BudgetLine, Campaign, Client, MonthTotal
from portfolio.periods import Period
from portfolio.storage import totals
from tests.conftest import AS_OF, TODAY
from tests.workbooks.test_import_roundtrip import _edit, _export_client


def exact(db) -> bool:
    with db.engine.connect() as connection:
        found = totals.differences(connection)
    assert found == [], [d.describe() for d in found[:5]]
    return True


def _ids(db, query) -> list[int]:
    with db.session() as session:
        return list(session.scalars(query))


def test_a_new_demo_has_its_totals_and_they_are_exact(demo):
    with demo.session() as session:
        assert session.scalar(select(func.count()).select_from(MonthTotal)) > 100
    assert exact(demo)


def test_edits_creates_deletes_cascades_undo_and_redo_keep_the_totals_exact(demo):
    line = _ids(demo, select(BudgetLine.id).order_by(BudgetLine.id).limit(1))[0]
    campaign, other = _ids(demo, select(Campaign.id).order_by(Campaign.id).limit(2))
    client = _ids(demo, select(Client.id).order_by(Client.id.desc()).limit(1))[0]
    entries = []

    def do(*steps) -> None:
        outcome = perform(demo, _action(steps))
        entries.append(outcome.entry_id)
        assert exact(demo)

    do(Edit("budget_line", line, {"spend_actual": "1234.56", "revenue_forecast": "99"}))
    do(Edit("budget_line", line, {"spend_actual": None, "sales_actual": "7"}))
    do(Edit("budget_line", line, {"month": "2031-05"}))  # a line moved to another month
    do(Edit("budget_line", line, {"campaign_id": other}))  # ... and to another campaign
    do(Create("budget_line", {"campaign_id": campaign, "month": "2031-01", "spend_budget": "5"}))
    do(Delete("budget_line", line))
    do(Delete("campaign", campaign))  # its lines go with it
    do(Delete("client", client))  # its campaigns and their lines go with it
    for entry in reversed(entries):
        undo(demo, entry)
        assert exact(demo)
    for entry in entries:
        with demo.session() as session:
            from portfolio.model import JournalEntry

            undone_by = session.get(JournalEntry, entry).undone_by_id
        assert undone_by is not None
        redo(demo, entry, overwrite=True)
        assert exact(demo)


def _action(steps):
    from portfolio.actions import Action

    return Action("test", steps)


def test_a_campaign_moved_to_another_client_moves_its_totals(demo):
    campaign, first, second = None, None, None
    with demo.session() as session:
        campaign, first = session.execute(
            select(Campaign.id, Campaign.client_id)
            .where(~Campaign.id.in_(select(text("campaign_id FROM makeup_action"))))
            .order_by(Campaign.id)
            .limit(1)
        ).one()
        second = session.scalar(select(Client.id).where(Client.id != first).limit(1))
    with demo.transaction() as session:
        session.execute(
            text("UPDATE campaign SET client_id = :c WHERE id = :id"), {"c": second, "id": campaign}
        )
    assert exact(demo)


def test_an_import_and_its_undo_keep_the_totals_exact(demo, tmp_path):
    with demo.session() as session:
        name = session.scalar(select(Client.name).order_by(Client.name).limit(1))
    exported, edited = tmp_path / "client.xlsx", tmp_path / "edited.xlsx"
    _export_client(demo, exported, name)
    _edit(exported, edited)
    result = run_import(demo, edited, ImportOptions())
    assert result.applied.added == 1 and result.applied.changed == 2
    assert exact(demo)
    undo_import(demo)
    assert exact(demo)


def test_check_finds_a_wrong_total_and_rebuild_mends_it(demo, capsys):
    with demo.transaction() as session:
        session.execute(
            text(
                "UPDATE month_total SET spend_forecast = spend_forecast + 1"
                " WHERE month = (SELECT min(month) FROM month_total)"
            )
        )
        session.execute(
            text("DELETE FROM month_total WHERE month = (SELECT max(month) FROM month_total)")
        )
    with demo.engine.connect() as connection:
        found = totals.differences(connection)
    assert found
    assert any(d.kept is None for d in found) and any(d.kept and d.expected for d in found)
    assert "spend_forecast" in " ".join(d.describe() for d in found)
    target = demo.engine.url.render_as_string(hide_password=False)
    if demo.is_sqlite:
        target = demo.engine.url.database
    code = main(["check", "--db", target])
    out = capsys.readouterr().out
    assert code == 1 and "differ from the budget lines" in out and "--rebuild-totals" in out
    code = main(["check", "--db", target, "--rebuild-totals"])
    out = capsys.readouterr().out
    assert code == 0 and "match its budget lines exactly" in out
    assert exact(demo)


# -- random writes: the totals equal the lines, and so do the figures ---------------------

MONEY = st.integers(min_value=0, max_value=10**9)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("set"),
            st.integers(0, 10**6),
            st.sampled_from(totals.MEASURE_COLUMNS),
            st.one_of(st.none(), MONEY),
        ),
        st.tuples(st.just("add"), st.integers(0, 10**6), st.integers(1, 12), MONEY),
        st.tuples(st.just("delete"), st.integers(0, 10**6)),
        st.tuples(st.just("move"), st.integers(0, 10**6), st.integers(-13, 13)),
        st.tuples(st.just("drop_campaign"), st.integers(0, 10**6)),
        st.tuples(st.just("drop_client"), st.integers(0, 10**6)),
        st.tuples(st.just("bulk"), st.integers(0, 10**6), st.integers(1, 7)),
        st.tuples(st.just("move_campaign"), st.integers(0, 10**6), st.integers(0, 10**6)),
        st.tuples(st.just("renew_campaign"), st.integers(0, 10**6), st.integers(0, 10**6)),
    ),
    min_size=1,
    max_size=8,
)
LEVELS = ("client", "director", "vertical", "month", "quarter", "year")


def _shift(month: int, months: int) -> int:
    """``month`` (YYYYMM) moved by ``months``."""
    year, index = divmod((month // 100) * 12 + month % 100 - 1 + months, 12)
    return year * 100 + index + 1


def _pick(connection, query: str, seed: int):
    rows = connection.execute(text(query)).all()
    return rows[seed % len(rows)] if rows else None


def _apply(connection, operation) -> None:
    kind, seed, *rest = operation
    if kind == "set":
        column, value = rest
        if value is None and not column.endswith("_actual"):
            value = 0
        row = _pick(connection, "SELECT id FROM budget_line ORDER BY id", seed)
        if row:
            connection.execute(
                text(f"UPDATE budget_line SET {column} = :v WHERE id = :id"),
                {"v": value, "id": row[0]},
            )
    elif kind == "add":
        calendar_month, amount = rest
        row = _pick(connection, "SELECT id FROM campaign ORDER BY id", seed)
        if row:
            connection.execute(
                text(
                    "INSERT INTO budget_line (campaign_id, month, spend_budget, spend_forecast,"
                    " spend_actual, revenue_budget, revenue_forecast, sales_budget,"
                    " sales_forecast, version) SELECT :c, :m, :a, :a, :a, 2 * :a, :a, 3, 4, 1"
                    " WHERE NOT EXISTS (SELECT 1 FROM budget_line WHERE campaign_id = :c"
                    " AND month = :m)"
                ),
                {"c": row[0], "m": 203000 + calendar_month, "a": amount},
            )
    elif kind == "delete":
        row = _pick(connection, "SELECT id FROM budget_line ORDER BY id", seed)
        if row:
            connection.execute(text("DELETE FROM budget_line WHERE id = :id"), {"id": row[0]})
    elif kind == "move":
        (months,) = rest
        row = _pick(connection, "SELECT id, campaign_id, month FROM budget_line ORDER BY id", seed)
        if row:
            month = _shift(row[2], months)
            connection.execute(
                text(
                    "UPDATE budget_line SET month = :m WHERE id = :id AND NOT EXISTS ("
                    "SELECT 1 FROM budget_line WHERE campaign_id = :c AND month = :m)"
                ),
                {"m": month, "id": row[0], "c": row[1]},
            )
    elif kind == "drop_campaign":
        row = _pick(connection, "SELECT id FROM campaign ORDER BY id", seed)
        if row:
            connection.execute(text("DELETE FROM campaign WHERE id = :id"), {"id": row[0]})
    elif kind == "drop_client":
        row = _pick(connection, "SELECT id FROM client ORDER BY id", seed)
        if row:
            connection.execute(text("DELETE FROM client WHERE id = :id"), {"id": row[0]})
    elif kind == "move_campaign":
        # To another client: its lines' sums move (``month_total_campaign_moved``).
        (other,) = rest
        row = _pick(connection, "SELECT id, name FROM campaign ORDER BY id", seed)
        client = _pick(connection, "SELECT id FROM client ORDER BY id", other)
        if row and client:
            # Rows naming the campaign with its client refuse the move: then none.
            savepoint = connection.begin_nested()
            try:
                connection.execute(
                    text(
                        "UPDATE campaign SET client_id = :client WHERE id = :id AND NOT "
                        "EXISTS (SELECT 1 FROM campaign WHERE client_id = :client AND name = :name)"
                    ),
                    {"client": client[0], "id": row[0], "name": row[1]},
                )
                savepoint.commit()
            except IntegrityError:
                savepoint.rollback()
    elif kind == "renew_campaign":
        # Deleted, then made again with the same id (SQLite reuses the highest id) for
        # another client, with a line: nothing of the old one may be counted for it.
        (other,) = rest
        row = _pick(connection, "SELECT id FROM campaign ORDER BY id", seed)
        client = _pick(connection, "SELECT id FROM client ORDER BY id", other)
        if row and client:
            connection.execute(text("DELETE FROM campaign WHERE id = :id"), {"id": row[0]})
            connection.execute(
                text(
                    "INSERT INTO campaign (id, client_id, name, channel, status, version) "
                    "VALUES (:id, :client, :name, 'email', 'active', 1)"
                ),
                {"id": row[0], "client": client[0], "name": f"Renewed {row[0]}"},
            )
            connection.execute(
                text(
                    "INSERT INTO budget_line (campaign_id, month, spend_budget, spend_forecast,"
                    " revenue_budget, revenue_forecast, sales_budget, sales_forecast, version)"
                    " VALUES (:id, 202603, 5, 6, 7, 8, 9, 10, 1)"
                ),
                {"id": row[0]},
            )
    elif kind == "bulk":
        (step,) = rest
        connection.execute(
            text(
                "UPDATE budget_line SET spend_forecast = spend_forecast + :s,"
                " revenue_actual = NULL, sales_budget = sales_budget + 1"
                " WHERE id % 7 = :r"
            ),
            {"s": step * 100, "r": seed % 7},
        )


def _figures(session: Session, source, level: str, measure: str, period: Period, currency):
    rollup = variance_rollup(
        session,
        by=(level,),
        period=period,
        as_of=AS_OF,
        measure_name=measure,
        currency=currency,
        source=source,
    )
    rows = [
        (r.key, r.currency, int(r.budget), int(r.forecast), int(r.actual), int(r.outlook))
        for r in rollup.rows
    ]
    return rows, rollup.converted_to


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=OPERATIONS,
    level=st.sampled_from(LEVELS),
    measure=st.sampled_from(("spend", "revenue", "sales")),
    first=st.integers(202501, 202512),
    months=st.integers(0, 23),
    currency=st.sampled_from((None, "USD")),
)
def test_random_writes_keep_totals_equal_to_the_lines(
    demo, operations, level, measure, first, months, currency
):
    period = Period(first, _shift(first, months), "test")
    with demo.engine.connect() as connection:
        transaction = connection.begin()
        try:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            for operation in operations:
                _apply(connection, operation)
            found = totals.differences(connection)
            assert found == [], [d.describe() for d in found[:5]]
            with Session(bind=connection) as session:
                from_totals = _figures(session, TOTALS, level, measure, period, currency)
                from_lines = _figures(session, LINES, level, measure, period, currency)
                assert from_totals == from_lines
                plans = [
                    [
                        (i.client_id, i.shortfall, i.planned)
                        for i in recovery_plan(
                            session, as_of=AS_OF, measure_name=measure, scope=scope
                        )
                    ]
                    for scope in (Scope(), Scope(extra=(BudgetLine.id > 0,)))
                ]
                assert plans[0] == plans[1]
        finally:
            transaction.rollback()


@pytest.mark.parametrize("level", ["client", "director", "month"])
def test_totals_and_lines_agree_on_the_demo_to_the_cent(demo, level):
    with demo.session() as session:
        for measure in ("spend", "revenue", "sales"):
            for period in (Period(202501, 202612, "2y"), Period(202610, 202610, "m")):
                assert _figures(session, TOTALS, level, measure, period, None) == _figures(
                    session, LINES, level, measure, period, None
                )


def test_amounts_too_large_for_sql_integers_convert_the_same(demo):
    """A product past 64 bits would turn into a float in SQLite: such a roll-up is
    converted in Python instead, with the same figures as the lines' path."""
    with demo.transaction() as session:
        line = session.scalar(
            select(BudgetLine.id)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(Client.currency != "USD", BudgetLine.month == 202603)
            .limit(1)
        )
        session.execute(
            text("UPDATE budget_line SET spend_budget = :v WHERE id = :id"),
            {"v": 9 * 10**15, "id": line},
        )
    period = Period(202601, 202612, "2026")
    with demo.session() as session:
        for level in ("director", "year"):
            from_totals = _figures(session, TOTALS, level, "spend", period, "USD")
            assert from_totals == _figures(session, LINES, level, "spend", period, "USD")
            assert max(row[2] for row in from_totals[0]) > 9 * 10**15
    if demo.is_sqlite:
        return
    # PostgreSQL refuses the 64-bit product and forms it in numeric: still the same.
    with demo.session() as session:
        assert _figures(session, TOTALS, "vertical", "spend", period, None) == _figures(
            session, LINES, "vertical", "spend", period, None
        )


def test_converted_roll_ups_of_an_empty_portfolio_are_empty(database):
    """Regression: with no clients there were no rates to join, and the Overview of a
    new portfolio never finished loading."""
    from portfolio.analytics.overview import overview
    from portfolio.analytics.team import team_rollup

    with database.session() as session:
        rollup = variance_rollup(
            session,
            by=("director",),
            period=Period(202601, 202612, "y"),
            as_of=AS_OF,
            currency="USD",
        )
        assert rollup.rows == [] and rollup.converted_to == "USD"
        assert overview(session, today=TODAY, as_of=AS_OF).spend_ytd is None
        assert team_rollup(session, period=Period(202601, 202612, "y"), as_of=AS_OF) == []
