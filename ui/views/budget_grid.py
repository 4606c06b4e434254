"""The budget grid: months across, budget / forecast / actual / outlook / variance down.

A campaign's grid is typed into like a spreadsheet: F2 or typing edits a cell, Ctrl+V
pastes a block copied from Excel (tab-separated) from the current cell, Ctrl+R fills
right. Each of those is one action: one transaction, one undo step, and a refused value
names its row and month with the core's reason while nothing is stored. A client's grid
sums its campaigns and is read only. Beside the grid: the year's budget, full-year
outlook and variance for each measure.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from portfolio.actions import Action, Changes
from portfolio.analytics.variance import open_actual_warning
from portfolio.errors import PortfolioError, ValidationError
from portfolio.money import format_money, from_minor
from portfolio.periods import MONTH_NAMES, month_label
from portfolio.queries.budget_grid import ROWS, BudgetGrid, load_grid, steps_for
from portfolio.queries.pickers import campaigns_of
from ui.editing.conflicts import perform_resolving
from ui.icons import icon
from ui.tables.balloon import Balloon
from ui.tables.sheet_view import SheetView
from ui.theme import colours
from ui.workspace import Workspace

Index = QModelIndex | QPersistentModelIndex
#: The campaign chooser's "all campaigns" item (ids start at 1; never None, see BLANK).
ALL_CAMPAIGNS = 0
KIND_LABELS = {
    "budget": "budget",
    "forecast": "forecast",
    "actual": "actual",
    "outlook": "outlook",
    "variance": "variance",
}


def row_label(measure: str, kind: str) -> str:
    return f"{measure.capitalize()} {KIND_LABELS[kind]}"


class BudgetGridModel(QAbstractTableModel):
    #: A typed or pasted value was refused: the message, ready to show.
    refused = Signal(str)
    #: The same grid was read again with new values (no reset).
    refreshed = Signal()

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.grid: BudgetGrid | None = None
        self.last_refusal: str | None = None

    def load(self, client_id: int, campaign_id: int | None, year_ending: int | None = None) -> None:
        as_of = self.workspace.as_of
        grid = self.workspace.read(
            lambda s: load_grid(
                s,
                client_id=client_id,
                campaign_id=campaign_id,
                as_of=as_of,
                year_ending=year_ending,
            )
        )
        old = self.grid
        if old is not None and (old.client_id, old.campaign_id, old.months) == (
            grid.client_id,
            grid.campaign_id,
            grid.months,
        ):
            # The same cells with new values: no reset, so the current cell, the
            # selection and an open editor elsewhere stay where they are.
            self.grid = grid
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )
            self.refreshed.emit()
            return
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def reload(self) -> None:
        if self.grid is not None:
            self.load(self.grid.client_id, self.grid.campaign_id, self.grid.year.last // 100)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.grid is None else len(ROWS)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.grid is None else len(self.grid.months) + 1

    def month_of(self, column: int) -> int | None:
        if self.grid is None or column >= len(self.grid.months):
            return None
        return self.grid.months[column]

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.grid is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section <= len(self.grid.months):
                return None
            month = self.month_of(section)
            if role == Qt.ItemDataRole.DisplayRole:
                if month is None:
                    return f"Year {self.grid.year.label}"
                return f"{MONTH_NAMES[month % 100 - 1]} {str(month // 100)[2:]}"
            if role == Qt.ItemDataRole.ToolTipRole:
                if month is None:
                    return "The year's total; on the outlook row, the full-year outlook"
                state = "closed (actuals)" if self.grid.closed(month) else "open (forecast)"
                return f"{month_label(month)}: {state}"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if not 0 <= section < len(ROWS):
            return None
        measure, kind = ROWS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return row_label(measure, kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            if kind == "outlook":
                return "Actual for closed months (empty counts as 0), forecast for open ones"
            if kind == "variance":
                return "Outlook minus budget; marked when unfavourable"
            return row_label(measure, kind)
        if role == Qt.ItemDataRole.FontRole and kind in ("outlook", "variance"):
            font = QFont()
            font.setItalic(kind == "outlook")
            font.setBold(kind == "variance")
            return font
        return None

    def _value(self, row: int, column: int) -> int | None:
        assert self.grid is not None
        measure, kind = ROWS[row]
        month = self.month_of(column)
        if month is None:
            return self.grid.total(measure, kind)
        return self.grid.value(measure, kind, month)

    def text(self, row: int, column: int, value: int | None) -> str:
        assert self.grid is not None
        if value is None:
            return ""
        measure, kind = ROWS[row]
        if self.grid.is_money(measure):
            text = format_money(value, self.grid.currency)
        else:
            text = f"{value:,}"
        return f"+{text}" if kind == "variance" and value > 0 else text

    def _bad(self, row: int, value: int | None) -> bool:
        assert self.grid is not None
        measure, kind = ROWS[row]
        return kind == "variance" and bool(value) and not self.grid.favourable(measure, value)

    def open_actual(self, row: int, column: int) -> str | None:
        """The core's warning when (row, column) is an actual of a month still open."""
        month = self.month_of(column)
        if self.grid is None or month is None or ROWS[row][1] != "actual":
            return None
        return open_actual_warning(month, self.grid.as_of, self.workspace.context.last_closed)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self.grid is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        measure, kind = ROWS[index.row()]
        month = self.month_of(index.column())
        if month is not None and self.grid.cell_editable(measure, kind, month):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.grid is None:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(ROWS) and 0 <= column <= len(self.grid.months)):
            return None
        value = self._value(row, column)
        measure, kind = ROWS[row]
        month = self.month_of(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column, value)
        if role == Qt.ItemDataRole.EditRole:
            if value is None:
                return ""
            if self.grid.is_money(measure):
                return str(from_minor(value, self.grid.currency))
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._bad(row, value):
                return QBrush(colours().unfavourable)
            if kind in ("outlook",):
                return QBrush(colours().muted)
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if self._bad(row, value):
                return icon("unfavourable")
            if self.open_actual(row, column) and value is not None:
                return icon("warning")
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if month is not None and not self.grid.closed(month):
                shade = QColor(colours().grid)
                shade.setAlpha(90)
                return QBrush(shade)
            return None
        if role == Qt.ItemDataRole.FontRole:
            if month is None or kind == "variance":
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            where = month_label(month) if month else f"year {self.grid.year.label}"
            text = (
                f"{row_label(measure, kind)}, {where}: {self.text(row, column, value) or 'empty'}"
            )
            warning = self.open_actual(row, column)
            if warning and value is not None:
                text += f". {warning}"
            return text + (" (unfavourable)" if self._bad(row, value) else "")
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        if str(value).strip() == str(self.data(index, Qt.ItemDataRole.EditRole)):
            return False
        return self.write_cells([(index.row(), index.column(), value)], "Edit")

    def write_cells(self, cells: list[tuple[int, int, Any]], verb: str) -> bool:
        """Write typed values into cells as one action; False (and ``refused``) if refused."""
        grid = self.grid
        if grid is None or not cells:
            return False
        typed = []
        for row, column, value in cells:
            measure, kind = ROWS[row]
            month = self.month_of(column)
            if month is None or not grid.cell_editable(measure, kind, month):
                return self._refuse(f"{row_label(measure, kind)} cannot be typed into")
            typed.append((measure, kind, month, None if str(value).strip() == "" else value))
        try:
            steps = steps_for(grid, typed)
        except ValueError as error:
            return self._refuse(str(error))
        if len(cells) == 1:
            row, column, _ = cells[0]
            where = month_label(self.month_of(column))
            text = f"{verb} {row_label(*ROWS[row])}, {where}, {grid.title}"
        else:
            text = f"{verb} {len(cells)} cells, {grid.title}"
        try:
            outcome = perform_resolving(
                self.workspace, Action(text, tuple(steps)), QApplication.activeWindow(), origin=self
            )
        except ValidationError as error:
            return self._refuse(f"{error.label}, {error.reason}")
        except PortfolioError as error:
            return self._refuse(str(error))
        self.last_refusal = None
        return outcome is not None

    def apply_changes(self, changes: Changes) -> None:
        """Read the grid again when an action touched what it shows (its own edits
        included: one read, keeping the current cell)."""
        if self.grid is not None and changes.touches(("budget_line", "campaign", "client")):
            self.reload()

    def _refuse(self, text: str) -> bool:
        self.last_refusal = f"{text}. Nothing was changed."
        self.refused.emit(self.last_refusal)
        return False


