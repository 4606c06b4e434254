"""Starting, remembering, long jobs, charts and the snapshot command."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from portfolio.jobs import Cancelled, Job
from portfolio.storage import open_database
from tests.conftest import TODAY
from tests.ui.conftest import loaded


def test_layout_header_state_and_last_view_are_restored(qtbot, workspace, settings, ui_target):
    from ui.main_window import MainWindow
    from ui.workspace import Workspace

    first = MainWindow(workspace)
    qtbot.addWidget(first)
    first.resize(711, 533)  # the offscreen screen is 800 x 600
    first.show()
    panel = first.show_page("campaigns").primary_panel()
    loaded(qtbot, panel.model)
    column = panel.model.column_of("product")
    panel.table.horizontalHeader().resizeSection(column, 333)
    panel.show_column(panel.model.column_of("end_date"), False)
    panel.table.horizontalHeader().sectionClicked.emit(panel.model.column_of("start_date"))
    first.splitter.setSizes([222, 900])
    first.close()
    keys = settings.store.allKeys()
    assert keys and all(key.startswith("v1/") for key in keys)

    again = Workspace(open_database(ui_target), settings, today=TODAY)
    second = MainWindow(again)
    qtbot.addWidget(second)
    second.start()
    second.show()
    try:
        assert second.current_key() == "campaigns"
        assert second.size().width() == 711
        assert second.splitter.sizes()[0] == 222
        restored = second.current_page().primary_panel()
        assert restored.table.horizontalHeader().sectionSize(column) == 333
        assert restored.table.isColumnHidden(restored.model.column_of("end_date"))
        assert restored.model.state.sort == (("start_date", False),)
    finally:
        second.close()


def test_the_last_view_survives_the_window_being_shown_before_it_starts(
    qtbot, workspace, settings, ui_target
):
    """Regression: ``open_window`` shows the window before ``start``; the navigation,
    given the focus with no current row, went to the Overview and wrote it over
    ``last_view``, so every start opened on the Overview (and the bundle's start probe,
    waiting for a list, hung until its timeout)."""
    from ui.app import open_window

    settings.set_value("last_view", "budgets")
    workspace.database.close()
    window = open_window(ui_target, settings=settings)
    qtbot.addWidget(window)
    window.activateWindow()
    window.nav.setFocus()
    qtbot.wait(20)
    window.start()
    try:
        assert window.current_key() == "budgets"
        assert settings.value("last_view") == "budgets"
    finally:
        window.close()


def test_recent_files_are_remembered(settings):
    for name in ("a.sqlite3", "b.sqlite3", "a.sqlite3"):
        settings.add_recent(name)
    assert settings.recent_files() == ["a.sqlite3", "b.sqlite3"]


def test_a_file_that_is_not_a_portfolio_is_explained_and_left_alone(qtbot, tmp_path, monkeypatch):
    from ui.app import run

    target = tmp_path / "notes.sqlite3"
    target.write_text("shopping list\n")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    args = argparse.Namespace(db=str(target), demo=False, command=None)
    assert run(args) == 1
    assert shown and "is not a Portfolio database" in shown[0]
    assert target.read_text() == "shopping list\n"


@pytest.mark.sqlite_only
def test_status_bar_names_the_database_and_backup_runs_as_a_job(qtbot, window, workspace):
    assert window.database_label.text() == workspace.database.name
    window.back_up()
    qtbot.waitUntil(lambda: not window.jobs.busy, timeout=10_000)
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage())
    copy = Path(window.statusBar().currentMessage().split("Backed up to ", 1)[1])
    assert copy.exists() and copy.stat().st_size > 0


def test_demo_opens_a_fresh_demo_in_the_data_folder(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QTimer

    from ui import app
    from ui.settings import Settings

    monkeypatch.setattr(app, "data_directory", lambda: tmp_path / "data")
    monkeypatch.setattr(Settings, "for_user", lambda: Settings.in_file(tmp_path / "user.ini"))
    opened = []

    def close_soon(window) -> None:
        opened.append(window.workspace.database.path)
        QTimer.singleShot(0, window.close)

    args = argparse.Namespace(db=None, demo=True, command=None)
    assert app.run(args, on_window=close_soon) == 0
    assert opened == [(tmp_path / "data" / app.DEMO_FILE).resolve()]
    assert (tmp_path / "data" / app.DEMO_FILE).stat().st_size > 100_000


def test_jobs_report_progress_and_cancel_cleanly(qtbot, workspace, tmp_path):
    from portfolio.files import write_atomically
    from ui.jobs import JobRunner

    runner = JobRunner(workspace.lane, None)
    target = tmp_path / "export.txt"
    started = threading.Event()
    release = threading.Event()
    seen: list[float] = []

    def work(job: Job) -> Path:
        def write(path: Path) -> None:
            with path.open("w") as handle:
                for step in range(50):
                    job.step(step / 50, f"line {step}")
                    if step == 10:
                        started.set()
                        release.wait(5)
                    handle.write(f"{step}\n")

        return write_atomically(target, write)

    errors: list[BaseException] = []
    job = runner.start("Exporting", work, on_error=errors.append, show_dialog=True)
    runner.dialog.canceled.connect(lambda: seen.append(job.fraction))
    assert started.wait(5)
    runner.dialog.findChild(QPushButton).click()  # the Cancel button
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert job.cancelled and seen
    assert errors and isinstance(errors[0], Cancelled)
    assert not target.exists()
    assert not list(tmp_path.glob(".export*"))

    done: list[Path] = []
    runner.start("Exporting", work, on_done=done.append, show_dialog=False)
    release.set()
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert target.read_text().count("\n") == 50


def test_chart_draws_bars_lines_and_axes_headless(qtbot):
    from ui.charts.bar_line_chart import BarLineChart, compact, nice_step
    from ui.charts.variance_chart import monthly_chart
    from ui.theme import colours

    class Row:
        def __init__(self, month, budget, forecast, actual):
            self.labels = (month,)
            self.budget, self.forecast, self.actual = budget, forecast, actual
            self.outlook = actual if month <= 202606 else forecast

    rows = [Row(202600 + m, 100_000 * m, 110_000 * m, 90_000 * m) for m in range(1, 13)]
    data = monthly_chart(
        rows,
        [202600 + m for m in range(1, 13)],
        as_of=202606,
        title="Spend by month",
        currency="EUR",
    )
    assert data.lines[1].values[-1] == sum(r.outlook for r in rows)
    assert data.bars[2].values[6:] == (None,) * 6, "no actual bars for open months"
    assert data.open_from == 6
    chart = BarLineChart()
    qtbot.addWidget(chart)
    chart.set_data(data)
    image: QImage = chart.to_image(800, 420)

    def count(colour: QColor) -> int:
        return sum(
            1
            for y in range(0, image.height(), 2)
            for x in range(0, image.width(), 2)
            if image.pixelColor(x, y) == colour
        )

    assert count(colours().budget) > 200
    assert count(colours().actual) > 200
    assert count(colours().cumulative) > 20
    assert "outlook" in chart.accessibleDescription()
    assert nice_step(7_300_000) == 2_000_000
    assert compact(1_250_000) == "1.2M" or compact(1_250_000) == "1.25M"


def test_snapshot_writes_a_png_of_every_view(tmp_path, ui_target, qtbot):
    """On both backends: every page and every chart renders (regression, issue 13: on
    PostgreSQL the Variances page raised TypeError and the snapshot stopped after 4)."""
    import main

    out = tmp_path / "shots"
    assert main.main(["snapshot", "--db", ui_target, "--out", str(out)]) == 0
    files = sorted(p.name for p in out.glob("*.png"))
    assert files == [
        "01-overview.png",
        "02-clients.png",
        "03-campaigns.png",
        "04-budgets.png",
        "05-variances.png",
        "06-requests.png",
        "07-opportunities.png",
        "08-deadlines.png",
        "09-team.png",
        "10-client.png",
        "11-client-budget.png",
        "12-client-variance.png",
        "13-quick-search.png",
        "14-review-deck.png",
    ]
    image = QImage(str(out / "04-budgets.png"))
    assert (image.width(), image.height()) == (1440, 900)
    colours_seen = {image.pixel(x, y) for x in range(0, 1440, 37) for y in range(0, 900, 29)}
    assert len(colours_seen) > 10, "a real picture, not a blank window"
    assert not list(out.glob(".*partial"))


def test_snapshot_of_an_empty_portfolio_exits_cleanly(tmp_path):
    """Regression: the process crashed on exit (PySide freeing a dropped dialog late)."""
    import os
    import subprocess
    import sys

    target = tmp_path / "empty.sqlite3"
    open_database(target, create=True).close()
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            str(root / "main.py"),
            "snapshot",
            "--db",
            str(target),
            "--out",
            str(tmp_path / "shots"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(list((tmp_path / "shots").glob("*.png"))) == 10


def test_new_portfolio_and_open_recent_replace_the_window(qtbot, portfolio_file, tmp_path):
    from ui.app import open_window
    from ui.settings import Settings

    settings = Settings.in_file(tmp_path / "user.ini")
    first = open_window(str(portfolio_file), settings=settings)
    qtbot.addWidget(first)
    created = tmp_path / "new.sqlite3"
    first.open_requested.emit(f"new:{created}")
    qtbot.waitUntil(lambda: not first.isVisible())
    assert created.exists()
    assert str(created) in settings.recent_files()
    assert str(portfolio_file) in settings.recent_files()
    first.workspace.close()
    second = next(w for w in qtbot_widgets() if getattr(w, "workspace", None) and w.isVisible())
    assert second.workspace.database.path == created.resolve()
    second.close()


def qtbot_widgets():
    from PySide6.QtWidgets import QApplication

    return QApplication.topLevelWidgets()


def test_who_are_you_is_asked_once_the_first_page_has_started(qtbot, settings, ui_target):
    """Start-up (issue 15): the first start's question is made after ``start``, so the
    first page's rows are read on a worker meanwhile instead of after it. It must
    still come (an SQLite file whose login is linked to no one), and only there."""
    from ui.app import open_window

    settings.set_value("last_view", "budgets")
    window = open_window(ui_target, settings=settings, ask_identity=True)
    qtbot.addWidget(window)
    assert getattr(window, "identity_dialog", None) is None  # not before the start
    window.start()
    panel = window.current_page().primary_panel()
    try:
        if "://" in ui_target:
            loaded(qtbot, panel.model)
            qtbot.wait(50)
            assert getattr(window, "identity_dialog", None) is None  # the server knows
            return
        qtbot.waitUntil(lambda: getattr(window, "identity_dialog", None) is not None)
        dialog = window.identity_dialog
        assert dialog.isVisible() and dialog.windowTitle() == "Who are you?"
        assert dialog.people.count() > 0
        loaded(qtbot, panel.model)
        dialog.not_listed.click()  # "I'm not on the team": asked no more on this file
        assert [key for key in settings.store.allKeys() if "identity/declined" in key]
    finally:
        window.close()


def test_the_desktop_start_imports_the_core_before_qt():
    """Start-up (issue 15): every core module the window and its first page import is
    in ``portfolio.startup.FIRST_WINDOW``, imported before PySide6 (whose import hook
    reads the source of each module imported after it). A module this list misses
    costs the start again, so the test names it."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import portfolio.cli\n"
        "from portfolio.startup import import_before_qt\n"
        "import_before_qt()\n"
        "before = set(sys.modules)\n"
        "import ui.app, ui.main_window, ui.views.page\n"
        "print(sorted(m for m in set(sys.modules) - before\n"
        "             if m.startswith('portfolio') or m in ('sqlite3', 'platformdirs')))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert found.stdout.strip() == "[]", found.stdout


