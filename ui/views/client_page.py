"""One client: key facts in the header, then tabs for everything about the account.

The header and the Variance tab come from ``portfolio.analytics.summary.client_summary``
(the same object the command line prints and review decks use, so a figure reads the
same everywhere); each other tab is a list scoped to the client. ``toolbar`` is where
client actions go (edit details, add a campaign, ..., Review deck…).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from portfolio.actions import Action, Changes, Edit
from portfolio.editing import entity
from portfolio.editing.operations import as_input, record_of
from portfolio.model.vocab import MEASURE
from portfolio.money import format_money
from portfolio.periods import add_months, month_label, period_title
from portfolio.queries.listing import ViewState
from portfolio.queries.pickers import describe
from ui.charts.bar_line_chart import BarLineChart
from ui.charts.variance_chart import monthly_chart
from ui.editing.makeup_form import MakeupStart, add_makeup_action
from ui.editing.record_dialog import RecordDialog
from ui.icons import icon
from ui.tables.balloon import Balloon
from ui.tables.list_view import ListPanel
from ui.tables.records_model import Field, RecordsModel
from ui.views.budget_grid import BudgetGridPanel
from ui.views.kpi_tile import KpiTile
from ui.views.overview import table
from ui.views.page import Page
from ui.workspace import Workspace

#: Tab key -> (title, list shown, columns hidden because the page is one client's).
LIST_TABS = {
    "campaigns": ("Campaigns", "campaigns", ("client",)),
    "requests": ("Requests", "requests", ("client",)),
    "feedback": ("Feedback", "feedback", ("client",)),
    "opportunities": ("Opportunities", "opportunities", ("client",)),
    "deadlines": ("Deadlines", "deadlines", ("client",)),
    "meetings": ("Meetings", "meetings", ("client",)),
}
TAB_ORDER = (
    "campaigns",
    "budget",
    "variance",
    "requests",
    "feedback",
    "opportunities",
    "deadlines",
    "meetings",
    "history",
)
RECOVERY_FIELDS = (
    Field("group", "Campaign", width=30),
    Field("measure", "Measure", width=8),
    Field("shortfall", "To make up", "money", width=15),
    Field("shortfall_pct", "% of budget", "percent", width=9),
    Field("planned", "Planned", "money", width=15),
    Field("uncovered", "Not covered", "money", width=15),
    Field("per_month", "Per remaining month", width=40),
)


class ClientPage(Page):
    key = "client"
    title = "Client"
    icon_name = "client_page"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.client_id: int | None = None
        self.client_name = ""
        self.summary = None
        self.lane = workspace.lane(self)
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)

        top = QHBoxLayout()
        self.name_label = QLabel("")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setAccessibleName("Client name")
        top.addWidget(self.name_label)
        top.addStretch(1)
        self.toolbar = QToolBar("Client")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(icon("edit"), "Edit details…", self.edit_details)
        self.toolbar.addAction(icon("add"), "Add campaign…", lambda: self._add("campaigns"))
        self.toolbar.addAction(icon("add"), "Add request…", lambda: self._add("requests"))
        self.toolbar.addAction(icon("add"), "Add meeting…", lambda: self._add("meetings"))
        self.deck_action = self.toolbar.addAction(icon("deck"), "Review deck…", self.review_deck)
        self.deck_action.setToolTip("A review deck of this client as PDF or PowerPoint, previewed")
        self.deck_dialog = None
        top.addWidget(self.toolbar)
        layout.addLayout(top)

        header = QHBoxLayout()
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(14)
        self.facts.setVerticalSpacing(2)
        facts_box = QWidget()
        facts_box.setLayout(self.facts)
        facts_box.setAccessibleName("Key facts")
        header.addWidget(facts_box, 3)
        self.tiles = {
            "spend": KpiTile("Spend, year to date"),
            "revenue": KpiTile("Revenue, year to date"),
            "year": KpiTile("Spend, full-year outlook"),
        }
        for tile in self.tiles.values():
            tile.setMinimumWidth(220)
            header.addWidget(tile, 2)
        layout.addLayout(header)
        # Under the tiles: the months whose actuals have not come in (counted as 0).
        self.missing_note = Balloon(self, "Missing actuals")
        layout.addWidget(self.missing_note)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Client tabs")
        self.tabs.setDocumentMode(True)
        self.list_panels: dict[str, ListPanel] = {}
        for key in TAB_ORDER:
            if key == "budget":
                self.grid = BudgetGridPanel(workspace)
                self.grid.message.connect(self.message.emit)
                self.tabs.addTab(self.grid, icon("budgets"), "Budget")
            elif key == "variance":
                self.tabs.addTab(self._variance_tab(), icon("variances"), "Variance")
            elif key == "history":
                from ui.views.history import HistoryPanel

                self.history = HistoryPanel(workspace)
                self.tabs.addTab(self.history, "History")
            else:
                title, list_name, hidden = LIST_TABS[key]
                panel = self.watch(
                    ListPanel(
                        workspace,
                        list_name,
                        settings_key=f"client_{key}",
                        hidden=hidden,
                        drills=key == "campaigns",
                        state=ViewState(scope=(("client_id", 0),)),
                    )
                )
                self.list_panels[key] = panel
                self.tabs.addTab(panel, icon(key), title)
        layout.addWidget(self.tabs, 1)
        workspace.changed.connect(self._changed)

    def _variance_tab(self) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 4, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Measure:"))
        self.chart_measure = QComboBox()
        self.chart_measure.setAccessibleName("Chart measure")
        for value in ("spend", "revenue", "sales"):
            self.chart_measure.addItem(value.capitalize(), value)
        self.chart_measure.currentIndexChanged.connect(lambda _i: self._show_chart())
        bar.addWidget(self.chart_measure)
        bar.addStretch(1)
        self.add_action_button = QPushButton(icon("makeup"), "Add make-up action…")
        self.add_action_button.setToolTip(
            "Plan an action to recover the selected negative variance (filled in from it)"
        )
        self.add_action_button.clicked.connect(self.add_makeup_action)
        bar.addWidget(self.add_action_button)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        self.chart = BarLineChart()
        split.addWidget(self.chart)
        lower = QSplitter(Qt.Orientation.Horizontal)
        self.recovery_model = RecordsModel(RECOVERY_FIELDS, self)
        self.recovery_view = table(self.recovery_model, "Negative variances to make up")
        makeup = QAction(icon("makeup"), "Add make-up action…", self.recovery_view)
        makeup.triggered.connect(self.add_makeup_action)
        self.recovery_view.addAction(makeup)
        recovery_box = QWidget()
        box = QVBoxLayout(recovery_box)
        box.setContentsMargins(0, 0, 0, 0)
        self.recovery_heading = QLabel("<b>Negative variances to make up</b>")
        self.recovery_heading.setAccessibleName("Make-up period")
        box.addWidget(self.recovery_heading)
        box.addWidget(self.recovery_view, 1)
        lower.addWidget(recovery_box)
        self.actions = self.watch(
            ListPanel(
                self.workspace,
                "makeup_actions",
                settings_key="client_actions",
                hidden=("client",),
                state=ViewState(scope=(("client_id", 0),)),
            )
        )
        self.actions.add_handler = self.add_makeup_action
        lower.addWidget(self.actions)
        split.addWidget(lower)
        split.setSizes([360, 240])
        layout.addWidget(split, 1)
        return holder

    def panels(self) -> list[ListPanel]:
        return [*self.list_panels.values(), self.actions]

    def primary_panel(self) -> ListPanel | None:
        current = self.tabs.currentWidget()
        if isinstance(current, ListPanel):
            return current
        if current is not None and current.isAncestorOf(self.actions):
            return self.actions
        return None

    def handles(self, method: str) -> bool:
        return method in ("paste", "fill_right") and self.tabs.currentWidget() is self.grid

    def paste(self) -> None:
        self.grid.paste()

    def fill_right(self) -> None:
        self.grid.fill_right()

    def ready(self) -> bool:
        return self.summary is not None and not self.lane.busy and super().ready()

    # -- showing a client ---------------------------------------------------------------

    def show_client(self, client_id: int, tab: str | None = None) -> None:
        changed = client_id != self.client_id
        self.client_id = client_id
        self.client_name = self.workspace.read(lambda s: describe(s, "client", client_id))
        self.name_label.setText(self.client_name)
        self.setAccessibleName(f"Client {self.client_name}")
        if changed:
            label = {"client_id": ""}
            for panel in self.panels():
                panel.scope_labels = label
                panel.model.set_state(panel.model.state.scoped(client_id=client_id))
            self.grid.show_client(client_id)
            self.history.show_history(client_id=client_id)
            self.load()
        if tab in TAB_ORDER:
            self.tabs.setCurrentIndex(TAB_ORDER.index(tab))

    def select_campaign(self, campaign_id: int | None) -> None:
        self.grid.select_campaign(campaign_id)

    def _changed(self, changes: Changes) -> None:
        if self.client_id is None:
            return
        from portfolio.analytics.summary import READS

        # The budget grid follows changes itself (one read, keeping its current cell).
        if changes.touches(READS):
            self.load()
        if changes.everything or "campaign" in changes.entities:
            self.grid.show_campaigns_again()

    def load(self) -> None:
        if self.client_id is None:
            return
        self._generation += 1
        generation = self._generation
        client_id = self.client_id
        database = self.workspace.database
        today, as_of = self.workspace.today, self.workspace.as_of

        def work():
            from portfolio.analytics.summary import client_summary
            from portfolio.model import Client

            with database.reading() as session:
                client = session.get(Client, client_id)
                if client is None:
                    return None
                return client_summary(session, client, as_of=as_of, today=today)

        self.lane.submit(work, lambda summary: self._show(generation, summary))

    def _show(self, generation: int, summary) -> None:
        if generation != self._generation:
            return
        self.summary = summary
        while self.facts.count():
            item = self.facts.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        if summary is None:
            self.missing_note.hide()
            self.name_label.setText("(this client no longer exists)")
            return
        self.client_name = summary.name
        self.name_label.setText(summary.name)
        shown = [
            "Vertical",
            "Status",
            "Account director",
            "Account rep",
            "Currency",
            "Contract",
            "Renewal",
            "Pricing",
            "Fiscal year",
            "Compensation",
        ]
        for number, key in enumerate(shown):
            name = QLabel(key)
            name.setStyleSheet("color: palette(placeholder-text);")
            value = QLabel(summary.facts.get(key, "") or "-")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(key == "Compensation")
            row, column = divmod(number, 2)
            self.facts.addWidget(name, row, column * 2)
            self.facts.addWidget(value, row, column * 2 + 1)
        self.facts.setColumnStretch(1, 1)
        self.facts.setColumnStretch(3, 1)

        def tile(key: str, row, title_word: str) -> None:
            widget = self.tiles[key]
            if row is None:
                widget.set_figure("-", "no budget lines")
                return
            value = row.outlook if key == "year" else row.actual
            sign = "+" if row.variance > 0 else ""
            pct = f" ({row.variance_pct:+}%)" if row.variance_pct is not None else ""
            verdict = "favourable" if row.favourable else "UNFAVOURABLE"
            widget.set_figure(
                summary.money(value),
                f"Budget {summary.money(row.budget)}\n"
                f"Variance {sign}{summary.money(row.variance)}{pct}, {verdict}",
                bad=not row.favourable,
            )

        # Tiles name their months: "Spend, YTD Jul-Oct 2026 (fiscal)".
        start = summary.year.first % 100
        self.tiles["spend"].title.setText(f"Spend, {summary.ytd.label}")
        self.tiles["revenue"].title.setText(f"Revenue, {summary.ytd.label}")
        self.tiles["year"].title.setText(
            f"Spend, full-year outlook, {period_title(summary.year, start)}"
        )
        self.recovery_heading.setText(f"<b>Negative variances to make up, {summary.ytd.label}</b>")
        tile("spend", summary.ytd_figures.get("spend"), "actual")
        tile("revenue", summary.ytd_figures.get("revenue"), "actual")
        tile("year", summary.year_figures.get("spend"), "outlook")
        self.show_missing_actuals(self.missing_note, summary.missing.note("spend", "revenue"))
        self.recovery_model.set_records(
            [
                {
                    "item": item,
                    "group": item.label,
                    "measure": MEASURE.label(item.measure),
                    "currency": item.currency,
                    "shortfall": None if item.whole_client else item.shortfall,
                    "shortfall_pct": item.shortfall_pct,
                    "planned": item.planned,
                    "uncovered": item.uncovered,
                    "per_month": ", ".join(
                        f"{month_label(m)} {format_money(v, item.currency) if item.currency else v}"
                        for m, v in zip(item.remaining_months, item.per_month, strict=True)
                    )
                    or "no months left this year",
                }
                for item in summary.recovery
            ]
        )
        self._show_chart()

    def _show_chart(self) -> None:
        summary = self.summary
        if summary is None:
            return
        measure = self.chart_measure.currentData()
        rows = summary.monthly.get(measure, [])
        currency = summary.currency if measure != "sales" else None
        self.chart.set_data(
            monthly_chart(
                rows,
                summary.year.months(),
                as_of=summary.as_of,
                title=(
                    f"{measure.capitalize()} by month, "
                    f"{period_title(summary.year, summary.year.first % 100)}: {summary.name}"
                ),
                currency=currency,
            )
        )

    # -- actions ------------------------------------------------------------------------

    def add_makeup_action(self) -> None:
        """A make-up action for the selected negative variance, filled in from it."""
        if self.client_id is None:
            return
        index = self.recovery_view.currentIndex()
        record = self.recovery_model.record(index.row()) if index.isValid() else None
        item = record["item"] if record is not None else None
        if item is not None and not item.whole_client:
            start = MakeupStart.from_item(item)
        else:
            measure = self.chart_measure.currentData()
            currency = self.summary.currency if self.summary and measure != "sales" else None
            start = MakeupStart(
                self.client_id, None, measure, None, currency, add_months(self.workspace.as_of, 1)
            )
        self.tabs.setCurrentIndex(TAB_ORDER.index("variance"))
        text = add_makeup_action(self.workspace, start, self)
        if text:
            self.message.emit(text)

    def _add(self, tab: str) -> None:
        self.tabs.setCurrentIndex(TAB_ORDER.index(tab))
        self.list_panels[tab].scope_labels = {"client_id": f"Client: {self.client_name}"}
        self.list_panels[tab].add_record()
        self.list_panels[tab].scope_labels = {"client_id": ""}

    def review_deck(self):
        """Open the Review deck dialog for this client (period, sections, preview, save)."""
        if self.client_id is None:
            return None
        from ui.decks.review_dialog import ReviewDeckDialog

        dialog = ReviewDeckDialog(self.workspace, self.client_id, self)
        dialog.finished.connect(dialog.deleteLater)
        self.deck_dialog = dialog
        dialog.open()
        return dialog

    def edit_details(self) -> None:
        """Client > Edit details…: the form sends only the fields the person changed,
        based on the values it showed (others' changes to other fields merge)."""
        if self.client_id is None:
            return
        client_id = self.client_id
        spec = entity("client")

        def current(session) -> tuple[dict[str, Any], dict[str, Any], int]:
            row = session.get(spec.model, client_id)
            stored = record_of(row, spec)
            values = as_input(session, spec, client_id, stored)
            for name in ("director_id", "rep_id"):
                if values.get(name) is not None:
                    values[name] = describe(session, "team_member", values[name])
            return values, stored, row.version

        values, stored, version = self.workspace.read(current)
        name = self.client_name

        def action(changed: dict[str, Any]) -> Action:
            seen = {field: stored[field] for field in changed}
            step = Edit("client", client_id, changed, version=version, seen=seen)
            return Action(f"Edit details of {name}", (step,))

        dialog = RecordDialog(
            self.workspace,
            "client",
            title=f"Edit {self.client_name}",
            values=values,
            action=action,
            changes_only=True,
            parent=self,
        )
        self.details_dialog = dialog
        if dialog.exec() and dialog.outcome is not None:
            self.message.emit(dialog.action.text)
