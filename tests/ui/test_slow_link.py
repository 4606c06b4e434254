"""The app over a link that stalls: the window keeps painting, says so, and can cancel.

Regressions of issue 13: every database call ran on the window's thread, so a VPN
drop froze the window for the whole outage. Here the link is the benchmark's proxy in
front of the test server, stalled on purpose.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portfolio.jobs import Cancelled
from portfolio.storage import open_database
from tests.bench.proxy import DelayProxy
from tests.conftest import PG_URL, TODAY

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PORTFOLIO_TEST_PG_URL")


@pytest.fixture
def slow_window(qtbot, pg_server, pg_demo_template, settings):
    from ui.main_window import MainWindow
    from ui.workspace import Workspace

    url = make_url(pg_server.create(template=pg_demo_template))
    with DelayProxy((url.host or "localhost", url.port or 5432), delay=0.0) as proxy:
        target = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        workspace = Workspace(open_database(target), settings, today=TODAY)
        window = MainWindow(workspace)
        qtbot.addWidget(window)
        window.show()
        yield window, proxy
        proxy.stall(False)
        window.close()
        workspace.close()


def test_a_stalled_read_shows_progress_and_cancel_gives_the_window_back(qtbot, slow_window):
    window, proxy = slow_window
    workspace = window.workspace
    assert workspace.read(lambda s: s.scalar(text("SELECT 1"))) == 1
    beats: list[int] = []
    heart = QTimer()
    heart.timeout.connect(lambda: beats.append(1))
    heart.start(10)
    seen: list[str] = []

    def cancel_when_shown() -> None:
        dialog = workspace.waiter.dialog
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, cancel_when_shown)
            return
        seen.append(dialog.labelText())
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)

    proxy.stall(True)
    QTimer.singleShot(20, cancel_when_shown)
    with pytest.raises(Cancelled, match="nothing was changed"):
        workspace.read(lambda s: s.scalar(text("SELECT 2")))
    heart.stop()
    assert seen and seen[0].startswith("Reading from the portfolio")
    # The window kept its event loop turning all along (a 10 ms timer kept firing).
    assert len(beats) >= 20
    proxy.stall(False)


def test_a_lost_connection_is_said_in_the_status_bar_and_the_app_comes_back(qtbot, slow_window):
    window, proxy = slow_window
    live = window.workspace.live
    qtbot.waitUntil(lambda: live is not None and live.watcher.connected.is_set(), timeout=10_000)
    proxy.drop()
    qtbot.waitUntil(lambda: window.trouble_label.isVisible(), timeout=10_000)
    assert window.trouble_label.text().startswith("⚠ Lost the connection to postgresql://")
    assert window.retry_button.isVisible()
    qtbot.waitUntil(lambda: not window.trouble_label.isVisible(), timeout=20_000)
    qtbot.waitUntil(lambda: "Connected to" in window.statusBar().currentMessage(), timeout=5000)
