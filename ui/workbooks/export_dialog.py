"""File > Export workbook…: choose the part of the book, the months and the file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.workbooks.actions import WORKBOOK_FILTER, report_written, suggested_path

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: What the workbook covers: (label, kind).
SCOPES = (("Whole book", "book"), ("One account director", "director"), ("One client", "client"))


class ExportWorkbookDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from portfolio.queries import pickers

        self.window_ = window
        self.setWindowTitle("Export workbook")
        self.setAccessibleName("Export workbook")
        self.setMinimumWidth(560)
        workspace = window.workspace
        self.directors = workspace.read(lambda s: pickers.people(s, "account_director"))
        self.clients = workspace.read(pickers.clients)

        self.scope = QComboBox(self)
        for label, kind in SCOPES:
            self.scope.addItem(label, kind)
        self.scope.setAccessibleName("Workbook covers")
        self.who = QComboBox(self)
        self.who.setEditable(True)  # type to find one of thousands of clients
        self.who.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.who.setAccessibleName("Director or client")
        self.period = QComboBox(self)
        # The years hold the month actuals are counted to ("Actuals to"): on 1 December
        # 2026 counting to Dec 2025, "fy" is 2025, which is not "this year".
        year = workspace.as_of // 100
        this_year = year == workspace.today.year
        for label, value in (
            (f"This year ({year})" if this_year else f"Year of Actuals to ({year})", "fy"),
            ("Year to date", "ytd"),
            (
                f"Last year ({year - 1})" if this_year else f"The year before ({year - 1})",
                str(year - 1),
            ),
            ("Every month", "all"),
        ):
            self.period.addItem(label, value)
        self.period.setAccessibleName("Months")
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Save as")
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(choose)
        holder = QWidget(self)
        holder.setLayout(where)

        form = QFormLayout()
        form.addRow("Covers", self.scope)
        form.addRow("Who", self.who)
        form.addRow("Months", self.period)
        form.addRow("Save as", holder)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.who.activated.connect(lambda _index: self._suggest_path())
        self._start_on_the_current_client()
        self._scope_changed()

    def _start_on_the_current_client(self) -> None:
        if self.window_.current_key() != "client":
            return
        name = getattr(self.window_.current_page(), "client_name", "")
        if name:
            self.scope.setCurrentIndex(2)
            self._scope_changed()
            self.who.setCurrentText(name)

    def _scope_changed(self) -> None:
        kind = self.scope.currentData()
        current = self.who.currentText()
        self.who.clear()
        names = {"director": self.directors, "client": self.clients}.get(kind, [])
        self.who.addItems([name for _, name in names])
        self.who.setEnabled(bool(names))
        if current and self.who.findText(current) >= 0:
            self.who.setCurrentText(current)
        self._suggest_path()

    def _suggest_path(self) -> None:
        kind = self.scope.currentData()
        title = "Portfolio" if kind == "book" else f"Portfolio {self.who.currentText()}"
        self.path.setText(str(suggested_path(self.window_, title)))

    def _choose(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export workbook", self.path.text(), WORKBOOK_FILTER
        )
        if chosen:
            self.path.setText(chosen)

    def choices(self) -> dict:
        """The request as ``workbook_request`` takes it, plus the target path."""
        kind = self.scope.currentData()
        who = self.who.currentText().strip() or None
        return {
            "client": who if kind == "client" else None,
            "director": who if kind == "director" else None,
            "period": self.period.currentData(),
            "path": self.path.text().strip(),
        }

    def accept(self) -> None:
        choices = self.choices()
        if not choices["path"]:
            self.path.setFocus()
            return
        super().accept()
        start_export(self.window_, **choices)


def start_export(
    window: MainWindow,
    *,
    path: str,
    client: str | None = None,
    director: str | None = None,
    period: str | None = None,
) -> None:
    """Export the workbook as a job (progress and Cancel); report where it went."""
    workspace = window.workspace
    database = workspace.database

    def work(job):
        from portfolio.exports.request import workbook_request
        from portfolio.exports.workbook import export_workbook

        with database.reading() as session:
            request = workbook_request(
                session,
                as_of=workspace.as_of,
                today=workspace.today,
                client=client,
                director=director,
                period=period,
            )
        return export_workbook(database, path, request, job)

    window.jobs.start(
        "Exporting workbook",
        work,
        lambda report: report_written(
            window, report.path, f"{report.rows.get('Budget lines', 0):,} budget lines"
        ),
    )
