"""Choosing the month the figures count actuals to, in the window, on both backends.

Regression (a try-out on 1 December): November was closed but its actuals were not in,
so every figure counted them as 0. The pages said so, but a director could not see the
figures as they stood with October's actuals: only the command line had ``--as-of``.
The status bar's "Actuals to" now sets it for every page, list, grid and dialog.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from portfolio.model import BudgetLine, Campaign, Client
from portfolio.money import from_minor
from portfolio.periods import add_months
from tests.conftest import AS_OF
from tests.ui.conftest import get, loaded

EARLIER = add_months(AS_OF, -1)


def _last_month_not_in(workspace) -> tuple[int, int, int, str]:
    """Empty every actual of the last closed month; one such line of campaign 1:
    (id, spend budget, spend forecast, currency)."""
    with workspace.database.session() as session:
        session.execute(
            update(BudgetLine)
            .where(BudgetLine.month == AS_OF)
            .values(spend_actual=None, revenue_actual=None, sales_actual=None)
        )
        session.commit()
        line = session.scalars(
            select(BudgetLine).where(BudgetLine.campaign_id == 1, BudgetLine.month == AS_OF)
        ).one()
        currency = session.scalar(
            select(Client.currency).join(Campaign).where(Campaign.id == line.campaign_id)
        )
        return line.id, line.spend_budget, line.spend_forecast, currency


def test_counting_actuals_to_the_month_before_shows_the_last_one_by_its_forecast(
    qtbot, window, workspace, tmp_path
):
    line_id, budget, forecast, currency = _last_month_not_in(workspace)
    box = window.as_of_box
    assert box.currentData() == AS_OF and "last closed month" in box.currentText()
    assert box.count() == 12
    overview = window.show_page("overview")
    qtbot.waitUntil(
        lambda: overview.ready() and overview.missing_note.isVisibleTo(overview), timeout=30_000
    )
    panel = window.show_page("budgets").primary_panel()
    panel.set_scope({"campaign_id": 1})
    model = loaded(qtbot, panel.model)
    rows = [model.value(row, model.column_of("month")) for row in range(model.rowCount())]
    row = rows.index(AS_OF)
    variance = model.index(row, model.column_of("spend_variance"))
    assert model.value(row, model.column_of("spend_variance")) == -budget
    assert get(variance, Qt.ItemDataRole.DecorationRole) is not None

    # The person chooses the month before, with the keyboard, as they would.
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert workspace.as_of == EARLIER and box.currentData() == EARLIER
    assert "Oct 2026 is closed, but its outlook uses the forecast" in box.toolTip()
    assert "Oct 2026 is closed" in window.statusBar().currentMessage()

    # The list counts the month by its forecast now: no 0 actual, no mark.
    qtbot.waitUntil(
        lambda: (
            model.idle
            and model.value(rows.index(AS_OF), model.column_of("spend_variance"))
            == forecast - budget
        ),
        timeout=30_000,
    )
    variance = model.index(rows.index(AS_OF), model.column_of("spend_variance"))
    assert get(variance, Qt.ItemDataRole.DecorationRole) is None
    # An actual typed there is kept, and the notice says why it does not count yet.
    panel.table.setCurrentIndex(model.index(rows.index(AS_OF), model.column_of("spend_actual")))
    qtbot.waitUntil(lambda: panel.notice.isVisibleTo(panel), timeout=10_000)
    assert "Oct 2026 is closed, but the figures count actuals to Sep 2026" in panel.notice.text()

    # Export this view writes the list as shown: counted by its forecast, no note.
    import openpyxl

    from ui.workbooks.actions import export_this_view

    target = tmp_path / "budgets.xlsx"
    export_this_view(window, target)
    qtbot.waitUntil(target.exists, timeout=30_000)
    sheet = openpyxl.load_workbook(target)["Budget lines"]
    header = [cell.value for cell in sheet[1]]
    at = header.index("Spend variance")
    exported = [
        (row[header.index("Month")], row[at], row[at + 1])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    october = [row for row in exported if row[0].year * 100 + row[0].month == AS_OF]
    assert len(october) == 1 and "No actual entered" not in october[0][2], october
    assert Decimal(repr(october[0][1])).quantize(Decimal("0.01")) == from_minor(
        forecast - budget, currency
    )

    # Every figure page reads as of September: no note about October, titles say so.
    overview = window.show_page("overview")
    qtbot.waitUntil(
        lambda: overview.ready() and not overview.missing_note.isVisibleTo(overview),
        timeout=30_000,
    )
    assert "actuals to Sep 2026" in overview.as_of_label.text()
    assert "Sep 2026" in overview.tiles["spend_ytd"].title.text()
    variances = window.show_page("variances")
    qtbot.waitUntil(variances.ready, timeout=30_000)
    assert not variances.missing_note.isVisibleTo(variances)
    assert "actuals to Sep 2026" in variances.note.text()
    team = window.show_page("team")
    qtbot.waitUntil(
        lambda: team.ready() and not team.missing_note.isVisibleTo(team), timeout=30_000
    )

    # Back to the last closed month: the 0 actuals are counted, and said, again.
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert workspace.as_of == AS_OF and box.styleSheet() == ""
    qtbot.waitUntil(lambda: team.ready() and team.missing_note.isVisibleTo(team), timeout=30_000)
    window.show_page("budgets")
    qtbot.waitUntil(
        lambda: (
            model.idle
            and model.value(rows.index(AS_OF), model.column_of("spend_variance")) == -budget
        ),
        timeout=30_000,
    )
    # The cell under the cursor counts again: its notice goes without a move.
    qtbot.waitUntil(lambda: not panel.notice.isVisibleTo(panel), timeout=10_000)
    assert line_id


def test_only_closed_months_of_the_last_year_can_be_counted_to():
    import datetime as dt

    import pytest

    from portfolio.queries.lists import ListContext

    context = ListContext.for_today(dt.date(2026, 12, 1))
    assert context.as_of == 202611 and context.counts_every_closed_month
    assert context.as_of_choices()[0] == 202611 and context.as_of_choices()[-1] == 202512
    earlier = context.counting_to(202610)
    assert earlier.as_of == 202610 and not earlier.counts_every_closed_month
    assert earlier.as_of_choices() == context.as_of_choices()
    for month in (202612, 202511):
        with pytest.raises(ValueError, match="Actuals can be counted to a closed month"):
            context.counting_to(month)


def test_the_budget_grids_notice_follows_the_month_actuals_are_counted_to(qtbot, window, workspace):
    """Regression (a try-out): with the cursor on October's actual, choosing September
    showed no notice until the cursor moved, and choosing October again left the notice
    saying September."""
    from tests.ui.test_data_entry import cell, click, open_grid

    grid, _campaign_id = open_grid(qtbot, window, workspace)
    click(qtbot, grid.table, cell(grid, "spend", "actual", AS_OF))
    assert not grid.notice.isVisible()
    workspace.count_actuals_to(EARLIER)
    qtbot.waitUntil(lambda: grid.model.grid.as_of == EARLIER, timeout=30_000)
    qtbot.waitUntil(grid.notice.isVisible, timeout=10_000)
    assert "Oct 2026 is closed, but the figures count actuals to Sep 2026" in grid.notice.text()
    workspace.count_actuals_to(AS_OF)
    qtbot.waitUntil(lambda: grid.model.grid.as_of == AS_OF, timeout=30_000)
    qtbot.waitUntil(lambda: not grid.notice.isVisible(), timeout=10_000)
