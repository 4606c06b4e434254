"""Variances and how to make them up.

Choose the measure, the roll-up level (client, campaign, director, vertical) and the
period (month, quarter, year to date, year); the table shows each group's budget,
forecast, actual, outlook and variances, unfavourable ones marked by an icon, a colour
and the word. The chart shows the selected group (or the whole book) by month with the
cumulative lines. Below: every negative year-to-date variance with what is planned to
recover it and the amount per remaining month, and the make-up actions; "Add make-up
action" starts one from the selected row.

All figures come from the core (``variance_rollup``, ``recovery_plan``) on a worker
lane, read from the monthly totals (the campaign level from the budget lines). A change
of level or period that moves neither the chart nor the make-up plan keeps them; the
other measures' plans and charts are made ahead while the person reads, and everything
kept is dropped when the data changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from portfolio.analytics.dimensions import Scope
from portfolio.periods import (
    MONTH_NAMES,
    Period,
    add_months,
    fiscal_year_of,
    month_key,
    month_label,
    months_between,
    parse_period,
    period_title,
    year_kind,
    year_to_date,
)
from portfolio.queries.listing import ViewState
from ui.charts.bar_line_chart import BarLineChart
from ui.charts.variance_chart import monthly_chart
from ui.editing.makeup_form import MakeupStart, add_makeup_action
from ui.icons import icon
from ui.tables.balloon import Balloon
from ui.tables.lazy_records import LazyRecords
from ui.tables.list_view import ListPanel
from ui.tables.records_model import Field, RecordsModel
from ui.views.overview import table
from ui.views.page import FiguresPage
from ui.workspace import Workspace

LEVELS = (
    ("client", "Client"),
    ("campaign", "Campaign"),
    ("director", "Director"),
    ("vertical", "Vertical"),
)
PERIODS = (
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("ytd", "Year to date"),
    ("year", "Full year"),
)
MEASURES = (("spend", "Spend"), ("revenue", "Revenue"), ("sales", "Sales"))
#: Which year "year to date", "quarter" and "full year" are read in.
YEARS = (("calendar", "Calendar year"), ("fiscal", "Each client's fiscal year"))


def variance_fields(measure: str) -> tuple[Field, ...]:
    higher = measure != "spend"
    return (
        Field("group", "Group", width=34),
        Field("period", "Period", width=22, tooltip="The months these figures cover"),
        Field("currency", "Cur", width=4),
        Field("budget", "Budget", "money", width=16),
        Field("forecast", "Forecast", "money", width=16),
        Field("actual", "Actual", "money", width=16),
        Field(
            "outlook",
            "Outlook",
            "money",
            width=16,
            tooltip="Actuals for closed months, forecast for open ones",
        ),
        Field(
            "variance",
            "Variance",
            "money",
            higher_is_better=higher,
            width=17,
            tooltip="Outlook minus budget",
        ),
        Field("variance_pct", "Var %", "percent", higher_is_better=higher, width=9),
        Field(
            "variance_vs_forecast",
            "vs forecast",
            "money",
            higher_is_better=higher,
            width=17,
            tooltip="Outlook minus forecast",
        ),
        Field("status", "Status", width=14, alerts=("UNFAVOURABLE",)),
    )


def period_for(choice: str, as_of: int, start_month: int = 1) -> Period:
    """The period of a choice, in a year that starts in ``start_month``."""
    if choice == "month":
        return parse_period(month_key(as_of), as_of)
    if choice == "quarter":
        year = fiscal_year_of(as_of, start_month)
        quarter = (len(months_between(year.first, as_of)) - 1) // 3
        first = add_months(year.first, quarter * 3)
        label = (
            f"Q{quarter + 1} {year.label}" if start_month != 1 else f"{as_of // 100}-Q{quarter + 1}"
        )
        return Period(first, add_months(first, 2), label)
    if choice == "ytd":
        return parse_period("ytd", as_of, start_month)
    return parse_period("fy", as_of, start_month)


def scope_for(level: str, key: tuple) -> Scope:
    if level == "client":
        return Scope(client_ids=(key[0],))
    if level == "campaign":
        return Scope(campaign_ids=(key[0],))
    if level == "director":
        return Scope(director_ids=(key[0],))
    return Scope(verticals=(key[0],))


@dataclass
class Selection:
    level: str
    key: tuple
    group: str
    client_id: int | None
    campaign_id: int | None


#: How many page states' roll-ups are kept (each holds all three measures).
KEPT_STATES = 12


#: And how many make-up plans (a campaign-level plan has some 27,000 items on the demo):
#: one per measure at client level, and one campaign-level plan.
KEPT_PLANS = 4

#: And how many charts (twelve months each).
KEPT_CHARTS = 24

#: The most rows searched for the selected group when the rows are replaced.
RESELECT_ROWS = 10_000


def _chart_key(measure: str, as_of: int, chosen: Selection | None) -> tuple:
    """What a chart shows: a measure by month of the year of ``as_of``, for the selected
    group (its level and key) or, with nothing selected, the whole book."""
    return (measure, as_of, chosen.level if chosen else None, chosen.key if chosen else None)


def _remember(kept: dict[tuple, list], key: tuple, value: list, most: int) -> None:
    """Keep ``value`` as the newest of at most ``most`` entries."""
    kept.pop(key, None)
    kept[key] = value
    while len(kept) > most:
        kept.pop(next(iter(kept)))


def year_starts(session, calendar: bool) -> list[int]:
    """The first months of the years the page reads in: January for the calendar year,
    else each client's fiscal year start (1-12) that some client has."""
    from sqlalchemy import select

    from portfolio.model import Client

    if calendar:
        return [1]
    return sorted(set(session.scalars(select(Client.fiscal_year_start).distinct()))) or [1]