def test_closing_the_window_does_not_answer_who_are_you(qtbot, settings, ui_target):
    """Regression (a new-user try-out): closing the window while "Who are you?" waited
    for an answer (quitting, or File > Open of another portfolio) recorded it as
    declined, and the file never asked again. Only the person's answer counts."""
    from ui.app import open_window

    if "://" in ui_target:
        pytest.skip("a server knows who is working: nothing is asked")
    window = open_window(ui_target, settings=settings, ask_identity=True)
    qtbot.addWidget(window)
    window.start()
    qtbot.waitUntil(lambda: getattr(window, "identity_dialog", None) is not None)
    dialog = window.identity_dialog
    window.close()
    # Regression: the dialog stayed open after its window closed (on the demo it kept
    # the program running, and in the tests it was still the active modal widget).
    assert not dialog.isVisible()
    assert QApplication.activeModalWidget() is None
    assert not [key for key in settings.store.allKeys() if "identity/declined" in key]


def test_a_window_closed_while_who_are_you_is_made_leaves_no_dialog(
    qtbot, settings, ui_target, monkeypatch
):
    """Regression (a full test run hung in ``app.exec``): "Who are you?" reads the team
    off the GUI thread, waiting in an event loop; a window closed meanwhile (the demo
    closed at once) got a dialog opened after it, which kept the program from ending
    when its last window closed, and later tests found it as the active modal widget."""
    from ui.app import open_window
    from ui.editing import identity_dialog

    if "://" in ui_target:
        pytest.skip("a server knows who is working: nothing is asked")
    window = open_window(ui_target, settings=settings, ask_identity=True)
    qtbot.addWidget(window)
    workspace = window.workspace
    read = workspace.read

    def read_then_close(function):
        found = read(function)
        if function is identity_dialog.session_login:
            window.close()  # as a queued close does, inside the read's event loop
        return found

    monkeypatch.setattr(workspace, "read", read_then_close)
    window.start()
    qtbot.waitUntil(lambda: window.workspace.closed)
    qtbot.wait(50)
    assert getattr(window, "identity_dialog", None) is None
    assert QApplication.activeModalWidget() is None
    assert not [
        w
        for w in QApplication.topLevelWidgets()
        if w.windowTitle() == "Who are you?" and w.isVisible()
    ]
