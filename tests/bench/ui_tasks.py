"""Work the UI benchmark runs in fresh processes: ``python -m tests.bench.ui_tasks NAME ...``.

Each task prints one JSON object on its last line. Everything runs on Qt's offscreen
platform. "Painted" means: the rows are in the model and the table's viewport has been
repainted with them (``repaint()`` paints synchronously), measured the same way for our
model and for Qt's own SQL models.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.common import peak_rss_mb  # noqa: E402

WINDOW = (1360, 860)
POLL_MS = 2


def _user_settings(view: str) -> None:
    """Point QSettings at a fresh folder whose last view is ``view`` (like a returning user)."""
    folder = Path(tempfile.mkdtemp())
    (folder / "Portfolio").mkdir()
    (folder / "Portfolio" / "Portfolio.ini").write_text(f"[v1]\nlast_view={view}\n")
    os.environ["XDG_CONFIG_HOME"] = str(folder)


def bare_window() -> dict:
    """The floor: a bare PySide6 QMainWindow, shown and painted."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(*WINDOW)
    window.show()
    found: dict = {}

    def check() -> None:
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            window.repaint()
            found["painted_at"] = time.time()
            app.quit()
        else:
            QTimer.singleShot(POLL_MS, check)

    QTimer.singleShot(0, check)
    app.exec()
    return found


def app_start(path: str) -> dict:
    """``portfolio --db PATH`` through the real command line, until the budget rows are painted."""
    _user_settings("budgets")
    # The command's own order: the core first, Qt only when the window opens (what
    # Qt's import hook costs every module imported after it is part of the figure).
    from main import launch_desktop
    from portfolio.cli import main as cli_main

    found: dict = {}

    def probe(window) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        panel = window.current_page().primary_panel()

        def check() -> None:
            handle = window.windowHandle()
            exposed = handle is not None and handle.isExposed()
            if "painted_at" not in found and exposed and panel.model.first_rows_in:
                panel.table.viewport().repaint()
                found["painted_at"] = time.time()
                found["first"] = panel.model.index(0, 0).data()
                found["peak_mb"] = peak_rss_mb()
            if "painted_at" in found and panel.model.ready:  # the count, for the report
                found["rows"] = panel.model.rowCount()
                window.close()
                QApplication.instance().quit()
            else:
                QTimer.singleShot(POLL_MS, check)

        QTimer.singleShot(0, check)

    code = cli_main(["--db", path], launcher=lambda args: launch_desktop(args, on_window=probe))
    found["exit"] = code
    return found


def _wait(condition, timeout: float = 120.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("gave up waiting")
        QApplication.processEvents()
        time.sleep(POLL_MS / 1000)


def ours_sort(path: str) -> dict:
    """Our list model on budget lines: first rows painted, then re-sorted by spend budget."""
    from PySide6.QtCore import Qt

    from portfolio.storage import open_database
    from ui.app import application
    from ui.settings import Settings
    from ui.tables.list_view import ListPanel
    from ui.workspace import Workspace

    app = application()
    folder = Path(tempfile.mkdtemp())
    workspace = Workspace(open_database(path, create=False), Settings.in_file(folder / "s.ini"))
    panel = ListPanel(workspace, "budget_lines", autoload=False)
    panel.resize(*WINDOW)
    panel.show()
    app.processEvents()
    model = panel.model
    viewport = panel.table.viewport()
    # Like the baselines, one synchronous paint once the rows are in: no paint events
    # while waiting (they would paint the same rows twice and charge both to us).
    viewport.setUpdatesEnabled(False)
    started = time.perf_counter()
    model.reload()
    _wait(lambda: model.first_rows_in and model.rowCount() > 0)
    viewport.setUpdatesEnabled(True)
    viewport.repaint()
    first = time.perf_counter() - started
    _wait(lambda: model.ready)  # the exact count, not timed: rows were on screen already
    column = model.column_of("spend_budget")
    viewport.setUpdatesEnabled(False)
    started = time.perf_counter()
    model.sort(column, Qt.SortOrder.DescendingOrder)
    _wait(lambda: model.first_rows_in and model.state.sort == (("spend_budget", True),))
    viewport.setUpdatesEnabled(True)
    viewport.repaint()
    resort = time.perf_counter() - started
    top = model.index(0, column).data(Qt.ItemDataRole.EditRole)
    _wait(lambda: model.ready)
    # Jump to the last row (waits for the ordered id list) to show deep pages work.
    started = time.perf_counter()
    panel.table.scrollToBottom()
    last = model.rowCount() - 1
    _wait(lambda: model.index(last, column).data(Qt.ItemDataRole.EditRole) is not None)
    panel.table.viewport().repaint()
    jump = time.perf_counter() - started
    peak = peak_rss_mb()
    panel.close()
    workspace.close()
    return {
        "first": first,
        "resort": resort,
        "jump_to_end": jump,
        "rows": model.rowCount(),
        "top_spend_budget": top,
        "peak_mb": peak,
    }


SQL_QUERY = """
SELECT c.name AS client, ca.name AS campaign, bl.month, bl.spend_budget, bl.spend_forecast,
       bl.spend_actual, bl.revenue_budget, bl.revenue_forecast, bl.revenue_actual,
       bl.sales_actual
FROM budget_line bl JOIN campaign ca ON ca.id = bl.campaign_id
JOIN client c ON c.id = ca.client_id
"""


def qt_sql(path: str, kind: str) -> dict:
    """Qt's own SQL models on the same table: first rows painted, then re-sorted."""
    from PySide6.QtCore import Qt
    from PySide6.QtSql import QSqlDatabase, QSqlQuery, QSqlQueryModel, QSqlTableModel
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication(sys.argv[:1])
    database = QSqlDatabase.addDatabase("QSQLITE")
    database.setDatabaseName(path)
    database.setConnectOptions("QSQLITE_OPEN_READONLY")
    if not database.open():
        raise RuntimeError(database.lastError().text())
    view = QTableView()
    view.resize(*WINDOW)
    view.show()
    app.processEvents()
    started = time.perf_counter()
    if kind == "table":
        model = QSqlTableModel(None, database)
        model.setTable("budget_line")
        model.select()
        column = model.fieldIndex("spend_budget")
    else:
        model = QSqlQueryModel()
        model.setQuery(QSqlQuery(SQL_QUERY, database))
        column = 3
    view.setModel(model)
    view.viewport().repaint()
    first = time.perf_counter() - started
    started = time.perf_counter()
    if kind == "table":
        model.sort(column, Qt.SortOrder.DescendingOrder)  # setSort + select()
    else:
        model.setQuery(QSqlQuery(SQL_QUERY + " ORDER BY bl.spend_budget DESC", database))
    view.viewport().repaint()
    resort = time.perf_counter() - started
    top = model.index(0, column).data()
    peak = peak_rss_mb()
    return {"first": first, "resort": resort, "top_spend_budget": top, "peak_mb": peak}


if __name__ == "__main__":
    task = globals()[sys.argv[1]]
    print(json.dumps(task(*sys.argv[2:]), default=str))