class BudgetGridPanel(QWidget):
    """The grid with its campaign chooser, year buttons and the year's summary."""

    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.client_id: int | None = None
        self.year_ending: int | None = None
        self.model = BudgetGridModel(workspace, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Campaign:"))
        self.campaign = QComboBox()
        self.campaign.setAccessibleName("Campaign")
        self.campaign.setMinimumWidth(320)
        self.campaign.currentIndexChanged.connect(lambda _i: self._load())
        bar.addWidget(self.campaign)
        self.previous_year = QToolButton()
        self.previous_year.setText("◀")
        self.previous_year.setToolTip("Previous year")
        self.previous_year.setAccessibleName("Previous year")
        self.previous_year.clicked.connect(lambda: self._shift_year(-1))
        self.year_label = QLabel("")
        self.next_year = QToolButton()
        self.next_year.setText("▶")
        self.next_year.setToolTip("Next year")
        self.next_year.setAccessibleName("Next year")
        self.next_year.clicked.connect(lambda: self._shift_year(1))
        bar.addWidget(self.previous_year)
        bar.addWidget(self.year_label)
        bar.addWidget(self.next_year)
        bar.addStretch(1)
        self.hint = QLabel("")
        bar.addWidget(self.hint)
        paste = QToolButton()
        paste.setIcon(icon("paste"))
        paste.setToolTip("Paste a block copied from Excel at the current cell (Ctrl+V)")
        paste.setAccessibleName("Paste")
        paste.clicked.connect(self.paste)
        fill = QToolButton()
        fill.setIcon(icon("fill_right"))
        fill.setToolTip("Fill right (Ctrl+R)")
        fill.setAccessibleName("Fill right")
        fill.clicked.connect(self.fill_right)
        self.makeup_button = QToolButton()
        self.makeup_button.setIcon(icon("makeup"))
        self.makeup_button.setText("Make up…")
        self.makeup_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.makeup_button.setToolTip(
            "Plan a make-up action for the current variance row's measure, filled in"
        )
        self.makeup_button.setAccessibleName("Add make-up action")
        self.makeup_button.clicked.connect(self.add_makeup_action)
        bar.addWidget(self.makeup_button)
        bar.addWidget(paste)
        bar.addWidget(fill)
        layout.addLayout(bar)

        body = QHBoxLayout()
        self.table = SheetView()
        self.table.setAccessibleName("Budget grid")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        columns = self.table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, name, slot in (
            ("Edit cell\tF2", "edit", lambda: self.table.edit(self.table.currentIndex())),
            ("Paste\tCtrl+V", "paste", self.paste),
            ("Fill right\tCtrl+R", "fill_right", self.fill_right),
            ("Add make-up action…", "makeup", self.add_makeup_action),
        ):
            action = QAction(icon(name), text, self.table)
            action.triggered.connect(lambda _checked=False, s=slot: s())
            self.table.addAction(action)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        self.balloon = Balloon(self)
        left.addWidget(self.balloon)
        self.table.edit_ended.connect(self._edit_ended)
        self.notice = Balloon(self)
        self.notice.setAccessibleName("Open month")
        left.addWidget(self.notice)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._show_notice())
        self.model.modelReset.connect(self._show_notice)
        self.model.refreshed.connect(self._show_notice)  # same cells, maybe another month
        body.addLayout(left, 1)
        self.summary = QFrame()
        self.summary.setAccessibleName("Year summary")
        self.summary.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary_layout = QGridLayout(self.summary)
        self.summary.setMinimumWidth(250)
        body.addWidget(self.summary)
        layout.addLayout(body, 1)
        self.model.refused.connect(self._refused)
        self.model.modelReset.connect(self._show_summary)
        self.model.refreshed.connect(self._show_summary)
        self.model.modelReset.connect(self._resize_columns)
        workspace.changed.connect(self.model.apply_changes)

    def show_client(self, client_id: int, campaign_id: int | None = None) -> None:
        self.client_id = client_id
        self.year_ending = None
        campaigns = self.workspace.read(lambda s: campaigns_of(s, client_id))
        self.campaign.blockSignals(True)
        self.campaign.clear()
        self.campaign.addItem("All campaigns (sums, read only)", ALL_CAMPAIGNS)
        for found_id, name in campaigns:
            self.campaign.addItem(name, found_id)
        index = self.campaign.findData(campaign_id) if campaign_id is not None else 0
        self.campaign.setCurrentIndex(max(0, index))
        self.campaign.blockSignals(False)
        self._load()

    def select_campaign(self, campaign_id: int | None) -> None:
        index = self.campaign.findData(ALL_CAMPAIGNS if campaign_id is None else campaign_id)
        if index >= 0:
            self.campaign.setCurrentIndex(index)

    def _shift_year(self, step: int) -> None:
        grid = self.model.grid
        if grid is None:
            return
        self.year_ending = grid.year.last // 100 + step
        self._load()

    def _load(self) -> None:
        if self.client_id is None:
            return
        chosen = self.campaign.currentData()
        self.model.load(self.client_id, chosen or None, self.year_ending)
        grid = self.model.grid
        if grid is not None:
            self.year_label.setText(f"  {grid.year.label}  ")
            self.hint.setText(
                "Type, paste (Ctrl+V) or fill right (Ctrl+R) into budget, forecast and actual"
                if grid.editable
                else "Choose a campaign to edit its lines"
            )

    def refresh(self) -> None:
        if self.client_id is not None:
            self.model.reload()

    def show_campaigns_again(self) -> None:
        """Read the campaign chooser again (campaigns added, renamed or removed)."""
        if self.client_id is not None:
            self.show_client(self.client_id, self.campaign.currentData() or None)

    def _resize_columns(self) -> None:
        """Fit the 13 columns to their texts (a small grid, not a big table)."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            texts = [str(self.model.headerData(column, Qt.Orientation.Horizontal))]
            texts += [
                str(self.model.data(self.model.index(row, column)) or "")
                for row in range(self.model.rowCount())
            ]
            width = max(metrics.horizontalAdvance(text) for text in texts)
            header.resizeSection(column, int(width * 1.08) + 34)

    def _show_summary(self) -> None:
        while self.summary_layout.count():
            item = self.summary_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        grid = self.model.grid
        if grid is None:
            return
        tone = colours()
        heading = QLabel(f"<b>{grid.year.label}: the year</b>")
        self.summary_layout.addWidget(heading, 0, 0, 1, 2)
        line = 1
        for measure in ("spend", "revenue", "sales"):
            budget = grid.total(measure, "budget")
            outlook = grid.total(measure, "outlook")
            if budget is None and outlook is None:
                continue
            variance = (outlook or 0) - (budget or 0)

            def show(value: int | None, m: str = measure) -> str:
                if value is None:
                    return "-"
                return format_money(value, grid.currency) if grid.is_money(m) else f"{value:,}"

            good = grid.favourable(measure, variance)
            title = QLabel(f"<b>{measure.capitalize()}</b>")
            self.summary_layout.addWidget(title, line, 0, 1, 2)
            rows = [
                ("Budget", show(budget)),
                ("Full-year outlook", show(outlook)),
                ("Variance", ("+" if variance > 0 else "") + show(variance)),
            ]
            for offset, (label, value) in enumerate(rows, start=1):
                self.summary_layout.addWidget(QLabel(label), line + offset, 0)
                shown = QLabel(value)
                shown.setAlignment(Qt.AlignmentFlag.AlignRight)
                if label == "Variance":
                    verdict = "favourable" if good else "▼ UNFAVOURABLE"
                    shown.setText(f"{value}\n{verdict}")
                    colour = tone.favourable if good else tone.unfavourable
                    shown.setStyleSheet(f"color: {colour.name()};")
                self.summary_layout.addWidget(shown, line + offset, 1)
            line += len(rows) + 1
        note = QLabel(f"Actuals to {month_label(grid.as_of)}; shaded months are forecast.")
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {tone.muted.name()};")
        self.summary_layout.addWidget(note, line, 0, 1, 2)
        self.summary_layout.setRowStretch(line + 1, 1)

    def _show_notice(self) -> None:
        """At an actual of an open month, say how it counts before anything is typed."""
        index = self.table.currentIndex()
        warning = None
        if index.isValid() and self.model.grid is not None and self.model.grid.editable:
            warning = self.model.open_actual(index.row(), index.column())
        if warning:
            self.notice.show_text(f"{warning}.", warning=True)
        else:
            self.notice.hide()

    def _edit_ended(self, _saved: bool) -> None:
        """Saved or cancelled: the refusal is over, here and in the status bar."""
        if self.balloon.isVisible():
            self.balloon.hide()
            self.message.emit("")

    def _refused(self, text: str) -> None:
        editing = self.table.state() == QAbstractItemView.State.EditingState
        hint = " Correct it and press Enter, or Esc to keep what was there." if editing else ""
        self.balloon.show_text(text + hint)
        self.message.emit(text)

    # -- make-up ----------------------------------------------------------------------

    def makeup_start(self):
        """What a make-up action from the current cell starts from, or None.

        Any row of a campaign's grid picks its measure; the amount is the campaign's
        uncovered year-to-date shortfall from the core's plan, or, for a campaign with no
        year-to-date shortfall, the unfavourable variance of the current variance cell.
        """
        from portfolio.analytics.dimensions import Scope
        from portfolio.analytics.recovery import recovery_plan
        from portfolio.periods import add_months
        from ui.editing.makeup_form import MakeupStart

        grid = self.model.grid
        index = self.table.currentIndex()
        if grid is None or grid.campaign_id is None or not index.isValid():
            return None
        measure, kind = ROWS[index.row()]
        as_of = self.workspace.as_of
        campaign_id = grid.campaign_id
        items = self.workspace.read(
            lambda s: recovery_plan(
                s,
                as_of=as_of,
                measure_name=measure,
                level="campaign",
                scope=Scope(campaign_ids=(campaign_id,)),
            )
        )
        item = next((i for i in items if i.campaign_id == campaign_id), None)
        if item is not None:
            return MakeupStart.from_item(item)
        amount = None
        value = self.model._value(index.row(), index.column())
        if kind == "variance" and value and not grid.favourable(measure, value):
            amount = abs(value)
        month = self.model.month_of(index.column())
        first = month if month is not None and month > as_of else add_months(as_of, 1)
        currency = grid.currency if grid.is_money(measure) else None
        return MakeupStart(grid.client_id, campaign_id, measure, amount, currency, first)

    def add_makeup_action(self) -> None:
        from ui.editing.makeup_form import add_makeup_action

        start = self.makeup_start()
        if start is None:
            self.message.emit("Choose a campaign and a cell of the measure to make up first")
            return
        text = add_makeup_action(self.workspace, start, self)
        if text:
            self.message.emit(text)

    # -- paste and fill -----------------------------------------------------------------

    def paste_text(self, text: str) -> bool:
        """Paste tab-separated rows (as Excel copies them) from the current cell on."""
        start = self.table.currentIndex()
        if not start.isValid():
            start = self.model.index(0, 0)
        lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
        cells = []
        for i, line in enumerate(lines):
            for j, value in enumerate(line.split("\t")):
                cells.append((start.row() + i, start.column() + j, value.strip()))
        if any(
            row >= len(ROWS) or column >= len(self.model.grid.months) for row, column, _ in cells
        ):
            self.model._refuse("The block does not fit: it runs past the grid's last row or month")
            return False
        count = len(cells)
        done = self.model.write_cells(cells, "Paste")
        if done:
            self.message.emit(f"Pasted {count} cells")
        return done

    def paste(self) -> bool:
        return self.paste_text(QGuiApplication.clipboard().text())

    def fill_right(self) -> bool:
        """Copy the leftmost selected value of each row over the selection (or to year end)."""
        model = self.model
        grid = model.grid
        if grid is None:
            return False
        selection = self.table.selectionModel().selection()
        cells = []
        last_month = len(grid.months) - 1
        if len(selection) == 1 and selection[0].left() == selection[0].right():
            block = selection[0]
            spans = [
                (row, block.left(), last_month) for row in range(block.top(), block.bottom() + 1)
            ]
        else:
            spans = [
                (row, r.left(), min(r.right(), last_month))
                for r in selection
                for row in range(r.top(), r.bottom() + 1)
            ]
        for row, left, right in spans:
            value = model.data(model.index(row, left), Qt.ItemDataRole.EditRole)
            for column in range(left + 1, right + 1):
                cells.append((row, column, value))
        if not cells:
            return False
        return model.write_cells(cells, "Fill right")
