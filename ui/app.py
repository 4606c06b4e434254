"""Starting the desktop app: ``portfolio [--db PATH|URL] [--demo [--fresh]]``, ``snapshot``.

``portfolio`` alone reopens the portfolio used last (the first of the recent list that
still exists), else the default file. ``--demo`` opens the demo in the data folder as
it was left, and rebuilds it only when asked to (a question at start, or ``--fresh``).

Start-up does only what the first page needs: the core's analytics, the other pages and
their imports are loaded when first used. A database that cannot be opened is explained
in a dialog (its one-line ``DatabaseOpenError``) and nothing is changed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from portfolio.errors import PortfolioError
from portfolio.storage import Database, open_database
from portfolio.storage.location import data_directory
from ui.settings import Settings
from ui.system_libraries import explain_missing, missing_window_packages
from ui.theme import apply_theme, follow_system

DEMO_FILE = "demo.sqlite3"


def application() -> QApplication:
    """The one ``QApplication``, themed; created on first call."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Portfolio")
        app.setOrganizationName("Portfolio")
        app.setApplicationDisplayName("Portfolio")
        ensure_a_font()
        apply_theme(app)
        follow_system(app)
        from ui.tables.date_editor import configure_local_dates

        # Typed dates read in this computer's short form too (1/31/27 or 31/01/2027).
        configure_local_dates()
        # Worker lanes turn rows into Python objects while holding the GIL; hand it
        # back to the GUI thread every millisecond rather than every five, so painting
        # while a big id list loads stays smooth (paint median 64 -> 40 ms measured).
        sys.setswitchinterval(0.001)
    return app


def ensure_a_font() -> None:
    """Give Qt the deck font Portfolio ships when the system offers no font at all.

    A minimal Linux (a fresh server or container install) can have no fonts and no
    fontconfig setup; Qt then draws every character as an empty box. DejaVu Sans comes
    with Portfolio (and inside the bundled app) for the decks, so the window uses it
    there. (Qt lists fontconfig's generic names even then; what tells is that the
    default font matches no real family.) Matching it loads Qt's font list, which the
    first text drawn would load anyway.
    """
    from PySide6.QtGui import QFontDatabase, QFontInfo

    from resources import FONTS

    if QFontInfo(QApplication.font()).family():
        return
    for path in sorted(FONTS.glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(path))


def last_portfolio(settings: Settings) -> str | None:
    """The portfolio opened last that can still be opened (a file that exists, or a URL)."""
    for name in settings.recent_files():
        if "://" in name or Path(name).is_file():
            return name
    return None


def ask_rebuild_demo(path: Path) -> bool:
    """Ask before writing a fresh demo over the one there (which may hold edits)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Portfolio", "Open the demo portfolio")
    box.setInformativeText(
        f"There is a demo portfolio already ({path}), with any changes you made to it.\n"
        "Open it as it is, or rebuild it fresh (your changes to the demo are lost)?"
    )
    keep = box.addButton("Open it as it is", QMessageBox.ButtonRole.AcceptRole)
    rebuild = box.addButton("Rebuild it", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is rebuild


def demo_target(fresh: bool) -> Path:
    """The demo file: the one there as it was left, else (or when ``fresh``) a new one."""
    existing = data_directory() / DEMO_FILE
    if existing.is_file() and existing.stat().st_size > 0:
        if not fresh and not ask_rebuild_demo(existing):
            return existing
    return write_fresh_demo()


def write_fresh_demo() -> Path:
    """A fresh demo portfolio in the user's data folder (never over their own file)."""
    from portfolio.demo import DemoSpec, write_demo

    folder = data_directory()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / DEMO_FILE
    dialog = QProgressDialog("Writing a demo portfolio…", "", 0, 100)
    dialog.setCancelButton(None)
    dialog.setWindowTitle("Portfolio")
    dialog.setMinimumDuration(0)

    def progress(fraction: float, message: str) -> None:
        dialog.setValue(int(fraction * 100))
        dialog.setLabelText(f"Writing a demo portfolio…\n{message}")
        QApplication.processEvents()

    try:
        write_demo(target, DemoSpec(), force=True, progress=progress)
    finally:
        dialog.close()
    return target


def open_window(
    target: str | None,
    *,
    settings: Settings | None = None,
    create: bool = False,
    new: bool = False,
    ask_identity: bool = False,
):
    """Open ``target`` in a new main window (shown); raises ``PortfolioError``.

    ``new`` makes a new, empty portfolio there (File > New; it must not exist);
    ``create`` lets a missing file become one (the first start, on the default file).
    Anything else missing or empty is refused (``open_database``). ``ask_identity``:
    on first start, ask which team member this login is.
    """
    from ui.main_window import MainWindow
    from ui.workspace import Workspace

    if target and "://" in str(target):
        from portfolio.storage.credentials import remember

        target = remember(str(target))[0]  # the password to the keyring, never to a file
    settings = settings or Settings.for_user()
    database = _open(target, create=create, new=new, timeouts=settings.timeouts())
    if database.path is not None or target:
        settings.add_recent(str(target) if target and "://" in str(target) else database.name)
    workspace = Workspace(database, settings)
    window = MainWindow(workspace)
    if database.upgrade_backup is not None:
        window.show_message(
            f"Upgraded for this version of Portfolio; the file as it was is backed up at "
            f"{database.upgrade_backup}",
            30_000,
        )

    def reopen(name: str) -> None:
        create_new = name.startswith("new:")
        path = name[4:] if create_new else name
        try:
            if name == "demo:":
                path = str(demo_target(fresh=False))
            new_window = open_window(path, settings=settings, new=create_new, ask_identity=True)
        except PortfolioError as error:
            QMessageBox.warning(window, "Open portfolio", str(error))
            return
        new_window.start()
        window.close()

    window.open_requested.connect(reopen)
    window.show()
    if ask_identity:
        # Asked once the caller has started the window: the first page's rows are then
        # being read on a worker while the question (its own read, the dialog) is made.
        QTimer.singleShot(0, window, lambda: _ask_identity(window, workspace))
    return window


