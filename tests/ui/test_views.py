"""The analytic pages show the core's figures: overview, variances, client page, team."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QToolButton
from sqlalchemy import func, select

from portfolio.analytics.overview import overview
from portfolio.analytics.variance import variance_rollup
from portfolio.model import MakeupAction
from portfolio.money import format_money
from portfolio.periods import parse_period
from tests.conftest import AS_OF, TODAY
from tests.ui.conftest import get


def test_overview_tiles_are_the_core_figures(qtbot, window, workspace):
    page = window.show_page("overview")
    qtbot.waitUntil(page.ready, timeout=30_000)
    with workspace.database.session() as session:
        kpis = overview(session, today=TODAY, as_of=AS_OF)
    tile = page.tiles["spend_ytd"]
    assert tile.value.text() == format_money(kpis.spend_ytd.actual, kpis.currency)
    verdict = "favourable" if kpis.spend_ytd.favourable else "UNFAVOURABLE"
    assert verdict in tile.detail.text()
    assert page.tiles["sla"].value.text() == f"{kpis.sla_compliance_pct}%"
    assert page.tiles["deadlines"].value.text() == f"{kpis.deadlines_next_14_days:,}"
    assert page.risk_model.rowCount() == int(page.tiles["at_risk"].value.text())
    assert page.director_model.rowCount() == 3


def test_overview_for_one_director_and_drill_into_a_risk(qtbot, window):
    page = window.show_page("overview")
    qtbot.waitUntil(page.ready, timeout=30_000)
    whole = page.risk_model.rowCount()
    page.book.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.ready() and page.figures.directors == [], timeout=30_000)
    assert page.risk_model.rowCount() < whole
    assert not page.director_view.parentWidget().isVisible()
    record = page.risk_model.record(0)
    page.risk_view.doubleClicked.emit(page.risk_model.index(0, 0))
    assert window.current_key() == "client"
    assert window.client_page().client_id == record["client_id"]


def test_variance_page_rolls_up_charts_and_plans(qtbot, window, workspace):
    from ui.views.variance import scope_for

    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    with workspace.database.session() as session:
        rollup = variance_rollup(
            session, by=("client",), period=parse_period("ytd", AS_OF), as_of=AS_OF
        )
    assert page.rollup_model.rowCount() == len(rollup.rows)
    unfavourable = [r for r in rollup.rows if not r.favourable]
    first = page.rollup_model.record(0)
    assert first["status"] == "UNFAVOURABLE"
    assert len(unfavourable) == sum(
        1 for r in page.rollup_model.records if r["status"] == "UNFAVOURABLE"
    )
    # Choosing a client charts that client; the chart's last cumulative point is the
    # full-year outlook of the core's roll-up.
    page.rollup_view.setCurrentIndex(page.rollup_model.index(0, 0))
    qtbot.waitUntil(lambda: page.chart.data is not None and first["group"] in page.chart.data.title)
    with workspace.database.session() as session:
        year = variance_rollup(
            session,
            by=("client",),
            period=parse_period("fy", AS_OF),
            as_of=AS_OF,
            scope=scope_for("client", first["key"]),
        )
    outlook = page.chart.data.lines[1].values[-1]
    assert outlook == year.rows[0].outlook
    # Level and period choosers re-run the roll-up.
    page.level.setCurrentIndex(2)  # director
    qtbot.waitUntil(lambda: page.ready() and page.rollup_model.rowCount() == 3, timeout=30_000)
    assert page.recovery_model.rowCount() > 0


def test_a_change_of_measure_after_an_edit_shows_the_edit_not_work_done_before(
    qtbot, window, workspace
):
    """Issue 15: Variances makes the other measures' plans and charts ahead, while the
    person reads the first; a change of measure shows them at once. An edit made after
    must not leave that work on screen: the revenue chart and plan show the edit."""
    from portfolio.actions import Action, Edit
    from portfolio.analytics.recovery import recovery_plan
    from portfolio.model import BudgetLine

    page = window.show_page("variances")
    qtbot.waitUntil(lambda: page.ready() and not page.ahead_lane.busy, timeout=30_000)
    year = parse_period("fy", AS_OF)
    assert ("revenue", AS_OF, None, None) in page._charts  # made ahead
    with workspace.database.session() as session:
        line = session.scalars(
            select(BudgetLine).where(BudgetLine.month == AS_OF).order_by(BudgetLine.id)
        ).first()
        line_id, before = line.id, line.revenue_actual or 0
    workspace.perform(
        Action(
            "Edit actual", (Edit("budget_line", line_id, {"revenue_actual": before + 987_654_321}),)
        )
    )
    page.measure.setCurrentIndex(page.measure.findData("revenue"))
    qtbot.waitUntil(lambda: page.ready() and page.chart_loaded, timeout=30_000)
    with workspace.database.session() as session:
        chart = variance_rollup(
            session, by=("month",), period=year, as_of=AS_OF, measure_name="revenue"
        )
        plan = recovery_plan(session, as_of=AS_OF, measure_name="revenue", calendar=True)
    shown = page.chart.data.lines[1].values[-1]
    assert shown == sum(row.outlook for row in chart.rows)
    assert page.recovery_model.rowCount() == len(plan)


def test_a_row_picked_while_the_level_changes_does_not_stay_charted(qtbot, window):
    """Regression (a new-user try-out): a client row clicked while the director level
    was calculating stayed charted, and the make-up list filtered to it, after the
    directors replaced the rows (a model reset clears the selection without a signal):
    the chart named a group the table no longer showed."""
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    picked = page.rollup_model.record(1)["group"]
    page.level.setCurrentIndex(page.level.findData("director"))
    page.rollup_view.setCurrentIndex(page.rollup_model.index(1, 0))
    qtbot.waitUntil(lambda: page.ready() and page.rollup_model.rowCount() == 3, timeout=30_000)
    qtbot.waitUntil(lambda: page.chart_loaded and not page.chart_lane.busy, timeout=30_000)
    assert page.selection() is None
    assert picked not in page.chart.data.title and "whole book" in page.chart.data.title
    assert "client_id" not in dict(page.actions.model.state.scope)


def test_a_selected_campaign_lists_its_own_makeup_actions_not_its_clients(qtbot, window):
    """Regression (a try-out): at the campaign level, the make-up actions pane followed
    the selected row's client, listing every campaign's actions under one campaign."""
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    page.level.setCurrentIndex(page.level.findData("campaign"))
    qtbot.waitUntil(lambda: page.ready() and page.selection() is None, timeout=30_000)
    qtbot.waitUntil(lambda: page.rollup_model.rowCount() > 0 and page.ready(), timeout=30_000)
    page.rollup_view.setCurrentIndex(page.rollup_model.index(0, 0))
    picked = page.selection()
    assert picked is not None and picked.campaign_id is not None
    scope = dict(page.actions.model.state.scope)
    assert scope.get("campaign_id") == picked.campaign_id and "client_id" not in scope
    tips = [chip.toolTip() for chip in page.actions.findChildren(QToolButton)]
    assert f"Showing only Campaign: {picked.group}; click to show all" in tips
    # Back at the client level, a client row lists the client's actions again.
    page.level.setCurrentIndex(page.level.findData("client"))
    qtbot.waitUntil(lambda: page.ready() and page.selection() is None, timeout=30_000)
    assert "campaign_id" not in dict(page.actions.model.state.scope)
    page.rollup_view.setCurrentIndex(page.rollup_model.index(0, 0))
    scope = dict(page.actions.model.state.scope)
    assert scope.get("client_id") == page.selection().client_id and "campaign_id" not in scope


def test_figure_pages_say_which_closed_months_have_no_actuals_yet(qtbot, window, workspace):
    """Regression (a try-out on 1 December): November had no actuals yet, every figure
    counted them as 0 and no page said so. Overview, Variances, Team and the client page
    now say it above their figures, and stop once the actuals are in."""
    from sqlalchemy import update

    from portfolio.actions import Action, Edit
    from portfolio.model import BudgetLine

    with workspace.database.session() as session:
        lines = session.execute(
            select(BudgetLine.id, BudgetLine.spend_actual, BudgetLine.revenue_actual).where(
                BudgetLine.month == AS_OF
            )
        ).all()
        session.execute(
            update(BudgetLine)
            .where(BudgetLine.month == AS_OF)
            .values(spend_actual=None, revenue_actual=None)
        )
        session.commit()
    said = f"No spend or revenue actual entered yet for Oct 2026 on {len(lines):,} of"
    overview_page = window.show_page("overview")
    qtbot.waitUntil(
        lambda: overview_page.ready() and bool(overview_page.missing_note.text()), timeout=30_000
    )
    assert said in overview_page.missing_note.text()
    assert overview_page.missing_note.isVisibleTo(overview_page)
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    assert "No spend actual entered yet for Oct 2026" in page.missing_note.text()
    page.measure.setCurrentIndex(page.measure.findData("revenue"))
    qtbot.waitUntil(lambda: page.ready() and "revenue" in page.missing_note.text(), timeout=30_000)
    assert page.missing_note.isVisibleTo(page)
    team = window.show_page("team")
    qtbot.waitUntil(lambda: team.ready() and team.missing_note.isVisibleTo(team), timeout=30_000)
    assert "No spend or revenue actual entered yet for Oct 2026" in team.missing_note.text()
    client_id = page.rollup_model.record(0)["client_id"]
    client = window.client_page(client_id, "variance")
    qtbot.waitUntil(client.ready, timeout=30_000)
    assert "actual entered yet for Oct 2026" in client.missing_note.text()
    # The actuals come in (as an import or a paste would): every note goes.
    workspace.perform(
        Action(
            "Enter actuals",
            tuple(
                Edit("budget_line", line_id, {"spend_actual": spend, "revenue_actual": revenue})
                for line_id, spend, revenue in lines
            ),
        )
    )
    qtbot.waitUntil(
        lambda: client.ready() and not client.missing_note.isVisibleTo(client), timeout=30_000
    )
    page = window.show_page("variances")
    qtbot.waitUntil(
        lambda: page.ready() and not page.missing_note.isVisibleTo(page), timeout=30_000
    )
    team = window.show_page("team")
    qtbot.waitUntil(
        lambda: team.ready() and not team.missing_note.isVisibleTo(team), timeout=30_000
    )
    overview_page = window.show_page("overview")
    qtbot.waitUntil(
        lambda: overview_page.ready() and not overview_page.missing_note.isVisibleTo(overview_page),
        timeout=30_000,
    )


def test_variances_note_covers_the_year_to_date_of_its_plan_whatever_the_period(
    qtbot, window, workspace
):
    """Regression (a try-out): with the period on a quarter, a March line without an
    actual went unsaid, though the year-to-date make-up plan under the table counts it
    as 0."""
    from sqlalchemy import update

    from portfolio.model import BudgetLine

    with workspace.database.session() as session:
        line_id = session.scalar(
            select(BudgetLine.id).where(BudgetLine.month == 202603).order_by(BudgetLine.id)
        )
        session.execute(
            update(BudgetLine).where(BudgetLine.id == line_id).values(spend_actual=None)
        )
        session.commit()
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    qtbot.waitUntil(lambda: "Mar 2026" in page.missing_note.text(), timeout=30_000)
    for period in ("quarter", "month"):
        page.period.setCurrentIndex(page.period.findData(period))
        qtbot.waitUntil(lambda: page.ready() and "Mar" not in page.note.text(), timeout=30_000)
        assert "No spend actual entered yet for Mar 2026 on 1 of" in page.missing_note.text()
        assert page.missing_note.isVisibleTo(page)


def test_the_selected_group_stays_selected_across_a_change_of_measure(qtbot, window):
    """A try-out found the selected row dropped at each change of measure (the chart
    went back to the whole book): it stays, and its chart follows the measure."""
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    page.rollup_view.setCurrentIndex(page.rollup_model.index(2, 0))
    picked = page.selection()

    def charted() -> str:
        return page.chart.data.title if page.chart.data is not None else ""

    qtbot.waitUntil(lambda: picked.group in charted())
    page.measure.setCurrentIndex(page.measure.findData("revenue"))
    qtbot.waitUntil(lambda: page.ready() and page.chart_loaded, timeout=30_000)
    assert page.selection() is not None and page.selection().key == picked.key
    qtbot.waitUntil(lambda: charted().startswith("Revenue"), timeout=30_000)
    assert picked.group in charted()


def test_add_a_makeup_action_from_a_negative_variance(qtbot, window, workspace, monkeypatch):
    from ui.editing.record_dialog import RecordDialog
    from ui.tables.delegates import set_editor_value

    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    page.recovery_view.setCurrentIndex(page.recovery_model.index(0, 0))
    record = page.recovery_model.record(0)

    def accept(dialog: RecordDialog) -> int:
        set_editor_value(dialog.editors["description"], "Extra drop to members")
        dialog.accept()
        return QDialog.DialogCode.Accepted if dialog.action else QDialog.DialogCode.Rejected

    monkeypatch.setattr(RecordDialog, "exec", accept)
    with workspace.database.session() as session:
        before = session.scalar(select(func.count()).select_from(MakeupAction))
    page.add_makeup_action()
    with workspace.database.session() as session:
        action = session.scalars(
            select(MakeupAction).where(MakeupAction.description == "Extra drop to members")
        ).one()
        assert session.scalar(select(func.count()).select_from(MakeupAction)) == before + 1
    assert action.client_id == record["client_id"]
    assert action.amount == (record["uncovered"] or record["shortfall"])
    assert action.status == "planned"
    workspace.undo()
    with workspace.database.session() as session:
        assert session.scalar(select(func.count()).select_from(MakeupAction)) == before


def test_client_page_header_tabs_and_toolbar(qtbot, window, workspace):
    page = window.client_page(1, "requests")
    qtbot.waitUntil(page.ready, timeout=30_000)
    assert page.name_label.text() == page.summary.name
    assert window.client_item.text() == page.summary.name
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Campaigns",
        "Budget",
        "Variance",
        "Requests",
        "Feedback",
        "Opportunities",
        "Deadlines",
        "Meetings",
        "History",
    ]
    assert page.tabs.currentWidget() is page.list_panels["requests"]
    requests = page.list_panels["requests"].model
    qtbot.waitUntil(lambda: requests.idle)
    assert requests.state.scope == (("client_id", 1),)
    assert page.toolbar.actions(), "the client toolbar is there for more actions"
    assert page.chart.data is not None


def test_drill_down_director_to_clients_to_campaigns_to_lines(qtbot, window):
    team = window.show_page("team")
    qtbot.waitUntil(team.ready, timeout=30_000)
    team.view.doubleClicked.emit(team.model.index(0, 0))
    clients = window.current_page().primary_panel()
    assert window.current_key() == "clients"
    assert dict(clients.model.state.scope)["director_id"] == team.model.record(0)["director_id"]
    qtbot.waitUntil(lambda: clients.model.idle)
    assert 0 < clients.model.rowCount() < 40
    window.navigate("campaigns", {"campaign_id": 1, "client_id": 1})
    lines = window.current_page().primary_panel()
    assert window.current_key() == "budgets"
    qtbot.waitUntil(lambda: lines.model.state.scope == (("campaign_id", 1),))
    qtbot.waitUntil(lambda: lines.model.idle)
    assert lines.model.rowCount() <= 24
    window.back()
    assert window.current_key() == "clients"


def test_deadlines_show_their_materials(qtbot, window):
    page = window.show_page("deadlines")
    qtbot.waitUntil(page.ready, timeout=30_000)
    deadlines = page.deadlines
    first = get(deadlines.model.index(0, deadlines.model.column_of("state")))
    assert first == "Overdue"
    deadlines.table.setCurrentIndex(deadlines.model.index(0, 0))
    qtbot.waitUntil(lambda: page.materials.model.state.scope != (("deadline_id", 0),))
    qtbot.waitUntil(lambda: page.materials.model.idle)
    assert "Materials" in page.materials_title.text()


def test_fiscal_year_note_counts_every_line_of_the_month(qtbot, window, workspace):
    """Regression (a try-out): with "Each client's fiscal year", the note added up only
    the fiscal-year groups that had a missing actual in the month, so one line without
    an actual read "1 of 215 budget lines" where the month has 270."""
    from sqlalchemy import func, update

    from portfolio.model import BudgetLine

    with workspace.database.session() as session:
        line_id = session.scalar(
            select(BudgetLine.id).where(BudgetLine.month == AS_OF).order_by(BudgetLine.id)
        )
        session.execute(
            update(BudgetLine).where(BudgetLine.id == line_id).values(spend_actual=None)
        )
        session.commit()
        lines = session.scalar(select(func.count()).where(BudgetLine.month == AS_OF))
    page = window.show_page("variances")
    qtbot.waitUntil(page.ready, timeout=30_000)
    page.period.setCurrentIndex(page.period.findData("month"))
    qtbot.waitUntil(page.ready, timeout=30_000)
    calendar_note = page.missing_note.text()
    assert f"on 1 of {lines:,} budget lines" in calendar_note
    page.year_kind.setCurrentIndex(page.year_kind.findData("fiscal"))
    qtbot.waitUntil(lambda: page.ready() and "fiscal" in page.note.text(), timeout=30_000)
    assert f"on 1 of {lines:,} budget lines" in page.missing_note.text()
