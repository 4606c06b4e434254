"""Closed months whose actuals have not come in are counted and said, on both backends.

Regression (a try-out, 1 December): every November line of the demo had no actual, so
each figure page counted November's actuals as 0 - a whole month of spend read as
underspent, and revenue as short by its whole budget - and nothing said so.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from portfolio.analytics.dimensions import Scope
from portfolio.analytics.missing_actuals import MissingActuals, MonthMissing, missing_actuals
from portfolio.analytics.overview import overview
from portfolio.analytics.summary import client_summary, render_summary
from portfolio.model import BudgetLine, Campaign, Client
from portfolio.periods import Period
from portfolio.storage import migrate, open_database, totals
from tests.conftest import AS_OF, TODAY

YEAR = Period(202601, 202612, "2026")


def _blank(db, where, *columns: str) -> list[int]:
    """Empty ``columns`` of the lines ``where`` selects; their ids."""
    with db.session() as session:
        ids = list(session.scalars(select(BudgetLine.id).where(where).order_by(BudgetLine.id)))
        session.execute(
            update(BudgetLine).where(BudgetLine.id.in_(ids)).values(dict.fromkeys(columns))
        )
        session.commit()
    return ids


def _counted(db, scope_sql: str = "") -> dict[int, tuple[int, int, int, int]]:
    """Per closed month of 2026, straight from the lines: (lines, no spend, no revenue,
    no sales actual)."""
    query = (
        "SELECT bl.month, COUNT(*), "
        "SUM(CASE WHEN bl.spend_actual IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN bl.revenue_actual IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN bl.sales_actual IS NULL THEN 1 ELSE 0 END) "
        "FROM budget_line bl JOIN campaign ca ON ca.id = bl.campaign_id "
        f"WHERE bl.month BETWEEN 202601 AND {AS_OF} {scope_sql} GROUP BY bl.month"
    )
    with db.engine.connect() as connection:
        return {
            int(row[0]): tuple(int(v) for v in row[1:])
            for row in connection.execute(text(query))
            if any(row[2:])
        }


def _as_dict(found: MissingActuals) -> dict[int, tuple[int, int, int, int]]:
    return {m.month: (m.lines, m.spend, m.revenue, m.sales) for m in found.months}


def test_a_demo_with_every_actual_in_has_none_missing(demo):
    with demo.session() as session:
        assert missing_actuals(session, YEAR, AS_OF) == MissingActuals()
        assert overview(session, today=TODAY, as_of=AS_OF).missing.note("spend") is None


def test_missing_actuals_are_counted_as_the_lines_say_whatever_the_scope(demo):
    with demo.session() as session:
        client_id = session.scalar(select(Client.id).order_by(Client.id))
        campaign_ids = tuple(
            session.scalars(select(Campaign.id).where(Campaign.client_id == client_id))
        )
    # The last closed month: no actuals at all; an earlier one: one measure on a few.
    _blank(demo, BudgetLine.month == AS_OF, "spend_actual", "revenue_actual", "sales_actual")
    _blank(demo, (BudgetLine.month == 202603) & (BudgetLine.id % 7 == 0), "revenue_actual")
    # An open month's empty actual is no news: its outlook is its forecast.
    _blank(demo, BudgetLine.month == 202611, "spend_actual")
    with demo.session() as session:
        book = missing_actuals(session, YEAR, AS_OF)
        client = missing_actuals(session, YEAR, AS_OF, Scope(client_ids=(client_id,)))
        campaigns = missing_actuals(session, YEAR, AS_OF, Scope(campaign_ids=campaign_ids))
    assert _as_dict(book) == _counted(demo)
    assert set(_as_dict(book)) == {AS_OF, 202603}
    assert [m.month for m in book.months] == [AS_OF, 202603]  # latest first
    assert _as_dict(client) == _counted(demo, f"AND ca.client_id = {client_id}")
    assert _as_dict(campaigns) == _as_dict(client)  # read from the lines: the same
    october = book.months[0]
    assert october.spend == october.revenue == october.lines > 0
    assert book.lines("spend") == october.lines
    assert book.note("spend") == (
        f"No spend actual entered yet for Oct 2026 on {october.lines:,} of "
        f"{october.lines:,} budget lines: counted as 0."
    )
    march = book.months[1]
    assert march.spend == 0 and 0 < march.revenue < march.lines
    assert book.note("revenue").startswith(
        f"No revenue actual entered yet on {october.lines + march.revenue:,} budget lines "
        f"of closed months (Oct 2026: {october.lines:,} of {october.lines:,}; "
        f"Mar 2026: {march.revenue:,} of {march.lines:,})"
    )
    # Measures missing on the same lines are said once; others apart.
    with demo.session() as session:
        only_october = missing_actuals(session, Period(202604, 202612, "x"), AS_OF)
    assert only_october.note("spend", "revenue", "sales") == (
        f"No spend, revenue or sales actual entered yet for Oct 2026 on {october.lines:,} of "
        f"{october.lines:,} budget lines: counted as 0."
    )
    assert book.note("spend", "revenue").count("No ") == 2
    # A period that closed no month yet has nothing missing.
    with demo.session() as session:
        assert missing_actuals(session, Period(202611, 202612, "x"), AS_OF) == MissingActuals()


def test_the_figure_cubes_answer_as_sql_does(demo):
    """The figure pages read the counts from the monthly totals' cube in memory."""
    from portfolio.analytics.cubes import FigureCubes, use_cubes

    _blank(demo, BudgetLine.month == AS_OF, "spend_actual", "sales_actual")
    _blank(demo, (BudgetLine.month == 202603) & (BudgetLine.id % 5 == 0), "revenue_actual")
    with demo.session() as session:
        client_ids = tuple(session.scalars(select(Client.id).order_by(Client.id).limit(3)))
        director, vertical = session.execute(
            select(Client.director_id, Client.vertical).order_by(Client.id)
        ).first()
    scopes = [
        Scope(),
        Scope(client_ids=client_ids),
        Scope(director_ids=(director,)),
        Scope(verticals=(vertical,)),
        Scope(fiscal_year_starts=(1,)),
    ]
    periods = [
        YEAR,
        Period(202603, 202603, "Mar"),
        Period(202611, 202612, "open"),
        Period(202501, 202612, "two years"),
    ]
    cubes = FigureCubes()
    for scope in scopes:
        for period in periods:
            with demo.session() as session:
                by_sql = missing_actuals(session, period, AS_OF, scope)
            with demo.session() as session:
                use_cubes(session, cubes)
                from_cube = cubes.missing(session, period, AS_OF, scope)
                assert from_cube is not None, (scope, period)
                assert missing_actuals(session, period, AS_OF, scope) == from_cube
            assert from_cube == by_sql, (scope, period)
    assert from_cube.lines("spend") > 0 and from_cube.lines("revenue") > 0  # not vacuous
    # A campaign scope is not the cube's: SQL answers.
    with demo.session() as session:
        use_cubes(session, cubes)
        assert cubes.missing(session, YEAR, AS_OF, Scope(campaign_ids=(1,))) is None


