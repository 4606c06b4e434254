"""List queries on both backends: paging, sorting, filtering, scope and totals in SQL.

Each statement is checked against an independent query written here by hand, on the
40-client demo, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio.model import BudgetLine, Campaign, Client, ClientRequest
from portfolio.queries.listing import (
    ListQuery,
    ViewState,
    fetch_count,
    fetch_ids,
    fetch_page,
    fetch_rows,
    fetch_totals,
)
from portfolio.queries.lists import BUILDERS, ListContext, list_definition
from tests.conftest import TODAY

CONTEXT = ListContext.for_today(TODAY)


def budget_lines(state: ViewState = ViewState()) -> ListQuery:
    return ListQuery(list_definition("budget_lines", CONTEXT), state)


def test_every_list_pages_counts_and_totals(demo):
    """Each list's count matches its rows, and its first page is its first rows."""
    with demo.engine.connect() as connection:
        for name in BUILDERS:
            query = ListQuery(list_definition(name, CONTEXT))
            count = fetch_count(connection, query)
            ids = list(fetch_ids(connection, query))
            assert len(ids) == count, name
            page = fetch_page(connection, query, 0, 50)
            assert [row[0] for row in page] == ids[:50], name
            assert len(page[0]) == query.layout.width, name
            fetch_totals(connection, query)


def test_sort_by_money_is_done_in_sql_with_a_total_order(demo):
    query = budget_lines(ViewState().sorted_by("spend_budget", descending=True))
    with demo.engine.connect() as connection:
        page = fetch_page(connection, query, 0, 200)
        expected = connection.execute(
            select(BudgetLine.id, BudgetLine.spend_budget)
            .order_by(BudgetLine.spend_budget.desc(), BudgetLine.id)
            .limit(200)
        ).all()
    column = query.layout.column("spend_budget")
    assert [(row[0], row[column]) for row in page] == [tuple(row) for row in expected]


def test_pages_from_the_end_mirror_the_order_exactly(demo):
    """The last page read through the mirrored order equals the tail of the id list."""
    query = budget_lines(ViewState().sorted_by("spend_actual"))  # has empty values
    with demo.engine.connect() as connection:
        ids = list(fetch_ids(connection, query))
        tail = fetch_page(connection, query, 0, 150, from_end=True)
        middle = fetch_page(connection, query, 300, 100, from_end=True)
    assert [row[0] for row in tail] == ids[-150:]
    assert [row[0] for row in middle] == ids[-400:-300]
    actual = query.layout.column("spend_actual")
    assert tail[-1][actual] is None, "empty actuals sort last"


def test_filter_words_match_client_campaign_and_month(demo):
    query = budget_lines(ViewState(filter_text="mail 2026-07"))
    with demo.engine.connect() as connection:
        count = fetch_count(connection, query)
        expected = connection.execute(
            select(func.count())
            .select_from(BudgetLine)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .join(Client, Client.id == Campaign.client_id)
            .where(
                (func.lower(Campaign.name).contains("mail"))
                | (func.lower(Client.name).contains("mail")),
                BudgetLine.month == 202607,
            )
        ).scalar_one()
        rows = fetch_page(connection, query, 0, count + 5)
    assert count == expected > 0
    month = query.layout.column("month")
    assert {row[month] for row in rows} == {202607}


def test_filter_text_is_taken_literally_not_as_a_pattern(demo):
    query = ListQuery(list_definition("clients", CONTEXT), ViewState(filter_text="%"))
    with demo.engine.connect() as connection:
        assert fetch_count(connection, query) == 0


def test_choice_columns_filter_by_their_labels(demo):
    query = ListQuery(list_definition("requests", CONTEXT), ViewState(filter_text="Waiting"))
    with demo.engine.connect() as connection:
        count = fetch_count(connection, query)
        expected = connection.execute(
            select(func.count()).where(ClientRequest.status == "waiting")
        ).scalar_one()
    assert count >= expected > 0


def test_scope_and_totals_per_currency(demo):
    with demo.session() as session:
        client = session.scalars(select(Client).order_by(Client.id)).first()
        sums = session.execute(
            select(func.count(), func.sum(BudgetLine.spend_budget))
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .where(Campaign.client_id == client.id)
        ).one()
    query = budget_lines(ViewState().scoped(client_id=client.id))
    with demo.engine.connect() as connection:
        totals = fetch_totals(connection, query)
        assert fetch_count(connection, query) == sums[0]
    assert len(totals) == 1
    assert totals[0].currency == client.currency
    assert totals[0].count == sums[0]
    assert totals[0].sums["spend_budget"] == sums[1]


