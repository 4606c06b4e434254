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


def suggested_path(window: MainWindow, title: str) -> Path:
    """``~/<folder of the portfolio>/<Title> 2026-11-23.xlsx``."""
    folder = window.workspace.database.path
    base = folder.parent if folder is not None else Path.home()
    name = re.sub(r"[^\w\- ]+", "", title).strip() or "Portfolio"
    return base / f"{name} {dt.date.today().isoformat()}.xlsx"


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
        lambda report: window.show_message(
            f"Wrote {report.path} ({sum(report.rows.values()):,} rows)", 15_000
        ),
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