def test_the_client_page_the_overview_and_the_summary_say_so(demo):
    _blank(demo, BudgetLine.month == AS_OF, "spend_actual", "revenue_actual")
    with demo.session() as session:
        client = session.scalars(select(Client).order_by(Client.id)).first()
        summary = client_summary(session, client, as_of=AS_OF, today=TODAY)
        kpis = overview(session, today=TODAY, as_of=AS_OF)
    assert summary.missing.note("spend", "revenue").startswith(
        "No spend or revenue actual entered yet for Oct 2026"
    )
    assert "counted as 0" in render_summary(summary)
    assert summary.as_dict()["lines_without_actuals"]["spend"] == summary.missing.lines("spend")
    assert kpis.missing.lines("spend") == _counted(demo)[AS_OF][1]


def test_the_totals_keep_the_counts_through_edits_and_undo(demo):
    """The counts live in the monthly totals: triggers keep them with every write."""
    from portfolio.actions import Action, Edit, perform, undo

    with demo.session() as session:
        line = session.scalars(
            select(BudgetLine.id).where(BudgetLine.month == AS_OF).order_by(BudgetLine.id)
        ).first()
    outcome = perform(
        demo, Action("Clear actual", (Edit("budget_line", line, {"spend_actual": None}),))
    )
    with demo.session() as session:
        assert missing_actuals(session, YEAR, AS_OF).lines("spend") == 1
    undo(demo, outcome.entry_id)
    with demo.session() as session:
        assert missing_actuals(session, YEAR, AS_OF) == MissingActuals()
    with demo.engine.connect() as connection:
        assert totals.differences(connection) == []


