"""Importing a spreadsheet in the app: preview what it would change, then apply it.

The preview is the core's ``ImportPlan`` (``portfolio.imports``): counts per kind of
record, every change with its old and new value, the conflicts that will be left alone
and every refused row with its reason. Apply runs the import again inside the writing
transaction and refuses if the result would differ from the preview shown. An applied
import is one entry on the undo stack; undoing it puts back everything it changed, as
``portfolio import undo`` does. (Redoing an undone import means importing the file again.)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

from portfolio.errors import PortfolioError

if TYPE_CHECKING:
    from portfolio.imports.plan import ImportOptions, ImportPlan
    from ui.main_window import MainWindow

#: Rows listed per tab; the rest are counted.
LISTED = 2000
DATE_ORDERS = (
    ("Only when the file shows it", None),
    ("Day first (31/12/2026)", "dmy"),
    ("Month first (12/31/2026)", "mdy"),
)
#: The ``decimal_comma`` import option.
DECIMAL_MARKS = (
    ("As the file shows it", None),
    ("Point (1,234.50)", False),
    ("Comma (1.234,50)", True),
)


class ImportDialog(QDialog):
    def __init__(self, window: MainWindow, path: Path) -> None:
        super().__init__(window)
        self.window_ = window
        self.path = path
        self.plan: ImportPlan | None = None
        self.plan_options: ImportOptions | None = None
        self.setWindowTitle(f"Import {path.name}")
        self.setAccessibleName("Import spreadsheet")
        self.resize(900, 560)

        self.date_order = QComboBox(self)
        for label, value in DATE_ORDERS:
            self.date_order.addItem(label, value)
        self.date_order.setAccessibleName("Dates like 03/04/2026")
        self.decimal_mark = QComboBox(self)
        for label, value in DECIMAL_MARKS:
            self.decimal_mark.addItem(label, value)
        self.decimal_mark.setAccessibleName("Numbers like 16.700")
        self.skip_hidden = QCheckBox("Leave out hidden sheets and rows", self)
        self.skip_hidden.setToolTip(
            "Rows hidden by a filter or by hand, and hidden sheets, are named in the "
            "preview; tick this to leave them out"
        )
        self.good_rows_only = QCheckBox("Import only the rows that pass", self)
        options = QHBoxLayout()
        options.addWidget(QLabel("Dates like 03/04/2026:", self))
        options.addWidget(self.date_order)
        options.addWidget(QLabel("Decimal mark:", self))
        options.addWidget(self.decimal_mark)
        options.addWidget(self.skip_hidden)
        options.addStretch(1)
        options.addWidget(self.good_rows_only)

        self.summary = QLabel("Checking…", self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the import would do")
        self.tabs = QTabWidget(self)
        self.changes = self._table(["Sheet", "Row", "Record", "What changes"])
        self.conflicts = self._table(["Sheet", "Row", "Record", "Why it is left alone"])
        self.refused = self._table(["Sheet", "Row", "Column", "Reason"])
        self.notes = QPlainTextEdit(self)
        self.notes.setReadOnly(True)
        self.tabs.addTab(self.changes, "Changes")
        self.tabs.addTab(self.conflicts, "Conflicts")
        self.tabs.addTab(self.refused, "Refused")
        self.tabs.addTab(self.notes, "Notes")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

        self.date_order.currentIndexChanged.connect(lambda _i: self.preview())
        self.decimal_mark.currentIndexChanged.connect(lambda _i: self.preview())
        self.skip_hidden.toggled.connect(lambda _on: self.preview())
        self.good_rows_only.toggled.connect(lambda _on: self._update_apply())

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        return table

    def options(self) -> ImportOptions:
        from portfolio.imports.plan import ImportOptions

        return ImportOptions(
            date_order=self.date_order.currentData(),
            decimal_comma=self.decimal_mark.currentData(),
            good_rows_only=self.good_rows_only.isChecked(),
            skip_hidden=self.skip_hidden.isChecked(),
        )

    # -- preview ------------------------------------------------------------------------

    def preview(self) -> None:
        """Check the file (off the GUI thread) and show what it would change."""
        database = self.window_.workspace.database
        options, path = self.options(), self.path
        self.plan = None
        self.apply_button.setEnabled(False)
        self.summary.setText(f"Checking {path.name}…")

        def work(job):
            from portfolio.imports.importer import preview_import

            return preview_import(database, path, options, job)

        def shown(plan: ImportPlan) -> None:
            self.plan, self.plan_options = plan, options
            self._show(plan)

        self.window_.jobs.start(f"Checking {path.name}", work, shown, on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        from ui.jobs import report_error

        if isinstance(error, PortfolioError):
            self.summary.setText(str(error))
        else:
            report_error(self, error, "Import")

    def _show(self, plan: ImportPlan) -> None:
        from portfolio.editing import entity
        from portfolio.imports.headers import ORDER
        from portfolio.imports.plan import describe_change

        parts = []
        for name in ORDER:
            counts = plan.counts.get(name)
            if counts is None:
                continue
            parts.append(
                f"{entity(name).plural}: {counts.added:,} added, {counts.changed:,} changed, "
                f"{counts.unchanged:,} unchanged, {counts.conflicts:,} conflicts, "
                f"{counts.refused:,} refused"
            )
        refused = plan.refused_rows
        verdict = (
            f"{refused:,} {'row is' if refused == 1 else 'rows are'} refused: nothing will be "
            "imported unless you choose to import only the rows that pass."
            if plan.problems
            else "Nothing is deleted: rows missing from the file stay as they are."
        )
        hidden = [f"Hidden: {line}" for line in plan.hidden]
        self.summary.setText("\n".join([*parts, *hidden, verdict]))
        self._fill(
            self.changes,
            plan.changes,
            lambda c: (c.sheet, c.row, c.key, describe_change(c)),
        )
        self._fill(self.conflicts, plan.conflicts, lambda c: (c.sheet, c.row, c.key, c.reason))
        self._fill(
            self.refused, plan.problems, lambda p: (p.sheet, p.row, p.column or "", p.reason)
        )
        self.notes.setPlainText("\n".join([*plan.hidden, *plan.notes]))
        for index, (title, count) in enumerate(
            (
                ("Changes", len(plan.changes)),
                ("Conflicts", len(plan.conflicts)),
                ("Refused", len(plan.problems)),
                ("Notes", len(plan.notes) + len(plan.hidden)),
            )
        ):
            self.tabs.setTabText(index, f"{title} ({count:,})")
        if plan.problems:
            self.tabs.setCurrentWidget(self.refused)
        self._update_apply()

    def _fill(self, table: QTableWidget, items: list, cells) -> None:
        shown = items[:LISTED]
        table.setRowCount(len(shown) + (1 if len(items) > LISTED else 0))
        for row, item in enumerate(shown):
            for column, value in enumerate(cells(item)):
                table.setItem(row, column, QTableWidgetItem(str(value)))
        if len(items) > LISTED:
            table.setItem(len(shown), 0, QTableWidgetItem(f"… and {len(items) - LISTED:,} more"))
        table.resizeColumnsToContents()

    def _update_apply(self) -> None:
        plan = self.plan
        ready = plan is not None and bool(plan.changes)
        if plan is not None and plan.problems and not self.good_rows_only.isChecked():
            ready = False
        self.apply_button.setEnabled(ready)

    # -- apply --------------------------------------------------------------------------

    def apply(self) -> None:
        """Apply exactly the previewed plan, as one undoable action."""
        if self.plan is None:
            return
        workspace = self.window_.workspace
        database = workspace.database
        options, path, expected = self.options(), self.path, self.plan
        self.apply_button.setEnabled(False)

        def work(job):
            from portfolio.imports.importer import run_import

            return run_import(database, path, options, job, expected=expected)

        def applied(result: Any) -> None:
            if result.applied is not None:
                from portfolio.actions import Outcome

                outcome = Outcome(result.applied.entry_id, result.applied.changes)
                workspace.record(f"Import {path.name}", outcome)
                self.window_.show_message(
                    f"Imported {path.name}: {result.applied.added:,} added, "
                    f"{result.applied.changed:,} changed. Edit > Undo takes it back.",
                    15_000,
                )
            else:
                self.window_.show_message(f"{path.name}: nothing to change", 10_000)
            self.accept()

        def failed(error: BaseException) -> None:
            self._failed(error)
            self._update_apply()

        self.window_.jobs.start(f"Importing {path.name}", work, applied, on_error=failed)
