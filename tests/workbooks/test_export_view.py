""" "Export this view": a list as shown (columns, sort, filter, scope) as a workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from portfolio.exports.view import export_view
from portfolio.model import Client
from portfolio.money import from_minor
from portfolio.queries.listing import ListQuery, ViewState
from portfolio.queries.lists import ListContext, list_definition
from tests.conftest import TODAY
from tests.workbooks.package_checks import check_package

CONTEXT = ListContext.for_today(TODAY)


def test_a_filtered_sorted_budget_view_with_chosen_columns(demo, tmp_path):
    with demo.session() as session:
        client = session.scalar(select(Client).where(Client.currency == "EUR").limit(1))
    definition = list_definition("budget_lines", CONTEXT)
    state = (
        ViewState()
        .scoped(client_id=client.id)
        .sorted_by("spend_variance", descending=True)
        .showing(["campaign", "month", "spend_budget", "spend_variance", "client"])
    )
    query = ListQuery(definition, state)
    target = tmp_path / "view.xlsx"
    report = export_view(demo, target, query)
    with demo.session() as session:
        want = session.execute(query.select()).all()
    assert report.rows["Budget lines"] == len(want) > 10
    assert check_package(target) == {"Budget lines": ["BudgetLinesView"]}
    sheet = openpyxl.load_workbook(target)["Budget lines"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Campaign",
        "Month",
        "Spend budget",
        "Spend variance",
        "Spend variance status",
        "Client",
    ]
    rows = list(sheet.iter_rows(min_row=2))
    for got, expected in zip(rows, want, strict=True):
        campaign, month, budget, variance, name, currency, no_actual = expected
        assert no_actual == 0  # every closed month of the demo has its actuals
        assert got[0].value == campaign and got[5].value == name == client.name
        assert got[1].value == dt.datetime(month // 100, month % 100, 1)
        assert Decimal(repr(got[2].value)).quantize(Decimal("0.01")) == from_minor(budget, "EUR")
        assert got[2].number_format == "#,##0.00 [$€-1]"
        assert got[3].number_format.startswith("+")
        assert got[4].value == ("UNFAVOURABLE" if variance > 0 else "favourable")
    variances = [row[3].value for row in rows]
    assert variances == sorted(variances, reverse=True)


@pytest.mark.parametrize("name", ["clients", "requests", "opportunities", "deadlines", "team"])
def test_every_list_exports(demo_sqlite, tmp_path, name):
    query = ListQuery(list_definition(name, CONTEXT))
    target = tmp_path / f"{name}.xlsx"
    report = export_view(demo_sqlite, target, query)
    check_package(target)
    sheet = openpyxl.load_workbook(target, read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == sum(report.rows.values()) > 0