def rollup_parts(session, level: str, choice: str, calendar: bool, as_of: int) -> list[tuple]:
    """The roll-ups of all three measures for a level and period choice: one part for
    the calendar year, or one per fiscal year start: (roll-ups, period text, suffix)."""
    from portfolio.analytics.variance import MEASURES, variance_rollups

    starts = year_starts(session, calendar)
    several = len(starts) > 1 and level in ("director", "vertical")
    parts = []
    for start in starts:
        scope = Scope() if calendar else Scope(fiscal_year_starts=(start,))
        its_period = period_for(choice, as_of, start)
        rollups = variance_rollups(
            session,
            by=(level,),
            period=its_period,
            as_of=as_of,
            measure_names=tuple(MEASURES),
            scope=scope,
        )
        shown = (
            f"{its_period.span} ({year_kind(start)})"
            if its_period.first != its_period.last
            else its_period.label
        )
        suffix = f" ({MONTH_NAMES[start - 1]} years)" if several else ""
        parts.append((rollups, shown, suffix))
    return parts


def missing_in(session, choice: str, calendar: bool, as_of: int):
    """The closed months whose lines lack actuals (``missing_actuals.MissingActuals``)
    of what the page shows: the period chosen and the year to date of the make-up plan,
    in each client's fiscal year or the calendar's."""
    from portfolio.analytics.missing_actuals import MissingActuals, missing_actuals

    starts = year_starts(session, calendar)

    def of_start(start: int) -> MissingActuals:
        scope = Scope() if calendar else Scope(fiscal_year_starts=(start,))
        periods = (period_for(choice, as_of, start), year_to_date(as_of, start))
        return MissingActuals.union(
            [missing_actuals(session, p, as_of, scope, every_month=True) for p in periods]
        )

    return MissingActuals.combined([of_start(start) for start in starts])


def table_records(parts: list[tuple], level: str, measure: str, record) -> tuple[Any, int]:
    """The table's records in the page's order, and how many are unfavourable: made
    as they are shown when the roll-ups are the cubes' arrays, else all at once."""
    from ui.views.variance_order import variance_order

    found = variance_order([rollups[measure].rows for rollups, _, _ in parts], measure)
    if found is None:
        records = [
            record(level, measure, row, shown, suffix)
            for rollups, shown, suffix in parts
            for row in rollups[measure].rows
        ]
        _sort_records(records, measure)
        return records, sum(1 for r in records if r["status"] == "UNFAVOURABLE")
    which, at, bad = found
    rows = [rollups[measure].rows for rollups, _, _ in parts]
    texts = [(shown, suffix) for _, shown, suffix in parts]
    which_list, at_list = which.tolist(), at.tolist()

    def make(index: int) -> dict:
        part = which_list[index]
        return record(level, measure, rows[part][at_list[index]], *texts[part])

    return LazyRecords(len(which_list), make), bad


