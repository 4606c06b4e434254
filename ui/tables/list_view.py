"""A list as a person works with it: filter box, scope, table, totals, add/copy/delete.

``ListPanel`` puts a ``ListModel`` in a ``QTableView`` set up for big tables: fixed row
heights, column widths from the column definitions (never resized to contents), header
clicks that sort in SQL, a debounced filter box that filters in SQL, a column chooser,
and a totals footer. Its current view state (``view_state()``) and query (``query()``)
are what "Export this view" needs.

Actions (add, duplicate, delete, copy, edit) are methods the main window's menu calls
for the panel that has the focus; the panel has no shortcuts of its own, so the menu
shows every shortcut and none is ambiguous.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from portfolio.actions import Action, Changes, Create, Delete, Duplicate
from portfolio.editing import deletion_impact, deletion_message, entity
from portfolio.errors import PortfolioError
from portfolio.queries.listing import ListDefinition, ListQuery, ViewState
from portfolio.queries.pickers import describe
from ui.editing.conflicts import perform_resolving
from ui.editing.record_dialog import RecordDialog
from ui.icons import icon
from ui.tables.balloon import Balloon
from ui.tables.delegates import FieldDelegate
from ui.tables.footer import TotalsFooter
from ui.tables.list_model import ListModel
from ui.tables.sheet_view import SheetView
from ui.workspace import Workspace

FILTER_DELAY_MS = 300
#: Most rows Ctrl+C copies at once (a selection of a million rows is not copied whole).
COPY_LIMIT = 10_000
#: The widest a scope chip is drawn, in average characters (the tooltip has it whole).
CHIP_CHARS = 40


class ListPanel(QWidget):
    #: A row was opened (double-click / Enter): the list's name and the row's keys.
    drill = Signal(str, dict)
    #: A line for the status bar.
    message = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        list_name: str,
        *,
        state: ViewState = ViewState(),
        settings_key: str | None = None,
        drills: bool = False,
        hidden: tuple[str, ...] = (),
        autoload: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """``autoload``: run the query when first shown (else the owner calls ``reload``)."""
        super().__init__(parent)
        self.hidden_by_default = hidden
        self.workspace = workspace
        self.list_name = list_name
        self.settings_key = settings_key or list_name
        self.drills = drills
        self.scope_labels: dict[str, str] = {}
        #: Replaces the generic Add form (e.g. make-up actions start from a variance).
        self.add_handler: Callable[[], None] | None = None
        self._stale = autoload
        saved_sort = self._saved_sort()
        if saved_sort and not state.sort:
            state = ViewState(saved_sort, state.filter_text, state.scope, state.columns)
        self.model = ListModel(workspace, list_name, state, self)
        self.setAccessibleName(self.definition.title)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.toolbar = bar
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(f"Filter {self.definition.title.lower()} (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.addAction(icon("filter"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter_edit.setAccessibleName(f"Filter {self.definition.title}")
        self.filter_edit.setText(state.filter_text)
        self.filter_edit.setMaximumWidth(360)
        # A narrow pane (Variances' make-up actions) squeezed the box to "Fi…": it keeps
        # room for its icons and a word or two of what is typed.
        self.filter_edit.setMinimumWidth(self.filter_edit.fontMetrics().averageCharWidth() * 12)
        bar.addWidget(self.filter_edit, 1)
        self.scope_box = QHBoxLayout()
        bar.addLayout(self.scope_box)
        bar.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Row count")
        bar.addWidget(self.count_label)
        self.columns_button = self._tool("columns", "Columns", "Choose the columns shown")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self)
        self.columns_button.setMenu(self.columns_menu)
        bar.addWidget(self.columns_button)
        editable = self.definition.entity is not None
        self.add_button = self._tool("add", "Add", "Add a record (Ctrl+N)", self.add_record)
        self.duplicate_button = self._tool(
            "duplicate",
            "Duplicate",
            "Duplicate the selected record (Ctrl+D)",
            self.duplicate_selected,
        )
        self.delete_button = self._tool(
            "delete", "Delete", "Delete the selected records (Delete)", self.delete_selected
        )
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            button.setVisible(editable)
            bar.addWidget(button)
        layout.addLayout(bar)

        self.table = SheetView(self)
        self.table.setAccessibleName(f"{self.definition.title} table")
        self.table.setModel(self.model)
        self.table.setItemDelegate(FieldDelegate(workspace, self.table))
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        triggers = (
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        if not drills:
            triggers |= QAbstractItemView.EditTrigger.DoubleClicked
        self.table.setEditTriggers(triggers)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionsClickable(True)
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.columns_menu.exec(header.mapToGlobal(pos))
        )
        header.sectionClicked.connect(self._header_clicked)
        self._apply_column_defaults()
        self._restore_header()
        self._build_columns_menu()
        layout.addWidget(self.table, 1)
        self.balloon = Balloon(self)
        layout.addWidget(self.balloon)
        self.table.edit_ended.connect(self._edit_ended)
        self.notice = Balloon(self)
        self.notice.setAccessibleName("Open month")
        layout.addWidget(self.notice)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._show_notice())
        # Read again (e.g. for another Actuals to month): the same cell may count now.
        self.model.loaded.connect(self._show_notice)

        self.footer = TotalsFooter(self.table)
        self.footer.setVisible(self.definition.has_totals)
        layout.addWidget(self.footer)

        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(self._double_clicked)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self._apply_filter)
        self.empty_note = QLabel(self.table.viewport())
        self.empty_note.setAccessibleName("What to do next")
        self.empty_note.setWordWrap(True)
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setStyleSheet("color: palette(placeholder-text); padding: 24px;")
        self.empty_note.hide()
        self.model.loaded.connect(self._loaded)
        self.model.totals_changed.connect(
            lambda: self.footer.set_totals(self.model.columns, self.model.totals)
        )
        self.model.refused.connect(self._refused)
        self.model.failed.connect(self.message.emit)
        self.model.modelReset.connect(self._update_count)
        self.model.modelReset.connect(self._show_empty_note)
        workspace.changed.connect(self._changed)
        self._show_sort()

    # -- setup --------------------------------------------------------------------------

    def _tool(self, icon_name: str, text: str, tip: str, slot=None) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(icon_name))
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setAutoRaise(True)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    def _apply_column_defaults(self) -> None:
        header = self.table.horizontalHeader()
        char = self.fontMetrics().averageCharWidth()
        digit = self.fontMetrics().horizontalAdvance("0")
        for number, column in enumerate(self.definition.columns):
            # Amounts are digits (wider than the average letter), with a sign and symbol.
            each = max(char, digit) if column.is_number else char
            extra = 3 if column.kind == "money" else 0
            width = max(column.width + extra, len(column.label) + 2) * each + 18
            marked = column.is_variance or bool(column.alerts)
            header.resizeSection(number, max(48, width + (18 if marked else 0)))
            header.setSectionHidden(
                number, not column.visible or column.key in self.hidden_by_default
            )

    def _header_key(self) -> str:
        return f"headers/{self.settings_key}"

    def _restore_header(self) -> None:
        saved = self.workspace.settings.bytes(self._header_key())
        if saved is not None:
            header = self.table.horizontalHeader()
            if header.restoreState(saved) and header.count() != len(self.definition.columns):
                self._apply_column_defaults()

    def _saved_sort(self) -> tuple[tuple[str, bool], ...]:
        value = self.workspace.settings.value(f"sort/{self.settings_key}", "")
        if not value:
            return ()
        key, _, direction = str(value).partition(":")
        try:
            self.workspace.definition(self.list_name).column(key)
        except KeyError:
            return ()
        return ((key, direction == "desc"),)

    def save_settings(self) -> None:
        settings = self.workspace.settings
        settings.set_value(self._header_key(), self.table.horizontalHeader().saveState())
        sort = self.model.state.sort
        settings.set_value(
            f"sort/{self.settings_key}",
            f"{sort[0][0]}:{'desc' if sort[0][1] else 'asc'}" if sort else "",
        )

    def _build_columns_menu(self) -> None:
        self.columns_menu.clear()
        header = self.table.horizontalHeader()
        for number, column in enumerate(self.definition.columns):
            action = QAction(column.label, self.columns_menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(number))
            action.toggled.connect(lambda shown, n=number: self.show_column(n, shown))
            self.columns_menu.addAction(action)

    def show_column(self, number: int, shown: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(number, not shown)
        self.footer.update()

    # -- state and loading --------------------------------------------------------------

    def view_state(self) -> ViewState:
        """What the person sees: sort, filter, scope and the shown columns in their order."""
        header = self.table.horizontalHeader()
        shown = [
            self.definition.columns[header.logicalIndex(visual)].key
            for visual in range(header.count())
            if not header.isSectionHidden(header.logicalIndex(visual))
        ]
        return self.model.state.showing(shown)

    @property
    def definition(self) -> ListDefinition:
        """The model's definition: made again when the month the figures count actuals
        to changes (``ListModel._redefine``), so an export is of the list as shown."""
        return self.model.definition

    def query(self) -> ListQuery:
        """The query of exactly this view (for exports)."""
        return ListQuery(self.definition, self.view_state())

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.model.reload()

    def _changed(self, changes: Changes) -> None:
        if not changes.touches(self.definition.reads):
            return
        if self.isVisible():
            self.model.apply_changes(changes)
        else:
            self._stale = True

    def set_scope(self, scope: dict[str, Any], labels: dict[str, str] | None = None) -> None:
        """Narrow the list (e.g. to one client); chips show it and can clear it."""
        self.scope_labels = dict(labels or {})
        self._show_scope_chips(scope)
        self.model.set_state(self.model.state.scoped(**scope))

    def _show_scope_chips(self, scope: dict[str, Any]) -> None:
        while self.scope_box.count():
            item = self.scope_box.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for name in scope:
            label = self.scope_labels.get(name, f"{name} {scope[name]}")
            if not label:
                continue  # a scope the page sets for itself (the client of a client page)
            chip = QToolButton(self)
            # A long name (client / campaign) is cut in the middle on the chip, whole in
            # its tooltip: the chips must not push the filter box out of a narrow pane.
            shown = chip.fontMetrics().elidedText(
                label,
                Qt.TextElideMode.ElideMiddle,
                chip.fontMetrics().averageCharWidth() * CHIP_CHARS,
            )
            chip.setText(shown.replace("&", "&&"))  # a name's "&" is not a shortcut mark
            chip.setIcon(icon("close"))
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            chip.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            chip.setToolTip(f"Showing only {label}; click to show all")
            chip.setAccessibleName(f"Remove scope {label}")
            chip.clicked.connect(lambda _checked=False, n=name: self.remove_scope(n))
            self.scope_box.addWidget(chip)

    def remove_scope(self, name: str) -> None:
        scope = {k: v for k, v in self.model.state.scope if k != name}
        self.scope_labels.pop(name, None)
        self._show_scope_chips(scope)
        self.model.set_state(self.model.state.scoped(**scope))

    def _apply_filter(self) -> None:
        self._filter_timer.stop()
        text = self.filter_edit.text().strip()
        if text != self.model.state.filter_text:
            self.model.set_state(self.model.state.filtered(text))

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _loaded(self) -> None:
        self._update_count()
        self._show_sort()
        self._show_empty_note()

    def empty_text(self) -> str:
        """What an empty list says: why it is empty and what to do next."""
        state = self.model.state
        noun = (self.definition.noun or self.definition.title).lower()
        if state.filter_text:
            return (
                f"No {noun} match “{state.filter_text}”. Every word must appear in a name, "
                "a label, a currency code or a month (such as 2026-07); amounts are not "
                "searched. Clear the filter to see them all."
            )
        if any(label for label in self.scope_labels.values()):
            return f"No {noun} here. Remove the scope above to see all {noun}."
        if self.definition.entity == "client":
            return (
                "No clients yet. Import a workbook (File > Import spreadsheet…), add a "
                "client (Ctrl+N), or try the demo (File > Open the demo portfolio)."
            )
        if self.definition.entity is not None:
            return (
                f"No {noun} yet. Add one (Ctrl+N) or import a workbook "
                "(File > Import spreadsheet…)."
            )
        return f"No {noun} yet."

    def _show_empty_note(self) -> None:
        if self.model.rowCount() or not self.model.first_rows_in:
            self.empty_note.hide()
            return
        self.empty_note.setText(self.empty_text())
        self.empty_note.setGeometry(self.table.viewport().rect())
        self.empty_note.show()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.empty_note.isVisible():
            self.empty_note.setGeometry(self.table.viewport().rect())

    def _update_count(self) -> None:
        count = self.model.rowCount()
        noun = self.definition.noun or self.definition.title.lower()
        if self.model.counting:
            self.count_label.setText(f"Counting {noun}…")
            return
        if count == 1 and noun.endswith("s"):
            noun = noun[:-1]
        self.count_label.setText(f"{count:,} {noun}")

    def _show_sort(self) -> None:
        header = self.table.horizontalHeader()
        sort = self.model.state.sort
        header.blockSignals(True)
        if sort:
            order = Qt.SortOrder.DescendingOrder if sort[0][1] else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(self.model.column_of(sort[0][0]), order)
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def _header_clicked(self, section: int) -> None:
        key = self.definition.columns[section].key
        sort = self.model.state.sort
        descending = bool(sort and sort[0][0] == key and not sort[0][1])
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.clearSelection()
        self.model.sort(section, order)
        self.table.horizontalHeader().setSortIndicator(section, order)

    # -- actions ------------------------------------------------------------------------

    def _double_clicked(self, index: QModelIndex) -> None:
        if self.drills:
            self.open_row(index.row())

    def open_row(self, row: int) -> None:
        keys = self.model.row_keys(row)
        row_id = self.model.row_id(row)
        if row_id is not None:
            self.drill.emit(self.list_name, {"id": row_id, **keys})

    def _show_notice(self) -> None:
        """At an actual of an open month (budget lines), say how it counts."""
        index = self.table.currentIndex()
        warning = None
        if self.definition.entity == "budget_line" and index.isValid():
            column = self.definition.columns[index.column()]
            keys = [c.key for c in self.definition.columns]
            month = self.model.value(index.row(), keys.index("month")) if "month" in keys else None
            if column.key.endswith("_actual") and month is not None:
                from portfolio.analytics.variance import open_actual_warning

                context = self.workspace.context
                warning = open_actual_warning(month, context.as_of, context.last_closed)
        if warning:
            self.notice.show_text(f"{warning}.", warning=True)
        else:
            self.notice.hide()

    def _edit_ended(self, _saved: bool) -> None:
        """Saved or cancelled: the refusal is over, here and in the status bar."""
        if self.balloon.isVisible():
            self.balloon.hide()
            self.message.emit("")

    def _refused(self, index: QPersistentModelIndex, reason: str) -> None:
        column = self.definition.columns[index.column()]
        text = (
            f"{column.label}, row {index.row() + 1}: {reason}. Nothing was saved; "
            "correct it and press Enter, or Esc to keep what was there."
        )
        self.balloon.show_text(text)
        self.message.emit(text)

    def selected_rows(self) -> list[int]:
        rows: set[int] = set()
        for selection in self.table.selectionModel().selection():
            rows.update(range(selection.top(), selection.bottom() + 1))
            if len(rows) > COPY_LIMIT:
                break
        if not rows and self.table.currentIndex().isValid():
            rows.add(self.table.currentIndex().row())
        return sorted(rows)

    def copy_selection(self) -> str:
        """Copy the selected cells (whole rows' shown columns if rows are selected) as TSV."""
        ranges = list(self.table.selectionModel().selection())
        header = self.table.horizontalHeader()
        if not ranges and self.table.currentIndex().isValid():
            current = self.table.currentIndex()
            columns = [current.column()]
            rows = [current.row()]
        else:
            wanted = {c for r in ranges for c in range(r.left(), r.right() + 1)}
            columns = [
                header.logicalIndex(v)
                for v in range(header.count())
                if header.logicalIndex(v) in wanted
                and not header.isSectionHidden(header.logicalIndex(v))
            ]
            rows = self.selected_rows()[:COPY_LIMIT]
        if not rows or not columns:
            return ""
        self.model.ensure_rows(rows)
        lines = ["\t".join(self.definition.columns[c].label for c in columns)]
        for row in rows:
            cells = []
            for number in columns:
                index = self.model.index(row, number)
                column = self.definition.columns[number]
                role = Qt.ItemDataRole.EditRole if column.is_number else Qt.ItemDataRole.DisplayRole
                value = self.model.data(index, role)
                cells.append(
                    "" if value is None else str(value).replace("\t", " ").replace("\n", " ")
                )
            lines.append("\t".join(cells))
        text = "\n".join(lines) + "\n"
        QGuiApplication.clipboard().setText(text)
        self.message.emit(f"Copied {len(rows):,} rows x {len(columns)} columns")
        return text

    def edit_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.table.edit(index)

    def _fixed_from_scope(self) -> tuple[dict[str, Any], dict[str, str]]:
        spec = entity(self.definition.entity or "")
        values: dict[str, Any] = {}
        fixed: dict[str, str] = {}
        for name, value in self.model.state.scope:
            if name in spec.field_names:
                values[name] = value
                fixed[name] = self.scope_labels.get(name, str(value)).split(": ", 1)[-1]
        return values, fixed

    def add_record(self) -> None:
        if self.add_handler is not None:
            self.add_handler()
            return
        if self.definition.entity is None:
            return
        spec = entity(self.definition.entity)
        values, fixed = self._fixed_from_scope()
        for field_spec in spec.fields:
            if field_spec.kind == "choice" and field_spec.required and field_spec.vocabulary:
                values.setdefault(field_spec.name, field_spec.vocabulary.values[0])

        def action(entered: dict[str, Any]) -> Action:
            name = entered.get("name") or entered.get("title") or entered.get("subject") or ""
            return Action(f"Add {spec.label.lower()} {name}".strip(), (Create(spec.name, entered),))

        dialog = RecordDialog(
            self.workspace,
            spec.name,
            title=f"Add {spec.label.lower()}",
            values=values,
            fixed=fixed,
            action=action,
            parent=self,
        )
        if dialog.exec() and dialog.outcome is not None:
            self.message.emit(dialog.action.text)

    def duplicate_selected(self) -> None:
        rows = self.selected_rows()
        if self.definition.entity is None or not rows:
            return
        row_id = self.model.row_id(rows[0])
        if row_id is None:
            return
        name = self.definition.entity
        title = self.workspace.read(lambda session: describe(session, name, row_id))
        try:
            self.workspace.perform(
                Action(f"Duplicate {title}", (Duplicate(name, row_id),)), origin=self.model
            )
        except PortfolioError as error:
            QMessageBox.warning(self, "Duplicate", str(error))
            return
        self.message.emit(f"Duplicated {title}")

    def deletion_text(self, ids: list[int]) -> str:
        """The confirmation, with what else goes: "also removes 12 campaigns and ..."."""
        name = self.definition.entity or ""
        spec = entity(name)
        if len(ids) == 1:
            return self.workspace.read(lambda session: deletion_message(session, name, ids[0]))

        def total(session) -> str:
            counts: dict[str, int] = {}
            for row_id in ids:
                for label, count in deletion_impact(session, name, row_id):
                    counts[label] = counts.get(label, 0) + count
            parts = [f"{count:,} {label}" for label, count in counts.items()]
            if not parts:
                return f"Delete {len(ids)} {spec.plural.lower()}?"
            listing = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
            return f"Deleting these {len(ids)} {spec.plural.lower()} also removes {listing}."

        return self.workspace.read(total)

    def delete_selected(self, *, confirm: bool = True) -> bool:
        if self.definition.entity is None:
            return False
        rows = self.selected_rows()
        seen = [(self.model.row_id(row), self.model.row_version(row)) for row in rows[:500]]
        versions = {row_id: version for row_id, version in seen if row_id is not None}
        ids = list(versions)
        if not ids:
            return False
        spec = entity(self.definition.entity)
        text = self.deletion_text(ids)
        if confirm:
            answer = QMessageBox.question(
                self,
                f"Delete {spec.label.lower() if len(ids) == 1 else spec.plural.lower()}",
                f"{text}\n\nYou can undo this with Edit > Undo.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        name = spec.name
        what = (
            self.workspace.read(lambda session: describe(session, name, ids[0]))
            if len(ids) == 1
            else f"{len(ids)} {spec.plural.lower()}"
        )
        action = Action(f"Delete {what}", tuple(Delete(name, i, versions.get(i)) for i in ids))
        try:
            if perform_resolving(self.workspace, action, self, origin=self.model) is None:
                return False
        except PortfolioError as error:
            QMessageBox.warning(self, "Delete", str(error))
            return False
        self.message.emit(f"Deleted {what}")
        return True

    def _context_menu(self, position) -> None:
        index = self.table.indexAt(position)
        menu = QMenu(self)
        if index.isValid() and self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            menu.addAction(icon("edit"), "Edit cell\tF2", lambda: self.table.edit(index))
        menu.addAction(icon("copy"), "Copy\tCtrl+C", self.copy_selection)
        if self.drills and index.isValid():
            menu.addAction(icon("client_page"), "Open", lambda: self.open_row(index.row()))
        if self.definition.entity is not None:
            menu.addSeparator()
            menu.addAction(icon("add"), "Add…\tCtrl+N", self.add_record)
            menu.addAction(icon("duplicate"), "Duplicate\tCtrl+D", self.duplicate_selected)
            menu.addAction(icon("delete"), "Delete…\tDel", self.delete_selected)
            if index.isValid():
                menu.addSeparator()
                menu.addAction("History…", lambda: self.show_history(index.row()))
        menu.exec(self.table.viewport().mapToGlobal(position))

    def show_history(self, row: int):
        """A row's History…: who changed this record, when, from what to what."""
        from ui.views.history import HistoryDialog

        row_id = self.model.row_id(row)
        name = self.definition.entity
        if row_id is None or name is None:
            return None
        title = self.workspace.read(lambda session: describe(session, name, row_id))
        dialog = HistoryDialog(self.workspace, name, row_id, title, self)
        dialog.finished.connect(dialog.deleteLater)
        self.history_dialog = dialog
        dialog.open()
        return dialog

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def currency_at(self, row: int) -> str | None:
        return self.model.currency_at(row)
