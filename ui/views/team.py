"""The team: each director's book against their objective, and the people themselves.

The roll-up is ``portfolio.analytics.team.team_rollup`` for the year to date (in the
portfolio's base currency); double-click a director to see their clients, or write a
review deck for each of them ("Review decks for this director…"). Below, the team
members as an editable list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from portfolio.periods import month_label, parse_period, period_title
from ui.icons import icon
from ui.tables.balloon import Balloon
from ui.tables.list_view import ListPanel
from ui.tables.records_model import Field, RecordsModel
from ui.views.overview import table
from ui.views.page import FiguresPage
from ui.workspace import Workspace

FIELDS = (
    Field("director", "Account director", width=20),
    Field("manager", "Manager", width=18),
    Field("clients", "Clients", "count", width=7),
    Field("objective_to_date", "Objective to date", "money", width=17),
    Field("achieved", "Revenue achieved", "money", width=17),
    Field("attainment_pct", "Attainment", "percent", width=10),
    Field("objective", "Year objective", "money", width=17),
    Field("outlook", "Revenue outlook", "money", width=17),
    Field(
        "spend_variance",
        "Spend variance, full year",
        "money",
        higher_is_better=False,
        width=24,
        tooltip="The calendar year's spend outlook minus its budget",
    ),
)


class TeamPage(FiguresPage):
    key = "team"
    title = "Team"
    icon_name = "team"

    def reads(self) -> frozenset[str]:
        from portfolio.analytics.team import READS

        return READS

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.lane = workspace.lane(self)
        self.loaded_once = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.book_button = QPushButton(icon("deck"), "Review decks for this director…")
        self.book_button.setAccessibleName("Review decks for a director")
        self.book_button.setToolTip("One review deck per client of the selected director")
        self.book_button.clicked.connect(self.review_decks)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.book_button)
        layout.addLayout(top)
        # The months whose actuals have not come in (counted as 0 in attainment too).
        self.missing_note = Balloon(self, "Missing actuals")
        layout.addWidget(self.missing_note)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = RecordsModel(FIELDS, self)
        self.view = table(self.model, "Directors against objective", stretch=False)
        self.view.doubleClicked.connect(self._open)
        split.addWidget(self.view)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 6, 0, 0)
        title = QLabel("<b>Team members</b> (double-click a director to see their clients)")
        holder_layout.addWidget(title)
        self.members = self.watch(ListPanel(workspace, "team", settings_key="team", drills=True))
        holder_layout.addWidget(self.members)
        split.addWidget(holder)
        split.setSizes([300, 420])
        layout.addWidget(split, 1)

    def panels(self) -> list[ListPanel]:
        return [self.members]

    def ready(self) -> bool:
        return self.loaded_once and not self.lane.busy and super().ready()

    def load(self) -> None:
        self.loading_started()
        database = self.workspace.database
        as_of = self.workspace.as_of
        period = parse_period("fy", as_of)
        self.caption.setText(
            f"<b>Directors against their revenue objective</b>, {period_title(period)}: to date "
            f"(actuals to {month_label(as_of)}) and for the year, in the portfolio's base currency"
        )

        cubes = self.cubes

        def work():
            from portfolio.analytics.cubes import use_cubes
            from portfolio.analytics.missing_actuals import missing_actuals
            from portfolio.analytics.team import team_rollup

            with database.reading() as session:
                use_cubes(session, cubes.get())
                rows = team_rollup(session, period=period, as_of=as_of)
                return rows, missing_actuals(session, period, as_of)

        def show(found) -> None:
            rows, missing = found
            self.show_missing_actuals(self.missing_note, missing.note("spend", "revenue"))
            self.model.set_records(
                [
                    {
                        "director_id": row.director_id,
                        "director": row.director,
                        "manager": row.manager,
                        "clients": row.clients,
                        "currency": row.currency,
                        "objective_to_date": row.objective_to_date,
                        "achieved": row.achieved,
                        "attainment_pct": row.attainment_pct,
                        "objective": row.objective,
                        "outlook": row.outlook,
                        "spend_variance": row.spend_variance,
                    }
                    for row in rows
                ]
            )
            self.loaded_once = True

        self.lane.submit(work, show, lambda error: self.caption.setText(f"Could not load: {error}"))

    def review_decks(self):
        """The book dialog for the director selected above (or the first)."""
        from ui.decks.book_dialog import BookDialog

        record = (
            self.model.record(self.view.currentIndex().row()) if self.model.rowCount() else None
        )
        dialog = BookDialog(self.workspace, record["director_id"] if record else None, self)
        dialog.finished.connect(dialog.deleteLater)
        self.book_dialog = dialog
        dialog.open()
        return dialog

    def _open(self, index) -> None:
        record = self.model.record(index.row())
        if record:
            self.navigate.emit(
                "team", {"member_id": record["director_id"], "role": "account_director"}
            )
