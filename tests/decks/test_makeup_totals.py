"""The make-up plan is totalled per measure: spend to save, revenue to recover, never one sum.

Regression: the executive summary's highlight ("9 campaign(s) need $1,486,208.79 made
up") and the make-up slide's "Total to recover" added spend overspend and revenue
shortfall together. The hostile client overspends $250.50 and falls $200.00 short of
revenue in each of ten closed months: $2,505.00 to save, $2,000.00 to recover.
"""

from __future__ import annotations

from pptx import Presentation

from portfolio.analytics.summary import client_summary
from portfolio.lookup import find_client
from portfolio.money import format_money
from tests.conftest import AS_OF, TODAY
from tests.decks.conftest import HOSTILE, make_deck

SPEND, REVENUE, MIXED = "2,505.00", "2,000.00", "4,505.00"


def shortfalls(deck_db) -> dict[str, int]:
    with deck_db.session() as session:
        summary = client_summary(session, find_client(session, HOSTILE), as_of=AS_OF, today=TODAY)
    out: dict[str, int] = {}
    for item in summary.recovery:
        out[item.measure] = out.get(item.measure, 0) + item.shortfall
    return out


def test_the_core_sees_both_measures_short(deck_db):
    found = shortfalls(deck_db)
    assert found == {"spend": 250_500, "revenue": 200_000}
    assert format_money(found["spend"], "USD") == f"${SPEND}"
    assert format_money(found["revenue"], "USD") == f"${REVENUE}"


def test_summary_gives_spend_to_save_and_revenue_to_recover_apart(hostile_pdf):
    page = hostile_pdf.pages_titled("Executive summary")[-1]
    assert f"SPEND TO SAVE, YEAR TO DATE ${SPEND}" in page
    assert f"Revenue to recover ${REVENUE}" in page  # the tile's detail line
    assert f"Spend to save by the end of 2026: ${SPEND}, over budget in 1 campaign(s)" in page
    assert f"Revenue to recover by the end of 2026: ${REVENUE}, short of budget" in page
    assert MIXED not in page


def test_makeup_slide_has_a_total_row_per_measure(hostile_pdf):
    page = hostile_pdf.pages_titled("Year-to-date shortfall by campaign")[0]
    assert f"Spend to save Spend {SPEND} 500.00 2,005.00" in page
    assert f"Revenue to recover Revenue {REVENUE} 0.00 {REVENUE}" in page
    assert "Total to recover" not in page
    assert MIXED not in page


def test_powerpoint_makeup_table_ends_with_the_same_two_totals(deck_db, tmp_path):
    target = tmp_path / "makeup.pptx"
    make_deck(deck_db, HOSTILE, target, sections=("makeup",))
    slide = Presentation(str(target)).slides[1]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    last_two = [[cell.text for cell in row.cells][:6] for row in list(table.rows)[-2:]]
    assert last_two == [
        ["Spend to save", "Spend", SPEND, "", "500.00", "2,005.00"],
        ["Revenue to recover", "Revenue", REVENUE, "", "0.00", REVENUE],
    ]
