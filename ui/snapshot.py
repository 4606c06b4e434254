"""``portfolio snapshot --db DB --out DIR``: every main view of a portfolio as a PNG.

Runs headless (Qt's offscreen platform unless another is asked for), in a window of a
fixed size with throw-away settings, waits until each page has drawn its real data, and
writes each image whole or not at all (``portfolio.files.write_atomically``). The
portfolio is opened as it is: never created, and nothing in it is changed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from portfolio.errors import PortfolioError
from portfolio.files import OutputError, write_atomically

#: (file name, page key) in the order the images are written.
PAGES = (
    ("01-overview", "overview"),
    ("02-clients", "clients"),
    ("03-campaigns", "campaigns"),
    ("04-budgets", "budgets"),
    ("05-variances", "variances"),
    ("06-requests", "requests"),
    ("07-opportunities", "opportunities"),
    ("08-deadlines", "deadlines"),
    ("09-team", "team"),
)
SIZE = (1440, 900)
TIMEOUT_S = 300.0


def wait_until(condition, timeout: float = TIMEOUT_S) -> bool:
    """Let Qt work until ``condition()`` holds (data loaded on worker lanes), or time out."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if condition():
            for _ in range(5):
                QApplication.processEvents()
            return True
        time.sleep(0.01)
    return False


def save(widget, target: Path) -> Path:
    image = widget.grab()

    def write(path: Path) -> None:
        if not image.save(str(path), "PNG"):
            raise OutputError(f"Cannot write {target}: Qt could not encode the image")

    return write_atomically(target, write)


def run_snapshot(args: argparse.Namespace) -> int:
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ui.app import application, open_window
    from ui.settings import Settings

    out = Path(args.out).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"Cannot create {out}: {error.strerror}") from None
    application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings.in_file(Path(scratch) / "snapshot.ini")
        settings.set_value("last_view", "overview")
        window = open_window(getattr(args, "db", None), settings=settings, create=False)
        try:
            written = render_all(window, out)
        finally:
            window.close()
            window.workspace.close()
            dispose(window)
    for path in written:
        print(path)
    return 0


def dispose(window) -> None:
    """Delete the window's Qt objects now, while Python is still whole.

    Left to interpreter shutdown, PySide 6 can free some of them in an order that
    crashes the process after the work is done; deleting them first avoids that.
    """
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


def render_all(window, out: Path) -> list[Path]:
    window.resize(*SIZE)
    window.start()
    written: list[Path] = []
    for name, key in PAGES:
        page = window.show_page(key)
        if not wait_until(page.ready):
            raise PortfolioError(f"The {page.title} page did not finish loading in time")
        written.append(save(window, out / f"{name}.png"))
    client_id = pick_client(window)
    if client_id is not None:
        page = window.client_page(client_id, "campaigns")
        wait_until(page.ready)
        written.append(save(window, out / "10-client.png"))
        page = window.client_page(client_id, "budget")
        grid = page.grid
        if grid.campaign.count() > 1:
            grid.campaign.setCurrentIndex(1)
        wait_until(page.ready)
        written.append(save(window, out / "11-client-budget.png"))
        page = window.client_page(client_id, "variance")
        wait_until(page.ready)
        written.append(save(window, out / "12-client-variance.png"))
    written.append(snapshot_search(window, out / "13-quick-search.png"))
    if client_id is not None:
        written.append(snapshot_review_deck(window, client_id, out / "14-review-deck.png"))
    return written


def pick_client(window) -> int | None:
    """A client at risk whose current year has lines in most months (the fullest page)."""
    from portfolio.queries.budget_grid import load_grid
    from portfolio.queries.pickers import clients

    overview = window.pages.get("overview")
    figures = getattr(overview, "figures", None)
    candidates = [entry.client_id for entry in (figures.risks if figures else [])][:12]
    candidates = candidates or [client_id for client_id, _ in window.workspace.read(clients)[:12]]
    as_of = window.workspace.as_of

    def filled(client_id: int) -> int:
        grid = window.workspace.read(lambda s: load_grid(s, client_id=client_id, as_of=as_of))
        return sum(1 for value in grid.stored[("spend", "budget")].values() if value)

    return max(candidates, key=filled, default=None)


def snapshot_search(window, target: Path) -> Path:
    from ui.search import QuickSearch

    window.show_page("clients")
    dialog = QuickSearch(window.workspace, window)
    dialog.show()
    dialog.move(window.geometry().center() - dialog.rect().center())
    dialog.edit.setText("bank")
    dialog.search()
    wait_until(lambda: not dialog.busy, 60)
    path = save(dialog, target)
    dialog.close()
    window.search_dialog = dialog  # deleted with the window, not when this returns
    return path


def snapshot_review_deck(window, client_id: int, target: Path) -> Path:
    """The client's Review deck dialog with its preview on the executive summary."""
    page = window.client_page(client_id, "campaigns")
    dialog = page.review_deck()
    if not wait_until(lambda: dialog.pages.page_count > 0 and not dialog.busy):
        raise PortfolioError("The review deck preview did not finish in time")
    dialog.pages.show_page(2)
    wait_until(lambda: True, 1)
    path = save(dialog, target)
    dialog.reject()
    return path
