"""What the File menu's workbook actions do; each long part runs as a job with Cancel."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from ui.workbooks.export_dialog import ExportWorkbookDialog
    from ui.workbooks.import_dialog import ImportDialog

WORKBOOK_FILTER = "Excel workbook (*.xlsx)"
IMPORT_FILTER = "Spreadsheets (*.xlsx *.csv);;Excel workbook (*.xlsx);;CSV file (*.csv)"


def documents_folder() -> Path:
    """The user's Documents folder (their home folder where there is none)."""
    from PySide6.QtCore import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def suggested_path(window: MainWindow, title: str) -> Path:
    """``<folder>/<Title> 2026-11-23.xlsx``: next to a portfolio file the user chose, else
    (the default file in the hidden data folder, or a server) in their Documents."""
    from portfolio.storage.location import data_directory

    path = window.workspace.database.path
    base = path.parent if path is not None else documents_folder()
    if path is not None and base.resolve() == data_directory().resolve():
        base = documents_folder()
    name = re.sub(r"[^\w\- ]+", "", title).strip() or "Portfolio"
    return base / f"{name} {dt.date.today().isoformat()}.xlsx"


def report_written(window: MainWindow, path: Path | str, detail: str) -> None:
    """Say where a file went, with Open and Show folder (not modal: work goes on)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    path = Path(path)
    window.show_message(f"Wrote {path}: {detail}", 15_000)
    box = QMessageBox(QMessageBox.Icon.Information, "Written", f"Wrote {path.name}", parent=window)
    box.setInformativeText(f"{detail}\nin {path.parent}")
    open_button = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("Show folder", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)

    def clicked(button) -> None:
        if button is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        elif button is folder_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    box.buttonClicked.connect(clicked)
    window.written_box = box
    box.open()


def export_workbook(window: MainWindow) -> ExportWorkbookDialog:
    from ui.workbooks.export_dialog import ExportWorkbookDialog

    dialog = ExportWorkbookDialog(window)
    window.workbook_dialog = dialog
    dialog.open()
    return dialog


def export_this_view(window: MainWindow, path: str | Path | None = None) -> None:
    """Write the focused list, as filtered, sorted and with its shown columns."""
    panel = window.current_panel()
    if panel is None:
        window.show_message("Open a list to export it (this page has none)")
        return
    title = panel.definition.title
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(
            window, f"Export {title}", str(suggested_path(window, title)), WORKBOOK_FILTER
        )
        if not chosen:
            return
        path = chosen
    query = panel.query()
    database = window.workspace.database

    def work(job):
        from portfolio.exports.view import export_view

        return export_view(database, path, query, job=job)

    window.jobs.start(
        f"Exporting {title.lower()}",
        work,
        lambda report: report_written(window, report.path, f"{sum(report.rows.values()):,} rows"),
    )


def import_spreadsheet(window: MainWindow, path: str | Path | None = None) -> ImportDialog | None:
    """Check a file against the portfolio and show what it would change."""
    from ui.workbooks.import_dialog import ImportDialog

    if path is None:
        folder = window.workspace.database.path
        start = str(folder.parent if folder is not None else Path.home())
        chosen, _ = QFileDialog.getOpenFileName(window, "Import spreadsheet", start, IMPORT_FILTER)
        if not chosen:
            return None
        path = chosen
    dialog = ImportDialog(window, Path(path))
    window.import_dialog = dialog
    dialog.open()
    dialog.preview()
    return dialog
