"""Campaign results, SLA compliance, the weighted pipeline, the team roll-up and the KPIs,
each checked against an independent computation from raw rows."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select, text

from portfolio.analytics.campaign_results import campaign_results
from portfolio.analytics.overview import overview
from portfolio.analytics.pipeline import weighted_pipeline
from portfolio.analytics.service_levels import sla_compliance
from portfolio.analytics.team import team_rollup
from portfolio.analytics.variance import variance_rollup
from portfolio.model import ClientRequest
from portfolio.periods import parse_period
from tests.conftest import AS_OF, TODAY

NOW = dt.datetime.combine(TODAY, dt.time.max)


def rows(database, sql, **params):
    with database.engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def test_campaign_results_and_their_ratios(demo):
    period = parse_period("ytd", AS_OF)
    with demo.session() as session:
        results = {r.campaign_id: r for r in campaign_results(session, period=period, as_of=AS_OF)}
    raw = defaultdict(lambda: [0, 0, 0, 0, 0])
    for campaign, pieces, responses, sales, revenue, spend in rows(
        demo,
        "SELECT campaign_id, pieces, responses, sales_actual, revenue_actual, spend_actual "
        "FROM budget_line WHERE month BETWEEN :first AND :last",
        first=period.first,
        last=period.last,
    ):
        for index, value in enumerate((pieces, responses, sales, revenue, spend)):
            raw[campaign][index] += value or 0
    assert set(results) == set(raw)
    for campaign, (pieces, responses, sales, revenue, spend) in raw.items():
        result = results[campaign]
        assert (result.pieces, result.responses, result.sales, result.revenue, result.spend) == (
            pieces,
            responses,
            sales,
            revenue,
            spend,
        )
        if pieces:
            assert result.response_rate == (Decimal(responses * 100) / pieces).quantize(
                Decimal("0.01")
            )
        if sales:
            assert result.cost_per_sale == int(
                (Decimal(spend) / sales).to_integral_value(rounding=ROUND_HALF_EVEN)
            )
        if spend:
            assert result.roi_pct == (Decimal((revenue - spend) * 100) / spend).quantize(
                Decimal("0.1")
            )


def test_sla_compliance_counts_met_and_breached_requests(demo):
    since = NOW - dt.timedelta(days=90)
    with demo.session() as session:
        total = sla_compliance(session, since=since, now=NOW)[0]
        by_director = sla_compliance(session, since=since, now=NOW, by="director")
        by_category = sla_compliance(session, since=since, now=NOW, by="category")
    met = breached = 0
    with demo.engine.connect() as connection:
        requests = connection.execute(
            select(ClientRequest.sla_due_at, ClientRequest.resolved_at, ClientRequest.opened_at)
        ).all()
    for due, resolved, opened in requests:
        if opened > NOW or not (due >= since or (resolved is not None and resolved >= since)):
            continue
        if resolved is not None and resolved <= due:
            met += 1
        elif resolved is not None or due <= NOW:
            breached += 1
    assert (total.met, total.breached, total.due) == (met, breached, met + breached)
    assert total.compliance_pct == (Decimal(met * 100) / (met + breached)).quantize(Decimal("0.01"))
    assert sum(row.due for row in by_director) == total.due
    assert sum(row.met for row in by_category) == total.met


def test_weighted_pipeline_counts_open_stages_only(demo):
    with demo.session() as session:
        by_client = weighted_pipeline(session, month=AS_OF, by="client")
    expected = defaultdict(lambda: [0, 0])
    for client, value, probability in rows(
        demo,
        "SELECT client_id, value, probability FROM opportunity WHERE stage NOT IN ('won', 'lost')",
    ):
        expected[client][0] += value
        expected[client][1] += value * probability
    got = {row.key: (row.value, row.weighted) for row in by_client}
    assert got == {
        client: (value, int((Decimal(weighted) / 100).to_integral_value(ROUND_HALF_EVEN)))
        for client, (value, weighted) in expected.items()
    }


def test_team_roll_up_matches_the_director_variance_and_objectives(demo):
    period = parse_period("ytd", AS_OF)
    with demo.session() as session:
        team = team_rollup(session, period=period, as_of=AS_OF)
        revenue = variance_rollup(
            session,
            by=("director",),
            period=period,
            as_of=AS_OF,
            measure_name="revenue",
            currency="USD",
        )
    achieved = {row.key[0]: row.actual for row in revenue.rows}
    objectives = defaultdict(int)
    for director, amount in rows(
        demo,
        "SELECT director_id, revenue_objective FROM sales_objective "
        "WHERE month BETWEEN :first AND :last",
        first=period.first,
        last=period.last,
    ):
        objectives[director] += amount
    assert len(team) == 3
    for row in team:
        assert row.achieved == achieved[row.director_id]
        assert row.objective_to_date == objectives[row.director_id]
        assert row.clients > 0 and row.currency == "USD"


def test_overview_tiles(demo):
    with demo.session() as session:
        kpis = overview(session, today=TODAY, as_of=AS_OF)
        total = variance_rollup(
            session,
            by=("director",),
            period=parse_period("ytd", AS_OF),
            as_of=AS_OF,
            currency="USD",
        ).totals[0]
    assert kpis.currency == "USD"
    assert (kpis.spend_ytd.budget, kpis.spend_ytd.actual) == (total.budget, total.actual)
    assert kpis.spend_year.outlook >= kpis.spend_ytd.actual
    assert 0 < kpis.sla_compliance_pct <= 100 and 0 < kpis.satisfaction <= 100
    upcoming = rows(
        demo,
        "SELECT COUNT(*) FROM deadline WHERE due_date BETWEEN :a AND :b AND completed_on IS NULL",
        a=TODAY,
        b=TODAY + dt.timedelta(days=14),
    )[0][0]
    assert kpis.deadlines_next_14_days == upcoming
    assert kpis.weighted_pipeline > 0
