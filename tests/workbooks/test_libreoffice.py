"""The exported workbook as a real spreadsheet engine computes it (LibreOffice headless).

The ``recalculated`` fixture has LibreOffice evaluate every formula on load (not trust
the stored results), so these tests check the formulas themselves against the
database's own figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from portfolio.analytics.variance import variance_rollup
from portfolio.model import BudgetLine, Campaign, Client
from portfolio.money import from_minor
from portfolio.periods import Period
from portfolio.storage import open_database
from tests.conftest import AS_OF
from tests.workbooks.conftest import HOSTILE_NAMES, HOSTILE_NOTES, TAB_NAME

CENT = Decimal("0.01")


def _month(text: str) -> int:
    day = dt.datetime.strptime(text, "%m/%d/%Y")
    return day.year * 100 + day.month


def test_variance_formulas_compute_the_databases_variances(recalculated, workbook_db):
    sheet = recalculated["Variance"]
    header, rows = sheet[0], sheet[1:]
    assert header[7:11] == ["Spend outlook", "Spend variance", "Spend variance %", "Spend status"]
    db = open_database(workbook_db)
    period = Period(202501, 202612, "all")
    with db.session() as session:
        want = {
            measure: {
                (row.labels[0], row.labels[1]): row
                for row in variance_rollup(
                    session,
                    by=("client", "month"),
                    period=period,
                    as_of=AS_OF,
                    measure_name=measure,
                ).rows
            }
            for measure in ("spend", "revenue")
        }
    db.close()
    assert len(rows) == len(want["spend"]) > 900
    checked = 0
    for row in rows:
        key = (row[0], _month(row[3]))
        for measure, offset in (("spend", 4), ("revenue", 11)):
            figures = want[measure][key]
            cur = figures.currency
            outlook, variance, pct, status = row[offset + 3 : offset + 7]
            assert Decimal(outlook).quantize(CENT) == from_minor(figures.outlook, cur), key
            assert Decimal(variance).quantize(CENT) == from_minor(figures.variance, cur), key
            if figures.variance_pct is None:
                assert pct == ""
            else:
                computed = Decimal(pct.rstrip("%"))
                assert abs(computed - figures.variance_pct) <= CENT, (key, pct)
            assert status == ("favourable" if figures.favourable else "UNFAVOURABLE")
            checked += 1
    assert checked == 2 * len(rows)


def test_money_cells_add_up_as_numbers(recalculated, workbook_db):
    sheet = recalculated["Budget lines"]
    header, rows = sheet[0], sheet[1:]
    budget = header.index("Spend budget")
    currency = header.index("Currency")
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row[currency]] = totals.get(row[currency], Decimal(0)) + Decimal(row[budget])
    db = open_database(workbook_db)
    with db.session() as session:
        want = dict(
            session.execute(
                select(Client.currency, func.sum(BudgetLine.spend_budget))
                .join(Campaign, Campaign.id == BudgetLine.campaign_id)
                .join(Client, Client.id == Campaign.client_id)
                .group_by(Client.currency)
            ).all()
        )
    db.close()
    assert {code: from_minor(minor, code) for code, minor in want.items()} == totals


def test_hostile_text_stays_literal_in_a_spreadsheet(recalculated):
    clients = {row[0]: row for row in recalculated["Clients"][1:]}
    for name in (*HOSTILE_NAMES[:2], *HOSTILE_NAMES[3:]):
        assert name in clients, f"{name!r} was evaluated or altered: {sorted(clients)[:8]}"
    assert TAB_NAME in clients
    notes = recalculated["Clients"][0].index("Notes")
    assert clients[HOSTILE_NAMES[0]][notes] == HOSTILE_NOTES
    variance_clients = {row[0] for row in recalculated["Variance"][1:]}
    assert set(HOSTILE_NAMES[:2]) <= variance_clients
