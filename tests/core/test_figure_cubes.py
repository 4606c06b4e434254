"""The figure cubes give exactly the figures of a direct roll-up over the budget lines,
on both backends, after random writes, and are dropped by the changes that move them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portfolio.actions import Action, Edit, perform
from portfolio.analytics.cube_rows import CubeRows
from portfolio.analytics.cubes import FigureCubes, use_cubes
from portfolio.analytics.dimensions import LINES, Scope
from portfolio.analytics.overview import overview
from portfolio.analytics.recovery import recovery_plan
from portfolio.analytics.team import team_rollup
from portfolio.analytics.variance import measure, variance_rollup, variance_rollups
from portfolio.fx import MissingRateError
from portfolio.model import BudgetLine, Campaign, Client
from portfolio.periods import Period
from tests.conftest import AS_OF, TODAY
from tests.core.test_month_totals import OPERATIONS, _apply, _shift

LEVELS = ("client", "campaign", "director", "vertical", "month", "quarter", "year")
MEASURES = ("spend", "revenue", "sales")


def _rows(rollup) -> tuple:
    rows = sorted(
        (r.key, r.labels, r.currency, r.budget, r.forecast, r.actual, r.outlook)
        for r in rollup.rows
    )
    totals = sorted((r.currency, r.budget, r.forecast, r.actual, r.outlook) for r in rollup.totals)
    return rows, totals, rollup.converted_to


def _from_cubes(session: Session, **kwargs):
    """The roll-up answered by fresh cubes (not SQL): checks the cube said yes."""
    cubes = FigureCubes()
    m = kwargs.pop("measure_name")
    found = cubes.rollups(
        session,
        kwargs["by"],
        kwargs["period"],
        kwargs["as_of"],
        [measure(m)],
        kwargs.get("scope", Scope()),
        kwargs.get("currency"),
    )
    return None if found is None else found[m]


def _same(session: Session, level, measure, period, currency=None, scope=Scope()) -> None:
    args = dict(by=(level,), period=period, as_of=AS_OF, measure_name=measure, scope=scope)
    lines = variance_rollup(session, currency=currency, source=LINES, **args)
    cubed = _from_cubes(session, currency=currency, **args)
    if cubed is None:  # declined (campaign level in another currency): SQL answers
        assert level == "campaign" and currency
        return
    assert all(type(value) is int for row in _rows(cubed)[0] for value in row[3:])
    assert _rows(cubed) == _rows(lines), (level, measure, period, currency, scope)


def _fiscal_starts(session: Session) -> list[int]:
    return sorted(set(session.scalars(select(Client.fiscal_year_start))))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=OPERATIONS,
    level=st.sampled_from(LEVELS),
    measure=st.sampled_from(MEASURES),
    first=st.integers(202501, 202512),
    months=st.integers(0, 23),
    currency=st.sampled_from((None, "USD")),
)
def test_random_writes_then_cubes_equal_the_lines(
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
            with Session(bind=connection) as session:
                _same(session, level, measure, period, currency)
                start = _fiscal_starts(session)[-1]
                _same(session, level, measure, period, None, Scope(fiscal_year_starts=(start,)))
                plain = [
                    recovery_plan(session, as_of=AS_OF, measure_name=measure, level=lv)
                    for lv in ("client", "campaign")
                ]
                use_cubes(session, FigureCubes())
                cubed = [
                    recovery_plan(session, as_of=AS_OF, measure_name=measure, level=lv)
                    for lv in ("client", "campaign")
                ]
                assert cubed == plain
        finally:
            transaction.rollback()


def test_every_level_period_and_scope_of_the_demo_to_the_cent(demo):
    periods = (
        Period(202501, 202612, "2y"),
        Period(202601, AS_OF, "ytd"),
        Period(AS_OF, AS_OF, "m"),
    )
    with demo.session() as session:
        director = session.scalar(select(Client.director_id).limit(1))
        scopes = [Scope(), Scope(director_ids=(director,)), Scope(verticals=("retail",))]
        scopes += [Scope(fiscal_year_starts=(s,)) for s in _fiscal_starts(session)]
        for level in LEVELS:
            for measure in MEASURES:
                for period in periods:
                    for scope in scopes:
                        _same(session, level, measure, period, None, scope)
                    _same(session, level, measure, period, "USD")
        # A missing rate: the cubes decline and SQL says which, as without them.
        use_cubes(session, FigureCubes())
        args = dict(by=("director",), period=periods[0], as_of=AS_OF, currency="EUR")
        with pytest.raises(MissingRateError):
            variance_rollup(session, **args)


def test_a_campaign_chart_and_the_pages_analytics_are_the_same(demo):
    # The cubed side reads as the pages do, through ``reading`` (regression: on
    # PostgreSQL that is autocommit, where the cubes' server-side cursor was refused and
    # the Overview never loaded).
    year = Period(202601, 202612, "2026")
    with demo.session() as plain, demo.reading() as cubed:
        use_cubes(cubed, FigureCubes())
        campaign = plain.scalar(select(Campaign.id).order_by(Campaign.id.desc()).limit(1))
        scope = Scope(campaign_ids=(campaign,))
        for measure in MEASURES:
            args = dict(by=("month",), period=year, as_of=AS_OF, measure_name=measure)
            assert _rows(variance_rollup(cubed, scope=scope, **args)) == _rows(
                variance_rollup(plain, scope=scope, **args)
            )
        both = dict(by=("campaign",), period=year, as_of=AS_OF, measure_names=MEASURES)
        rollups = variance_rollups(cubed, **both)
        assert isinstance(rollups["spend"].rows, CubeRows)
        for name, rollup in variance_rollups(plain, **both).items():
            assert _rows(rollups[name]) == _rows(rollup)
        assert team_rollup(cubed, period=year, as_of=AS_OF) == team_rollup(
            plain, period=year, as_of=AS_OF
        )
        assert overview(cubed, today=TODAY, as_of=AS_OF) == overview(
            plain, today=TODAY, as_of=AS_OF
        )
        for level in ("client", "campaign"):
            for calendar in (True, False):
                args = dict(as_of=AS_OF, measure_name="revenue", level=level, calendar=calendar)
                assert recovery_plan(cubed, **args) == recovery_plan(plain, **args)


def test_a_change_drops_the_cubes_and_the_next_roll_up_sees_it(demo):
    cubes = FigureCubes()
    ytd = Period(202601, AS_OF, "ytd")
    with demo.session() as session:
        line = session.scalar(select(BudgetLine.id).where(BudgetLine.month == 202603).limit(1))

    def figures(level: str):
        with demo.session() as session:
            use_cubes(session, cubes)
            return _rows(variance_rollup(session, by=(level,), period=ytd, as_of=AS_OF))

    before = {level: figures(level) for level in ("client", "campaign")}
    outcome = perform(demo, Action("Edit", (Edit("budget_line", line, {"spend_budget": "1"}),)))
    cubes.changed(outcome.changes)
    with demo.session() as session:
        for level in ("client", "campaign"):
            after = _rows(variance_rollup(session, by=(level,), period=ytd, as_of=AS_OF))
            assert figures(level) == after != before[level]


def test_amounts_past_64_bits_are_declined_and_sql_converts_them(demo):
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
        args = dict(by=("director",), period=period, as_of=AS_OF, measure_name="spend")
        assert _from_cubes(session, currency="USD", **args) is None
        plain = variance_rollup(session, currency="USD", source=LINES, **args)
        use_cubes(session, FigureCubes())
        assert _rows(variance_rollup(session, currency="USD", **args)) == _rows(plain)


def test_an_empty_portfolio_has_empty_cubes(database):
    with database.session() as session:
        use_cubes(session, FigureCubes())
        year = Period(202601, 202612, "y")
        for level in LEVELS:
            rollup = variance_rollup(session, by=(level,), period=year, as_of=AS_OF)
            assert list(rollup.rows) == []
        assert recovery_plan(session, as_of=AS_OF, level="campaign") == []
        assert overview(session, today=TODAY, as_of=AS_OF).spend_ytd is None
        assert team_rollup(session, period=year, as_of=AS_OF) == []


def test_the_lines_read_in_many_ranges_at_once_give_the_campaigns_in_listed_order(
    demo, monkeypatch
):
    """The campaign cube reads the lines in ranges, two at a time on their own
    connections on an SQLite file (issue 15: 1.1 s to 0.5 s on the million-line demo).
    Many small ranges must give the same figures as SQL, and the campaigns in the
    order SQL lists them (the database's collation, no longer a Python sort)."""
    from portfolio.analytics import cube_lines

    monkeypatch.setattr(cube_lines, "CHUNK_LINES", 97)
    period = Period(202501, 202612, "2y")
    with demo.reading() as session:
        for name in MEASURES:
            args = dict(by=("campaign",), period=period, as_of=AS_OF, measure_name=name)
            lines = variance_rollup(session, source=LINES, **args)
            cubed = _from_cubes(session, **args)
            assert _rows(cubed) == _rows(lines)
            assert [r.labels for r in cubed.rows] == [r.labels for r in lines.rows]


def test_a_cube_read_beside_uncommitted_writes_sees_them(demo):
    """Regression: read on connections of their own, the ranges missed what the
    reading connection had written and not committed (the cube must read what its
    session sees: on such a connection the ranges are read on it, in turn)."""
    period = Period(202501, 202612, "2y")
    with demo.engine.connect() as connection:
        transaction = connection.begin()
        try:
            connection.execute(text("UPDATE budget_line SET spend_budget = spend_budget + 7"))
            with Session(bind=connection) as session:
                args = dict(by=("campaign",), period=period, as_of=AS_OF, measure_name="spend")
                assert _rows(_from_cubes(session, **args)) == _rows(
                    variance_rollup(session, source=LINES, **args)
                )
        finally:
            transaction.rollback()


def test_a_client_moved_while_a_cube_waits_for_its_lock_is_not_kept_as_current(demo):
    """Regression (a new-user try-out on the million-line demo): ``months`` read the
    client dimensions, then waited for the cube's lock while another worker made it; a
    client moved to another director meanwhile, and the cube made from the dimensions
    of before was kept as current: the director level showed the old split until the
    next change. Now it is made again from dimensions of the same state."""
    import threading
    import time

    from portfolio.model import TeamMember

    cubes = FigureCubes()
    period = Period(202501, 202612, "2y")
    with demo.session() as session:
        client = session.scalars(select(Client).order_by(Client.id)).first()
        client_id, director = client.id, client.director_id
        other = session.scalar(
            select(Client.director_id).where(Client.director_id != director).limit(1)
        )
        assert session.get(TeamMember, other) is not None
    lock = cubes._locks["months"]
    lock.acquire()
    made = {}

    def worker() -> None:
        with demo.reading() as session:
            made["cube"] = cubes.months(session)

    thread = threading.Thread(target=worker)
    thread.start()
    deadline = time.monotonic() + 30
    while not cubes.holds("dims") and time.monotonic() < deadline:
        time.sleep(0.005)
    move = Edit("client", client_id, {"director_id": other})
    cubes.changed(perform(demo, Action("Move a client", (move,))).changes)
    lock.release()
    thread.join(30)
    assert made["cube"] is not None
    with demo.session() as session:
        plain = variance_rollup(session, by=("director",), period=period, as_of=AS_OF)
        use_cubes(session, cubes)
        cubed = variance_rollup(session, by=("director",), period=period, as_of=AS_OF)
    assert _rows(cubed) == _rows(plain)