@given(
    st.lists(
        st.builds(
            MonthMissing,
            st.integers(202001, 202012).filter(lambda m: 1 <= m % 100 <= 12),
            st.integers(0, 50),
            st.integers(0, 50),
            st.integers(0, 50),
            st.integers(0, 50),
        ),
        max_size=6,
    )
)
def test_combined_adds_month_by_month_and_keeps_the_latest_first(months):
    parts = [MissingActuals(tuple(months[::2])), MissingActuals(tuple(months[1::2]))]
    combined = MissingActuals.combined(parts)
    # Months with every actual in count their lines, then are left out of the result.
    missing = {m.month for m in months if m.spend or m.revenue or m.sales}
    assert [m.month for m in combined.months] == sorted(missing, reverse=True)
    for measure in ("spend", "revenue", "sales"):
        assert combined.lines(measure) == sum(m.of(measure) for m in months)
    assert (combined.note("spend") is None) == (combined.lines("spend") == 0)
    # One scope read over overlapping periods: each month once.
    unique = MissingActuals.union([MissingActuals(tuple(months))])
    assert MissingActuals.union([unique, unique, MissingActuals()]) == unique
    assert [m.month for m in unique.months] == sorted({m.month for m in months}, reverse=True)


def test_a_portfolio_from_before_the_counts_upgrades_with_them_exact(demo):
    """Migration 0008 on a portfolio made before it: the columns are added and filled
    from the lines, and the stamps stay (a snapshot of the lines stays valid)."""
    target = demo.engine.url.render_as_string(hide_password=False)
    if demo.is_sqlite:
        target = demo.engine.url.database
    with demo.engine.begin() as connection:
        # Written while the triggers keep the sums, as 0007's did; then back to 0007.
        connection.execute(
            update(BudgetLine).where(BudgetLine.month == AS_OF).values(spend_actual=None)
        )
        totals.drop_triggers(connection)
        for name in ("spend_actual_missing", "revenue_actual_missing", "sales_actual_missing"):
            connection.execute(text(f"ALTER TABLE month_total DROP COLUMN {name}"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0007'"))
        stamps = set(connection.execute(text("SELECT month, client_id, stamp FROM month_total")))
    demo.close()
    db = open_database(target)
    try:
        assert (db.upgrade_backup is not None) == db.is_sqlite
        with db.engine.connect() as reading:
            assert reading.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                migrate.SCHEMA_HEAD
            )
            assert totals.differences(reading) == []
            kept = set(reading.execute(text("SELECT month, client_id, stamp FROM month_total")))
        assert kept == stamps
        with db.session() as session:
            found = missing_actuals(session, YEAR, AS_OF)
            assert found.lines("spend") == session.scalar(
                select(func.count()).where(BudgetLine.month == AS_OF)
            )
            assert found.lines("revenue") == 0
        # ... and the triggers of 0008 keep them from then on.
        with db.engine.begin() as connection:
            connection.execute(
                update(BudgetLine).where(BudgetLine.month == AS_OF).values(revenue_actual=None)
            )
        with db.engine.connect() as reading:
            assert totals.differences(reading) == []
    finally:
        db.close()


@pytest.mark.parametrize("months", [4, 5])
def test_a_note_names_three_months_and_counts_the_rest(months):
    found = MissingActuals(
        tuple(MonthMissing(202610 - step, 10, 1, 0, 0) for step in range(months))
    )
    note = found.note("spend")
    assert note.count(" of 10") == 3
    more = months - 3
    assert f"; {more} more month{'s' if more > 1 else ''})" in note


def test_measures_missing_on_as_many_lines_are_not_said_as_the_same_lines():
    """Regression (a try-out): one line without a spend actual and another without a
    revenue actual read "No spend or revenue actual ... on 1 of 5 budget lines": two
    lines were one. The totals count each measure apart, so measures share a sentence
    only when every month has none or all of its lines missing."""
    partly = MissingActuals((MonthMissing(202611, 5, 1, 1, 0),))
    assert partly.note("spend", "revenue") == (
        "No spend actual entered yet for Nov 2026 on 1 of 5 budget lines: counted as 0. "
        "No revenue actual entered yet for Nov 2026 on 1 of 5 budget lines: counted as 0."
    )
    whole = MissingActuals((MonthMissing(202611, 5, 5, 5, 0), MonthMissing(202610, 4, 0, 0, 0)))
    assert whole.note("spend", "revenue") == (
        "No spend or revenue actual entered yet for Nov 2026 on 5 of 5 budget lines: counted as 0."
    )
    mixed = MissingActuals((MonthMissing(202611, 5, 5, 5, 5), MonthMissing(202610, 4, 1, 1, 0)))
    assert mixed.note("spend", "revenue", "sales").count("No ") == 3