def _plan_record(item) -> dict:
    """One row of the make-up table (made when shown: a campaign plan has 27,444)."""
    return {
        "client_id": item.client_id,
        "campaign_id": item.campaign_id,
        "group": item.group,
        "ytd": item.ytd.span if item.ytd else "",
        "director": item.director,
        "currency": item.currency,
        "measure": item.measure,
        "shortfall": item.shortfall,
        "shortfall_pct": item.shortfall_pct,
        "planned": item.planned,
        "uncovered": item.uncovered,
        "first_month": item.remaining_months[0] if item.remaining_months else None,
        **{f"m{m}": v for m, v in zip(item.remaining_months, item.per_month, strict=True)},
    }


def _sort_records(records: list[dict], measure: str) -> None:
    """Unfavourable first, the worst variance (as a share of budget) at the top."""
    records.sort(
        key=lambda r: (
            r["status"] != "UNFAVOURABLE",
            -(r["variance_pct"] or 0) if measure == "spend" else (r["variance_pct"] or 0),
        )
    )


class VariancePage(FiguresPage):
    key = "variances"
    title = "Variances"
    icon_name = "variances"

    def reads(self) -> frozenset[str]:
        from portfolio.analytics.recovery import READS

        return READS

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self.lane = workspace.lane(self)
        self.chart_lane = workspace.lane(self)
        #: Work done ahead of the person's next choice (the other measures' plans and
        #: charts).
        self.ahead_lane = workspace.lane(self)
        self._generation = 0
        #: Bumped when the kept plans and roll-ups are dropped: work done ahead for
        #: older data is not kept.
        self._kept_generation = 0
        self._chart_generation = 0
        self.loaded_once = False
        self.chart_loaded = False
        self._chart_key: tuple | None = None
        #: Make-up plans and roll-ups already read, until the data changes.
        self._plans: dict[tuple, list] = {}
        self._states: dict[tuple, list] = {}
        #: Chart roll-ups by (measure, as of, level and key of the selected row).
        self._charts: dict[tuple, Any] = {}
        #: Closed months without actuals, by (period, year kind, as of).
        self._missing: dict[tuple, Any] = {}
        self._shown_plan: tuple | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        controls = QHBoxLayout()
        self.measure = self._combo(controls, "Measure", MEASURES)
        self.level = self._combo(controls, "Level", LEVELS)
        self.period = self._combo(controls, "Period", PERIODS)
        self.period.setCurrentIndex(2)
        self.year_kind = self._combo(controls, "Year", YEARS)
        self.year_kind.setToolTip(
            "Read year to date, quarters and the full year in the calendar year, or in each"
            " client's own fiscal year (rows then say which months they cover)"
        )
        controls.addStretch(1)
        self.note = QLabel("")
        controls.addWidget(self.note)
        layout.addLayout(controls)
        # Actuals that have not come in count as 0 in every figure below: said above them.
        self.missing_note = Balloon(self, "Missing actuals")
        layout.addWidget(self.missing_note)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        self.rollup_model = RecordsModel(variance_fields("spend"), self)
        self.rollup_view = table(self.rollup_model, "Variances by group", stretch=False)
        self.rollup_view.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        top.addWidget(self.rollup_view)
        self.chart = BarLineChart()
        top.addWidget(self.chart)
        top.setSizes([760, 560])
        self.top_splitter = top
        self.splitter.addWidget(top)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        head = QHBoxLayout()
        self.recovery_label = QLabel("<b>Negative variances to make up</b>")
        head.addWidget(self.recovery_label)
        head.addStretch(1)
        self.add_action_button = QPushButton(icon("makeup"), "Add make-up action…")
        self.add_action_button.setToolTip(
            "Plan an action to recover the selected negative variance"
        )
        self.add_action_button.clicked.connect(self.add_makeup_action)
        head.addWidget(self.add_action_button)
        bottom_layout.addLayout(head)
        lower = QSplitter(Qt.Orientation.Horizontal)
        self.recovery_model = RecordsModel(self._recovery_fields(()), self)
        self.recovery_view = table(
            self.recovery_model, "Negative variances to make up", stretch=False
        )
        for view in (self.recovery_view, self.rollup_view):
            makeup = QAction(icon("makeup"), "Add make-up action…", view)
            makeup.triggered.connect(self.add_makeup_action)
            view.addAction(makeup)
        lower.addWidget(self.recovery_view)
        self.actions = self.watch(
            ListPanel(
                workspace,
                "makeup_actions",
                settings_key="variance_actions",
                state=ViewState(scope=(("measure", "spend"),)),
            )
        )
        lower.addWidget(self.actions)
        lower.setSizes([760, 560])
        self.lower_splitter = lower
        bottom_layout.addWidget(lower, 1)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([430, 330])
        layout.addWidget(self.splitter, 1)

        for combo in (self.measure, self.level, self.period, self.year_kind):
            combo.currentIndexChanged.connect(lambda _i: self.load())
        self._restore_splitters()

    def _combo(self, layout: QHBoxLayout, label: str, choices) -> QComboBox:
        layout.addWidget(QLabel(f"{label}:"))
        combo = QComboBox()
        combo.setAccessibleName(label)
        for value, text in choices:
            combo.addItem(text, value)
        layout.addWidget(combo)
        return combo

    def _restore_splitters(self) -> None:
        for name, splitter in self._splitters().items():
            saved = self.workspace.settings.bytes(f"splitters/{name}")
            if saved is not None:
                splitter.restoreState(saved)

    def _splitters(self) -> dict[str, QSplitter]:
        return {
            "variance": self.splitter,
            "variance_top": self.top_splitter,
            "variance_lower": self.lower_splitter,
        }

    def save_settings(self) -> None:
        super().save_settings()
        for name, splitter in self._splitters().items():
            self.workspace.settings.set_value(f"splitters/{name}", splitter.saveState())

    def panels(self) -> list[ListPanel]:
        return [self.actions]

    def primary_panel(self) -> ListPanel | None:
        return self.actions

    def ready(self) -> bool:
        return (
            self.loaded_once
            and self.chart_loaded
            and not self.lane.busy
            and not self.chart_lane.busy
            and super().ready()
        )

    # -- loading ------------------------------------------------------------------------

    def load(self) -> None:
        stale = self._stale
        self.loading_started()
        self._generation += 1
        generation = self._generation
        measure = self.measure.currentData()
        level = self.level.currentData()
        choice = self.period.currentData()
        calendar = self.year_kind.currentData() == "calendar"
        as_of = self.workspace.as_of
        period = period_for(choice, as_of)
        database = self.workspace.database
        self.note.setText(f"{self._period_words(period, calendar)} - calculating…")
        self.actions.model.set_state(self.actions.model.state.scoped(measure=measure))
        # The make-up plan depends on the measure, the year and whether campaigns are
        # listed, not on the period or the other levels: a change of those reuses it.
        # Each state's roll-ups hold all three measures (the cubes sum them in one
        # pass): a change of measure reuses them and only makes the table's rows.
        if stale:
            self._plans.clear()
            self._states.clear()
            self._charts.clear()
            self._missing.clear()
            self._shown_plan = None
            self._kept_generation += 1
            self.ahead_lane.clear()
        plan_key = (measure, level == "campaign", calendar, as_of)
        state_key = (level, choice, calendar, as_of)
        plan = self._plans.get(plan_key)
        parts = self._states.get(state_key)
        missing_key = (choice, calendar, as_of)
        missing = self._missing.get(missing_key)
        record = self._record
        cubes = self.cubes

        def work() -> dict[str, Any]:
            from portfolio.analytics.cubes import use_cubes
            from portfolio.analytics.recovery import recovery_plan

            with database.reading() as session:
                use_cubes(session, cubes.get())
                made_parts = parts
                if made_parts is None:
                    made_parts = rollup_parts(session, level, choice, calendar, as_of)
                found_missing = missing
                if found_missing is None:
                    found_missing = missing_in(session, choice, calendar, as_of)
                converted_to = None
                for rollups, _shown, _suffix in made_parts:
                    converted_to = converted_to or rollups[measure].converted_to
                records, bad = table_records(made_parts, level, measure, record)
                made = plan
                if made is None:
                    made = recovery_plan(
                        session,
                        as_of=as_of,
                        measure_name=measure,
                        level="campaign" if level == "campaign" else "client",
                        calendar=calendar,
                    )
            return {
                "records": records,
                "bad": bad,
                "plan": made,
                "converted_to": converted_to,
                "parts": made_parts,
                "missing": found_missing,
            }

        def show(result) -> None:
            if generation != self._generation:
                return
            _remember(self._plans, plan_key, result["plan"], KEPT_PLANS)
            _remember(self._states, state_key, result["parts"], KEPT_STATES)
            self._missing[missing_key] = result["missing"]
            self.show_missing_actuals(self.missing_note, result["missing"].note(measure))
            self._show_rows(
                level,
                measure,
                period,
                calendar,
                result["records"],
                result["plan"],
                result["converted_to"],
                bad=result["bad"],
                plan_changed=plan_key != self._shown_plan,
            )
            self._shown_plan = plan_key
            if level != "campaign":
                # A manager on this page may well ask for campaigns next: 0.8 s of
                # reading on the million-line demo (mostly SQLite's, off the
                # interpreter), started as soon as this page's figures are shown.
                self.cubes.warm_campaigns(database)
                self._ahead_of_a_measure_change(calendar, as_of, self.selection())

        self.lane.submit(
            work, show, lambda error: self.note.setText(f"Could not calculate: {error}")
        )
        self._load_chart(None, again=stale)

    def _ahead_of_a_measure_change(self, calendar: bool, as_of: int, chosen) -> None:
        """Make the other measures' client-level make-up plans and charts while the
        person reads this one: a change of measure then only lays out rows (a plan is
        8-25 ms of the interpreter on the million-line demo, a chart 6-25 ms). Campaign-
        level plans (27,000 items, 0.1 s and 13 MB each) are made only when asked for."""
        names = [name for name, _label in MEASURES]
        plans = [name for name in names if (name, False, calendar, as_of) not in self._plans]
        charts = {name: _chart_key(name, as_of, chosen) for name in names}
        charts = {name: key for name, key in charts.items() if key not in self._charts}
        if not plans and not charts:
            return
        kept_generation = self._kept_generation
        database = self.workspace.database
        cubes = self.cubes
        chart_work = {name: self._chart_work(name, as_of, chosen) for name in charts}

        def work() -> tuple[dict, dict]:
            from portfolio.analytics.cubes import use_cubes
            from portfolio.analytics.recovery import recovery_plan

            with database.reading() as session:
                use_cubes(session, cubes.get())
                made_plans = {
                    name: recovery_plan(
                        session, as_of=as_of, measure_name=name, level="client", calendar=calendar
                    )
                    for name in plans
                }
            return made_plans, {charts[name]: made() for name, made in chart_work.items()}

        def keep(made: tuple[dict, dict]) -> None:
            if kept_generation != self._kept_generation:
                return  # the data changed meanwhile
            made_plans, made_charts = made
            for name, plan in made_plans.items():
                key = (name, False, calendar, as_of)
                if key not in self._plans:
                    _remember(self._plans, key, plan, KEPT_PLANS)
            for key, rollup in made_charts.items():
                if key not in self._charts:
                    _remember(self._charts, key, rollup, KEPT_CHARTS)

        # A failure here is the next choice's to report, when it reads for itself.
        self.ahead_lane.submit(work, keep, lambda _error: None)

    def _period_words(self, period: Period, calendar: bool) -> str:
        as_of = month_label(self.workspace.as_of)
        if calendar:
            return f"{period_title(period)}, actuals to {as_of}"
        return f"each client's fiscal year (the Period column names its months), actuals to {as_of}"

    @staticmethod
    def _record(level: str, measure: str, row, period_text: str, suffix: str) -> dict:
        """One table row; built on the worker lane (a campaign level has 50,000)."""
        key = row.key
        client_id = key[0] if level == "client" else (key[1] if level == "campaign" else None)
        favourable = row.favourable
        return {
            "key": key,
            "level": level,
            "client_id": client_id,
            "campaign_id": key[0] if level == "campaign" else None,
            "group": row.group + suffix,
            "period": period_text,
            "currency": row.currency,
            "budget": row.budget,
            "forecast": row.forecast,
            "actual": row.actual,
            "outlook": row.outlook,
            "variance": row.variance,
            "variance_pct": row.variance_pct,
            "variance_vs_forecast": row.variance_vs_forecast,
            "status": "favourable" if favourable else "UNFAVOURABLE",
            "shortfall": 0 if favourable else abs(row.variance),
            "measure": measure,
        }

    def _show_rows(
        self,
        level,
        measure,
        period,
        calendar,
        records,
        plan,
        converted_to,
        *,
        plan_changed: bool = True,
        bad: int | None = None,
    ) -> None:
        self.rollup_model.fields = variance_fields(measure)
        previous = self.selection()
        self.rollup_model.set_records(records)
        self._select_again(previous, level, records)
        self._rows_replaced()
        if bad is None:
            bad = sum(1 for r in records if r["status"] == "UNFAVOURABLE")
        converted = f"; converted into {converted_to}" if converted_to else ""
        self.note.setText(
            f"{len(records):,} groups, {bad:,} unfavourable. "
            f"{self._period_words(period, calendar)}{converted}"
        )
        if not plan_changed:
            self.loaded_once = True
            return
        months = sorted({m for item in plan for m in item.remaining_months})
        self.recovery_model.fields = self._recovery_fields(months)
        self.recovery_model.set_records(LazyRecords(len(plan), lambda i: _plan_record(plan[i])))
        table_width = self.recovery_view.fontMetrics().averageCharWidth()
        for number, field in enumerate(self.recovery_model.fields):
            self.recovery_view.horizontalHeader().resizeSection(
                number, max(field.width, len(field.label) + 2) * table_width + 16
            )
        ytd = (
            year_to_date(self.workspace.as_of).label
            if calendar
            else "year to date of each client's fiscal year (its months under Year to date)"
        )
        self.recovery_label.setText(
            f"<b>Negative {measure} variances to make up, {ytd}</b> ({len(plan):,})"
        )
        self.loaded_once = True

    def _recovery_fields(self, months) -> tuple[Field, ...]:
        fields = [
            Field("group", "Client / campaign", width=32),
            Field("ytd", "Year to date", width=16, tooltip="The months the shortfall covers"),
            Field("director", "Director", width=16),
            Field("shortfall", "To make up", "money", width=15),
            Field("shortfall_pct", "% of budget", "percent", width=9),
            Field(
                "planned",
                "Planned",
                "money",
                width=15,
                tooltip="What open make-up actions for the remaining months should recover",
            ),
            Field("uncovered", "Not covered", "money", width=15),
        ]
        fields += [Field(f"m{m}", month_label(m), "money", width=13) for m in months]
        return tuple(fields)

    def selection(self) -> Selection | None:
        index = self.rollup_view.currentIndex()
        record = self.rollup_model.record(index.row()) if index.isValid() else None
        if record is None:
            return None
        return Selection(
            record["level"],
            record["key"],
            record["group"],
            record["client_id"],
            record["campaign_id"],
        )

    def _select_again(self, previous: Selection | None, level: str, records) -> None:
        """Keep the selected group selected across a change of measure or period (its
        chart and make-up list follow). Looked for among at most ``RESELECT_ROWS`` rows:
        the campaign level's 50,000 are made only as they are shown."""
        if previous is None or previous.level != level or len(records) > RESELECT_ROWS:
            return
        for row in range(len(records)):
            if records[row]["key"] == previous.key:
                self.rollup_view.setCurrentIndex(self.rollup_model.index(row, 0))
                return

    def _rows_replaced(self) -> None:
        """New rows clear the table's selection without a signal (a model reset): a
        chart and make-up list that followed a row picked meanwhile (while the level
        was calculating) go back to the whole book, as the table now shows."""
        if self.selection() is not None:
            return
        charted_row = self._chart_key is not None and self._chart_key[2] is not None
        if charted_row:  # its level is set only for a selected group (``_chart_key``)
            self._load_chart(None, again=False)
        for name in ("client_id", "campaign_id"):
            if any(scoped == name for scoped, _value in self.actions.model.state.scope):
                self.actions.remove_scope(name)

    def _selected(self) -> None:
        """The chart and the make-up actions follow the selected row: a campaign row's
        actions are that campaign's, a client row's the client's (all its campaigns)."""
        chosen = self.selection()
        self._load_chart(chosen, again=False)
        measure = {"measure": self.measure.currentData()}
        if chosen is not None and chosen.campaign_id is not None:
            self.actions.set_scope(
                {"campaign_id": chosen.campaign_id, **measure},
                {"campaign_id": f"Campaign: {chosen.group}", "measure": ""},
            )
        elif chosen is not None and chosen.client_id is not None:
            self.actions.set_scope(
                {"client_id": chosen.client_id, **measure},
                {"client_id": f"Client: {chosen.group.split(' / ')[0]}", "measure": ""},
            )

    def _load_chart(self, chosen: Selection | None, *, again: bool = True) -> None:
        measure = self.measure.currentData()
        as_of = self.workspace.as_of
        # The chart is the whole book or the selected group, by month of the year: a
        # change of level or period that leaves nothing selected keeps the same chart.
        chart_key = _chart_key(measure, as_of, chosen)
        if not again and chart_key == self._chart_key and self.chart_loaded:
            return
        self._chart_key = chart_key
        self._chart_generation += 1
        generation = self._chart_generation
        year = parse_period("fy", as_of)
        what = chosen.group if chosen else "whole book"
        title = f"{measure.capitalize()} by month, {period_title(year)}: {what}"
        kept = self._charts.get(chart_key)
        if kept is not None:
            self._show_chart(kept, title, year, as_of)
            return
        self.chart.set_data(None, "Calculating…")
        work = self._chart_work(measure, as_of, chosen)
        kept_generation = self._kept_generation

        def show(rollup) -> None:
            if kept_generation == self._kept_generation:
                _remember(self._charts, chart_key, rollup, KEPT_CHARTS)
            if generation != self._chart_generation:
                return
            self._show_chart(rollup, title, year, as_of)

        self.chart_lane.submit(work, show, lambda error: self.chart.set_data(None, str(error)))

    def _chart_work(self, measure: str, as_of: int, chosen: Selection | None):
        """The chart's roll-up (by month of the year) as a function for a worker."""
        year = parse_period("fy", as_of)
        scope = scope_for(chosen.level, chosen.key) if chosen else Scope()
        database = self.workspace.database
        cubes = self.cubes

        def work():
            from portfolio.analytics.cubes import use_cubes
            from portfolio.analytics.variance import variance_rollup

            with database.reading() as session:
                use_cubes(session, cubes.get())
                return variance_rollup(
                    session,
                    by=("month",),
                    period=year,
                    as_of=as_of,
                    measure_name=measure,
                    scope=scope,
                )

        return work

    def _show_chart(self, rollup, title: str, year: Period, as_of: int) -> None:
        currencies = {row.currency for row in rollup.rows}
        currency = rollup.converted_to or (next(iter(currencies)) if len(currencies) == 1 else None)
        if len(currencies) > 1 and not rollup.converted_to:
            self.chart.set_data(None, "Several currencies; choose one client to chart")
            self.chart_loaded = True
            return
        shown = f"{title} (in {currency})" if rollup.converted_to else title
        self.chart.set_data(
            monthly_chart(rollup.rows, year.months(), as_of=as_of, title=shown, currency=currency)
        )
        self.chart_loaded = True

    # -- make-up actions ----------------------------------------------------------------

    def add_makeup_action(self) -> None:
        """Start a make-up action from the selected recovery row (or variance row)."""
        measure = self.measure.currentData()
        record = None
        index = self.recovery_view.currentIndex()
        if index.isValid():
            record = self.recovery_model.record(index.row())
            amount, first = record["uncovered"] or record["shortfall"], record["first_month"]
        else:
            index = self.rollup_view.currentIndex()
            record = self.rollup_model.record(index.row()) if index.isValid() else None
            if record is not None:
                amount, first = record["shortfall"], add_months(self.workspace.as_of, 1)
        if record is None or record.get("client_id") is None:
            self.message.emit("Select a client or campaign with a negative variance first")
            return
        start = MakeupStart(
            record["client_id"],
            record.get("campaign_id"),
            measure,
            amount or None,
            record.get("currency"),
            first,
        )
        text = add_makeup_action(self.workspace, start, self)
        if text:
            self.message.emit(text)
