"""The Overview: the book at a glance, the clients at risk and why, and each director.

Everything comes from the core's analytics (``overview``, ``at_risk_clients``,
``team_rollup``, ``sla_compliance``), computed on a worker lane: on a big book the
roll-ups take seconds, and the window stays usable while they run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from portfolio.analytics.dimensions import Scope
from portfolio.money import format_money
from portfolio.periods import month_label, parse_period, period_title, year_to_date
from portfolio.queries.lists import DUE_SOON_DAYS
from portfolio.queries.pickers import people
from ui.icons import icon
from ui.tables.balloon import Balloon
from ui.tables.records_model import Field, RecordsModel
from ui.views.kpi_tile import KpiTile
from ui.views.page import FiguresPage
from ui.workspace import Workspace

RISK_FIELDS = (
    Field("client", "Client", width=28),
    Field("director", "Account director", width=20),
    Field("kinds", "Why", width=30),
    Field("reasons", "Reasons", width=80),
)
DIRECTOR_FIELDS = (
    Field("director", "Account director", width=20),
    Field("clients", "Clients", "count", width=7),
    Field("achieved", "Revenue YTD", "money", width=17),
    Field("objective_to_date", "Objective YTD", "money", width=17),
    Field("attainment_pct", "Attainment", "percent", width=10),
    Field(
        "spend_variance",
        "Spend variance, YTD",
        "money",
        higher_is_better=False,
        width=21,
        tooltip="Spend outlook minus budget for the calendar year to date",
    ),
    Field("sla_pct", "SLA met", "percent", width=8),
    Field("at_risk", "At risk", "count", width=7),
)


@dataclass
class OverviewFigures:
    kpis: Any
    risks: list
    directors: list[dict]
    director_names: list[tuple[int, str]]


def table(model: RecordsModel, name: str, *, stretch: bool = True) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(stretch)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    char = view.fontMetrics().averageCharWidth()
    for number, field in enumerate(model.fields):
        view.horizontalHeader().resizeSection(
            number, max(field.width, len(field.label) + 2) * char + 16
        )
    # Right-click: copy the selected rows (pages add their own actions to the view).
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    copy = QAction(icon("copy"), "Copy rows", view)
    copy.triggered.connect(lambda: copy_rows(view))
    view.addAction(copy)
    return view


def copy_rows(view: QTableView) -> str:
    """The selected rows (or the current one) as tab-separated text with headers."""
    model = view.model()
    rows = sorted({index.row() for index in view.selectionModel().selectedIndexes()})
    if not rows and view.currentIndex().isValid():
        rows = [view.currentIndex().row()]
    columns = range(model.columnCount())
    lines = ["\t".join(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
    for row in rows:
        lines.append("\t".join(str(model.data(model.index(row, c)) or "") for c in columns))
    text = "\n".join(lines) + "\n"
    QGuiApplication.clipboard().setText(text)
    return text


class OverviewPage(FiguresPage):
    key = "overview"
    title = "Overview"
    icon_name = "overview"

    def reads(self) -> frozenset[str]:
        from portfolio.analytics import overview, risk, service_levels, team

        return overview.READS | risk.READS | service_levels.READS | team.READS

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.lane = workspace.lane(self)
        self._generation = 0
        self.figures: OverviewFigures | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        head = QHBoxLayout()
        heading = QLabel("Overview")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        head.addWidget(heading)
        self.as_of_label = QLabel(self._as_of_text())
        head.addWidget(self.as_of_label)
        head.addStretch(1)
        head.addWidget(QLabel("Book:"))
        self.book = QComboBox()
        self.book.setAccessibleName("Whose book")
        self.book.setMinimumWidth(220)
        self.book.addItem("Whole book (all directors)", 0)
        self._directors_lane = workspace.lane(self)
        database = workspace.database
        self._directors_lane.submit(
            lambda: database.read(lambda s: people(s, "account_director")), self._add_directors
        )
        self.book.currentIndexChanged.connect(lambda _i: self.load())
        head.addWidget(self.book)
        layout.addLayout(head)

        grid = QGridLayout()
        grid.setSpacing(10)
        titles = [
            *self._dated_titles().items(),
            ("pipeline", "Weighted pipeline"),
            ("sla", "SLA compliance, 90 days"),
            ("satisfaction", "Satisfaction, 90 days"),
            ("deadlines", f"Deadlines, next {DUE_SOON_DAYS} days"),
            ("at_risk", "Clients at risk"),
        ]
        self.tiles: dict[str, KpiTile] = {}
        for number, (key, text) in enumerate(titles):
            tile = KpiTile(text)
            self.tiles[key] = tile
            grid.addWidget(tile, number // 4, number % 4)
        for column in range(4):
            grid.setColumnStretch(column, 1)  # tiles of one width, whatever they hold
        layout.addLayout(grid)
        # Under the tiles: the months whose actuals have not come in (counted as 0).
        self.missing_note = Balloon(self, "Missing actuals")
        layout.addWidget(self.missing_note)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.risk_model = RecordsModel(RISK_FIELDS, self)
        self.risk_view = table(self.risk_model, "Clients at risk")
        self.risk_view.doubleClicked.connect(self._open_risk)
        self.director_model = RecordsModel(DIRECTOR_FIELDS, self)
        self.director_view = table(self.director_model, "By director", stretch=False)
        self.director_view.doubleClicked.connect(self._open_director)
        for label, view in (
            ("Clients at risk, and why (double-click to open)", self.risk_view),
            ("By director: the same, for a manager", self.director_view),
        ):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            caption = QLabel(label)
            bold = caption.font()
            bold.setBold(True)
            caption.setFont(bold)
            box_layout.addWidget(caption)
            box_layout.addWidget(view)
            self.splitter.addWidget(box)
        self.splitter.setSizes([320, 260])
        layout.addWidget(self.splitter, 1)

    def _add_directors(self, directors: list[tuple[int, str]]) -> None:
        """The book choices, read off the GUI thread when the page is built."""
        self.book.blockSignals(True)
        for member_id, name in directors:
            self.book.addItem(name, member_id)
        self.book.blockSignals(False)

    def _dated_titles(self) -> dict[str, str]:
        """The tiles whose titles name the months they count (as of the counted month)."""
        as_of = self.workspace.as_of
        return {
            "spend_ytd": f"Spend, {year_to_date(as_of).label}",
            "spend_year": f"Spend, full-year outlook, {period_title(parse_period('fy', as_of))}",
            "revenue_ytd": f"Revenue, {year_to_date(as_of).label}",
        }

    def _as_of_text(self) -> str:
        return f"actuals to {month_label(self.workspace.as_of)}, today {self.workspace.today}"

    def ready(self) -> bool:
        return self.figures is not None and not self.lane.busy

    def load(self) -> None:
        self.loading_started()
        self._generation += 1
        generation = self._generation
        director = self.book.currentData()
        scope = Scope(director_ids=(director,)) if director else Scope()
        database = self.workspace.database
        today, as_of = self.workspace.today, self.workspace.as_of
        for tile in self.tiles.values():
            tile.value.setText("…")
        for key, title in self._dated_titles().items():
            self.tiles[key].set_title(title)

        cubes = self.cubes

        def work() -> OverviewFigures:
            from portfolio.analytics.cubes import use_cubes
            from portfolio.analytics.overview import overview
            from portfolio.analytics.risk import at_risk_clients
            from portfolio.analytics.service_levels import sla_compliance
            from portfolio.analytics.team import team_rollup

            with database.reading() as session:
                use_cubes(session, cubes.get())
                kpis = overview(session, today=today, as_of=as_of, scope=scope)
                risks = at_risk_clients(session, today=today, as_of=as_of, scope=scope)
                directors: list[dict] = []
                if not director:
                    now = dt.datetime.combine(today, dt.time.max)
                    sla = {
                        row.key: row.compliance_pct
                        for row in sla_compliance(
                            session, since=now - dt.timedelta(days=90), now=now, by="director"
                        )
                    }
                    risk_count: dict[str, int] = {}
                    for entry in risks:
                        risk_count[entry.director] = risk_count.get(entry.director, 0) + 1
                    for row in team_rollup(session, period=parse_period("ytd", as_of), as_of=as_of):
                        directors.append(
                            {
                                "director_id": row.director_id,
                                "director": row.director,
                                "clients": row.clients,
                                "currency": row.currency,
                                "achieved": row.achieved,
                                "objective_to_date": row.objective_to_date,
                                "attainment_pct": row.attainment_pct,
                                "spend_variance": row.spend_variance,
                                "sla_pct": sla.get(row.director_id),
                                "at_risk": risk_count.get(row.director, 0),
                            }
                        )
            return OverviewFigures(kpis, risks, directors, [])

        self.lane.submit(work, lambda figures: self._show(generation, figures), self._failed)

    def _failed(self, error: BaseException) -> None:
        self.message.emit(f"Overview: {error}")
        for tile in self.tiles.values():
            tile.set_figure("-", str(error), warn=True)

    def _show(self, generation: int, figures: OverviewFigures) -> None:
        if generation != self._generation:
            return
        self.figures = figures
        kpis = figures.kpis
        self.show_missing_actuals(self.missing_note, kpis.missing.note("spend", "revenue"))
        currency = kpis.currency

        def money(minor: int) -> str:
            return format_money(minor, currency)

        def versus(row, noun: str, actual_word: str = "actual") -> None:
            tile = self.tiles[noun]
            if row is None:
                tile.set_figure("-", "no budget lines")
                return
            shown = row.actual if actual_word == "actual" else row.outlook
            pct = f" ({row.variance_pct:+}%)" if row.variance_pct is not None else ""
            sign = "+" if row.variance > 0 else ""
            verdict = "favourable" if row.favourable else "UNFAVOURABLE"
            tile.set_figure(
                money(shown),
                f"Budget {money(row.budget)}\nVariance {sign}{money(row.variance)}{pct}, {verdict}",
                bad=not row.favourable,
            )

        versus(kpis.spend_ytd, "spend_ytd")
        versus(kpis.spend_year, "spend_year", "outlook")
        versus(kpis.revenue_ytd, "revenue_ytd")
        self.tiles["pipeline"].set_figure(
            money(kpis.weighted_pipeline), "open opportunities, value x chance of winning"
        )
        sla = kpis.sla_compliance_pct
        self.tiles["sla"].set_figure(
            "-" if sla is None else f"{sla}%",
            "of requests due in the last 90 days met their SLA",
            warn=sla is not None and sla < 90,
        )
        satisfaction = kpis.satisfaction
        self.tiles["satisfaction"].set_figure(
            "-" if satisfaction is None else f"{satisfaction} / 100",
            "CSAT and NPS on one 0-100 scale",
            warn=satisfaction is not None and satisfaction < 60,
        )
        due, legal = kpis.deadlines_next_14_days, kpis.legal_deadlines_next_14_days
        self.tiles["deadlines"].set_figure(
            f"{due:,}", f"{legal:,} of them legally required", warn=legal > 0
        )
        risks = figures.risks
        self.tiles["at_risk"].set_figure(
            f"{len(risks):,}",
            "variance, SLA, satisfaction or renewal; see the list below",
            warn=bool(risks),
        )
        self.risk_model.set_records(
            [
                {
                    "client_id": entry.client_id,
                    "client": entry.client,
                    "director": entry.director,
                    "kinds": ", ".join(dict.fromkeys(entry.kinds)),
                    "reasons": [reason.text for reason in entry.reasons],
                }
                for entry in risks
            ]
        )
        self.director_model.set_records(figures.directors)
        self.director_view.parentWidget().setVisible(bool(figures.directors))
        self.as_of_label.setText(self._as_of_text())

    def _open_risk(self, index) -> None:
        record = self.risk_model.record(index.row())
        if record:
            self.navigate.emit("client", {"client_id": record["client_id"]})

    def _open_director(self, index) -> None:
        record = self.director_model.record(index.row())
        if record:
            self.navigate.emit(
                "team", {"member_id": record["director_id"], "role": "account_director"}
            )