def _ask_identity(window, workspace) -> None:
    from ui.editing.identity_dialog import ask_who

    if workspace.closed:
        return
    try:
        dialog = ask_who(workspace, window)
    except PortfolioError:
        if workspace.closed:
            return  # the window was closed while the question was being made
        raise
    if dialog is not None:
        dialog.finished.connect(lambda _result: window.show_user())
        window.identity_dialog = dialog


def _open(target: str | None, *, create: bool, new: bool, timeouts=None) -> Database:
    """Open (or make) the portfolio off the GUI thread, with progress and Cancel after a
    moment; a server that asks for a password it was not given asks the person, and
    the password goes to the keyring."""
    from portfolio.errors import DatabaseOpenError
    from portfolio.storage.database import create_database

    def attempt(password: str | None) -> Database:
        from portfolio.errors import PortfolioError

        if new:
            database = create_database(target)
        else:
            database = open_database(target, create=create, password=password, timeouts=timeouts)
        try:
            _ = database.user  # who is working, read here rather than on the GUI thread
        except PortfolioError:
            pass  # the status bar says why (``MainWindow.show_user``)
        return database

    password = None
    while True:
        try:
            return _waiting(lambda given=password: attempt(given), f"Opening {_shown(target)}…")
        except DatabaseOpenError as error:
            if not (target and "://" in str(target) and _asks_password(str(error))):
                raise
            password = _ask_password(str(target), str(error))
            if password is None:
                raise


def _shown(target: str | None) -> str:
    from portfolio.storage.credentials import without_password

    return without_password(str(target)) if target else "your portfolio"


def _asks_password(message: str) -> bool:
    return message.startswith("Cannot log in") and "password" in message


def _ask_password(target: str, reason: str) -> str | None:
    """Ask for the server password; keep it in the keyring when it is given."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit
    from sqlalchemy.engine import make_url

    from portfolio.storage.credentials import remember

    url = make_url(target)
    text, ok = QInputDialog.getText(
        None,
        "Portfolio",
        f"{reason}\n\nPassword for {url.username or 'your login'} on {url.host}:",
        QLineEdit.EchoMode.Password,
    )
    if not ok or not text:
        return None
    remember(url.set(password=text).render_as_string(hide_password=False))
    return text


def _waiting(work: Callable[[], Database], title: str) -> Database:
    """Run ``work`` on a worker thread; a progress dialog with Cancel after 0.3 s."""
    import threading

    from PySide6.QtCore import QEventLoop

    from portfolio.jobs import Cancelled

    outcome: dict = {}
    finished = threading.Event()
    loop = QEventLoop()
    # The worker wakes the loop the moment it is done (a queued call: it is another
    # thread); the timer only looks at the clock for the progress dialog and Cancel.
    # Polling alone made every open wait for the next tick, 20 ms, ten times what
    # opening the million-line demo takes.
    done = _Done()
    done.signal.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def worker() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread
            outcome["error"] = error
        finished.set()
        done.signal.emit()

    threading.Thread(target=worker, name="open portfolio", daemon=True).start()
    timer = QTimer()
    timer.timeout.connect(loop.quit)
    timer.start(50)
    dialog = None
    started = time.monotonic()
    try:
        while not finished.is_set():
            if dialog is None and time.monotonic() - started > 0.3:
                dialog = QProgressDialog(title, "Cancel", 0, 0)
                dialog.setWindowTitle("Portfolio")
                dialog.setMinimumDuration(0)
                dialog.show()
            if dialog is not None and dialog.wasCanceled():
                # Opening changes nothing until it succeeds; a late success is closed.
                def close_late() -> None:
                    finished.wait()
                    if "value" in outcome:
                        outcome["value"].close()

                threading.Thread(target=close_late, daemon=True).start()
                raise Cancelled("Stopped opening the portfolio; nothing was changed")
            loop.exec()
    finally:
        timer.stop()
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class _Done(QObject):
    signal = Signal()


def run(args: argparse.Namespace, *, on_window: Callable[[object], None] | None = None) -> int:
    """The launcher ``main.py`` hands to the command line; returns the exit code."""
    if getattr(args, "command", None) == "snapshot":
        from ui.snapshot import run_snapshot

        return run_snapshot(args)
    missing = missing_window_packages()
    if missing:
        print(f"portfolio: {explain_missing(missing)}", file=sys.stderr)
        return 1
    app = application()
    target = getattr(args, "db", None)
    try:
        if getattr(args, "demo", False):
            target = str(demo_target(getattr(args, "fresh", False)))
        elif target is None:
            target = last_portfolio(Settings.for_user())
        # Only the first start makes a portfolio unasked: the default file, when missing.
        window = open_window(target, create=target is None, ask_identity=True)
    except PortfolioError as error:
        QMessageBox.critical(None, "Portfolio", str(error))
        print(f"portfolio: {error}", file=sys.stderr)
        return 1
    window.start()
    if on_window is not None:
        on_window(window)
    return app.exec()