def test_book_totals_never_add_currencies(demo):
    with demo.engine.connect() as connection:
        totals = fetch_totals(connection, budget_lines())
        by_currency = dict(
            connection.execute(
                select(Client.currency, func.sum(BudgetLine.revenue_budget))
                .join(Campaign, Campaign.client_id == Client.id)
                .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
                .group_by(Client.currency)
            ).all()
        )
    assert {t.currency: t.sums["revenue_budget"] for t in totals} == by_currency
    assert len(by_currency) > 1


def test_variance_column_follows_the_core_definition(demo):
    """Spend variance per line = (actual if closed else forecast) - budget."""
    query = budget_lines(ViewState().sorted_by("spend_variance", descending=True))
    with demo.engine.connect() as connection:
        rows = fetch_page(connection, query, 0, 50)
    layout = query.layout
    for row in rows:
        month = row[layout.column("month")]
        closed = month <= CONTEXT.as_of
        outlook = (
            (row[layout.column("spend_actual")] or 0)
            if closed
            else row[layout.column("spend_forecast")]
        )
        assert row[layout.column("spend_variance")] == outlook - row[layout.column("spend_budget")]


def test_a_variance_made_from_a_missing_actual_is_noted(demo):
    """Regression (a try-out): on Budgets, a closed month with no actual entered showed
    its variance against 0 (the rule every roll-up follows) with no mark, reading as a
    real under- or overspend. Its variance cells are now noted; an open month's (whose
    outlook is the forecast) and an entered actual's are not."""
    from sqlalchemy import update

    with demo.session() as session:
        lines = session.scalars(
            select(BudgetLine).where(BudgetLine.campaign_id == 1).order_by(BudgetLine.month)
        ).all()
        closed = [line for line in lines if line.month <= CONTEXT.as_of]
        opened = [line for line in lines if line.month > CONTEXT.as_of]
        missing, entered = closed[-1].id, closed[0].id
        ids = [missing, entered] + [line.id for line in opened[:1]]
        session.execute(
            update(BudgetLine)
            .where(BudgetLine.id.in_([missing] + ids[2:]))
            .values(spend_actual=None, revenue_actual=None)
        )
        session.commit()
    query = budget_lines()
    layout = query.layout
    with demo.engine.connect() as connection:
        rows = fetch_rows(connection, query, ids)
    assert len(rows) == len(ids) == 3
    for key in ("spend_variance", "revenue_variance", "sales_variance"):
        flags = {line_id: rows[line_id][layout.note(key)] for line_id in ids}
        assert flags[entered] == 0 and flags[ids[2]] == 0, key
        assert flags[missing] == (0 if key == "sales_variance" else 1), key
    row = rows[missing]
    assert row[layout.column("spend_variance")] == -row[layout.column("spend_budget")]
    assert layout.note("spend_budget") is None


def test_rows_by_id_and_the_export_select(demo):
    state = (
        ViewState(filter_text="bank")
        .sorted_by("revenue_budget")
        .showing(("client", "campaign", "month", "revenue_budget"))
    )
    query = budget_lines(state)
    with demo.engine.connect() as connection:
        page = fetch_page(connection, query, 0, 20)
        again = fetch_rows(connection, query, [row[0] for row in page])
        exported = connection.execute(query.select().limit(20)).mappings().all()
    assert {row[0]: row for row in page} == again
    assert list(exported[0].keys()) == ["client", "campaign", "month", "revenue_budget", "currency"]
    column = query.layout.column("revenue_budget")
    assert [row["revenue_budget"] for row in exported] == [row[column] for row in page]


def test_unknown_sort_or_scope_is_refused():
    definition = list_definition("clients", CONTEXT)
    with pytest.raises(KeyError):
        ListQuery(definition, ViewState().sorted_by("nope"))
    with pytest.raises(KeyError):
        ListQuery(definition, ViewState().scoped(campaign_id=1))


def test_persistency_is_exact(demo):
    query = ListQuery(list_definition("campaigns", CONTEXT))
    with demo.engine.connect() as connection:
        row = fetch_page(connection, query, 0, 1)[0]
    value = row[query.layout.column("persistency_pct")]
    assert value is None or isinstance(value, Decimal)
