"""The main window: navigation, pages, menus, status bar, and what it remembers.

Pages are built the first time they are shown, so opening a portfolio costs only the
page that comes up. The menus act on the page (and the list) that has the focus. Other
features plug in through reachable attributes: ``file_menu`` (with ``export_anchor``, the
place for File > Export/Import items), ``edit_menu``, ``jobs`` (long work with progress
and Cancel), ``client_page()`` and its ``toolbar``, and ``current_panel()`` whose
``view_state()``/``query()`` describe "this view".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QWidget,
)
from shiboken6 import isValid

from portfolio.queries.pickers import describe
from portfolio.storage import location
from ui.icons import icon
from ui.jobs import JobRunner
from ui.offline import install as install_offline_actions
from ui.tables.list_view import ListPanel
from ui.views.page import ListPage, Page
from ui.workbooks import install as install_workbook_actions
from ui.workspace import Workspace

#: (key, title, icon) of the navigation, in order; Ctrl+1..9 go to them.
NAVIGATION = (
    ("overview", "Overview", "overview"),
    ("clients", "Clients", "clients"),
    ("campaigns", "Campaigns", "campaigns"),
    ("budgets", "Budgets", "budgets"),
    ("variances", "Variances", "variances"),
    ("requests", "Requests", "requests"),
    ("opportunities", "Opportunities", "opportunities"),
    ("deadlines", "Deadlines", "deadlines"),
    ("team", "Team", "team"),
)
DEFAULT_VIEW = "overview"
#: Modules other pages and dialogs import, loaded off the GUI thread after start-up.
WARM_UP = (
    "portfolio.analytics.summary",
    "portfolio.analytics.variance",
    "portfolio.analytics.recovery",
    "portfolio.analytics.team",
    "portfolio.analytics.overview",
    "portfolio.journal.feed",
    "ui.views.overview",
    "ui.views.variance",
    "ui.views.team",
    "ui.views.deadlines",
    "ui.views.client_page",
    "ui.editing.record_dialog",
    "ui.editing.conflicts",
    "portfolio.decks.build",
    "ui.decks.review_dialog",
)
WARM_UP_AFTER_MS = 1000
#: Which client page tab a row of each list opens.
CLIENT_TABS = {
    "requests": "requests",
    "opportunities": "opportunities",
    "deadlines": "deadlines",
    "makeup_actions": "variance",
    "feedback": "feedback",
    "meetings": "meetings",
    "budget_lines": "budget",
    "campaigns": "campaigns",
}


class MainWindow(QMainWindow):
    #: Ask the application to open another portfolio (path or URL).
    open_requested = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.settings = workspace.settings
        self.jobs = JobRunner(workspace.lane, self)
        self.pages: dict[str, Page] = {}
        self._history: list[str] = []
        # Qt adds the application's name itself ("... - Portfolio"); the title is the file.
        database = workspace.database
        self.setWindowTitle(location.short_name(database.url, database.path))
        self.setWindowIcon(icon("app"))
        self.setAccessibleName("Portfolio")

        self.nav = QListWidget()
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(self.nav.iconSize() * 1.2)
        self.nav.setSpacing(1)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        for number, (key, title, icon_name) in enumerate(NAVIGATION, start=1):
            item = QListWidgetItem(icon(icon_name), title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{title} (Ctrl+{number})")
            self.nav.addItem(item)
        self.client_item = QListWidgetItem(icon("client_page"), "Client")
        self.client_item.setData(Qt.ItemDataRole.UserRole, "client")
        self.nav.addItem(self.client_item)
        self.client_item.setHidden(True)
        self.nav.setMinimumWidth(150)
        self.nav.setMaximumWidth(260)
        # The view to start on is read now: showing the window (before ``start``) gives
        # the navigation the focus, and a list with no current item then makes its first
        # row current, which would go to the Overview and overwrite ``last_view``.
        self._start_view = str(self.settings.value("last_view", DEFAULT_VIEW) or DEFAULT_VIEW)
        if self._start_view not in {key for key, _, _ in NAVIGATION}:
            self._start_view = DEFAULT_VIEW
        start_item = self._nav_item(self._start_view)
        if start_item is not None:
            self.nav.setCurrentItem(start_item)
        self.nav.currentItemChanged.connect(self._nav_changed)

        self.stack = QStackedWidget()
        self.splitter = QSplitter()
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([170, 1100])
        self.setCentralWidget(self.splitter)

        self.database_label = QLabel(workspace.database.name)
        self.database_label.setAccessibleName("Open database")
        self.database_label.setToolTip(f"Open portfolio: {workspace.database.name}")
        self.user_label = QLabel("")
        self.user_label.setAccessibleName("Working as")
        self.trouble_label = QLabel("")
        self.trouble_label.setAccessibleName("Connection")
        self.trouble_label.setStyleSheet("color: palette(highlighted-text); background: #b71c1c;")
        self.trouble_label.setMargin(2)
        self.retry_button = QToolButton()
        self.retry_button.setText("Retry")
        self.retry_button.setAccessibleName("Retry")
        self.retry_button.clicked.connect(self.retry)
        for widget in (self.trouble_label, self.retry_button):
            widget.hide()
            self.statusBar().addPermanentWidget(widget)
        self._build_as_of_box()
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.database_label)
        self.show_user()
        workspace.refused.connect(lambda text: self.show_message(text, 10_000))
        workspace.trouble.connect(self.show_trouble)
        workspace.news.connect(self.show_news)
        self.jobs.finished.connect(self._job_finished)

        self._build_menus()
        install_workbook_actions(self)
        install_offline_actions(self)
        self._restore_layout()
        workspace.start_live_updates()

    # -- the month the figures count actuals to -------------------------------------------

    def _build_as_of_box(self) -> None:
        """ "Actuals to: [Nov 2026]" in the status bar: every page's figures count actuals
        to the month chosen (``Workspace.count_actuals_to``). On the first days of a
        month the one just closed has no actuals yet; choosing the month before shows
        its forecast as its outlook instead of a 0 actual."""
        from portfolio.periods import month_label

        context = self.workspace.context
        label = QLabel("Actuals to:")
        self.as_of_box = QComboBox()
        self.as_of_box.setAccessibleName("Actuals counted to")
        label.setBuddy(self.as_of_box)
        for month in context.as_of_choices():
            last = month == context.last_closed
            self.as_of_box.addItem(
                f"{month_label(month)}{' (last closed month)' if last else ''}", month
            )
        self.as_of_box.activated.connect(
            lambda index: self.workspace.count_actuals_to(self.as_of_box.itemData(index))
        )
        self.workspace.as_of_changed.connect(self._show_as_of)
        self._show_as_of()
        self.statusBar().addPermanentWidget(label)
        self.statusBar().addPermanentWidget(self.as_of_box)

    def choose_as_of(self) -> None:
        """Go > Actuals to…: the status bar's box, open."""
        self.as_of_box.setFocus()
        self.as_of_box.showPopup()

    def _show_as_of(self, *_month: int) -> None:
        """The chosen month in the box; marked, and said, while it leaves out a closed
        month (the figures then use that month's forecast)."""
        from portfolio.periods import add_months, month_label
        from ui.theme import colours

        context = self.workspace.context
        self.as_of_box.setCurrentIndex(self.as_of_box.findData(context.as_of))
        if context.counts_every_closed_month:
            self.as_of_box.setStyleSheet("")
            self.as_of_box.setToolTip(
                f"Figures count actuals to {month_label(context.as_of)}, the last closed "
                "month. If its actuals are not in yet, choose an earlier month: the months "
                "after it then count their forecast."
            )
            return
        tone = colours().warning.name()
        self.as_of_box.setStyleSheet(f"QComboBox {{ border: 2px solid {tone}; }}")
        left_out = add_months(context.as_of, 1)
        if left_out == context.last_closed:
            span = f"{month_label(left_out)} is closed, but its"
        else:
            last = month_label(context.last_closed)
            span = f"{month_label(left_out)} to {last} are closed, but their"
        text = f"Figures count actuals to {month_label(context.as_of)}, as chosen: {span} "
        text += "outlook uses the forecast."
        self.as_of_box.setToolTip(f"{text} The next start counts every closed month again.")
        self.show_message(text, 10_000)

    def show_trouble(self, text: str, lost: bool) -> None:
        """A lost connection or a timeout, in one line with Retry; cleared when back."""
        if lost:
            self.trouble_label.setText(f"⚠ {text}")
            self.trouble_label.setToolTip(text)
            self.trouble_label.show()
            self.retry_button.show()
        else:
            self.trouble_label.hide()
            self.retry_button.hide()
            self.show_message(text, 6000)

    def show_news(self, text: str) -> None:
        """Someone else's change arrived (the views already show it)."""
        self.show_message(f"Changed by {text}", 8000)

    def retry(self) -> None:
        """Retry: read everything again (a failed read, a page after a timeout)."""
        self.trouble_label.hide()
        self.retry_button.hide()
        self.workspace.reload_everything()

    def show_user(self) -> None:
        """ "Working as ..." in the status bar: who the journal names for these changes.

        Who that is is read once, off the GUI thread; until then the label waits."""
        from portfolio.errors import PortfolioError

        database = self.workspace.database
        if database.known_user is None:
            self.user_label.setText("Working as …")
            self.workspace.who(self._user_read)
            return
        try:
            user = self.workspace.user
        except PortfolioError as error:
            self.user_label.setText("Working as: unknown")
            self.user_label.setToolTip(str(error))
            return
        if user.linked:
            self.user_label.setText(f"Working as {user.shown}")
            self.user_label.setToolTip(f"Changes are journalled as {user.shown} ({user.login})")
        else:
            self.user_label.setText(f"Working as {user.login} (not a team member)")
            self.user_label.setToolTip(
                "Your login is not linked to a team member; changes are journalled under it"
            )

    def _user_read(self, error: BaseException | None) -> None:
        if error is None:
            self.show_user()
        else:
            self.user_label.setText("Working as: unknown")
            self.user_label.setToolTip(str(error))

    # -- menus --------------------------------------------------------------------------

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self._action(self.file_menu, "&New portfolio…", self.new_portfolio, None, "new")
        self._action(
            self.file_menu, "&Open…", self.open_portfolio, QKeySequence.StandardKey.Open, "open"
        )
        self.demo_action = self._action(
            self.file_menu,
            "Open the &demo portfolio",
            lambda: self.open_requested.emit("demo:"),
            None,
            "open",
            "Forty made-up clients to try things on, in your data folder",
        )
        self.recent_menu = self.file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.file_menu.addSeparator()
        self._action(
            self.file_menu,
            "&Back up now",
            self.back_up,
            None,
            "backup",
            "Write a consistent copy of this portfolio file next to it",
        )
        #: Other features insert their File items (Export workbook, Import) before this.
        self.export_anchor = self.file_menu.addSeparator()
        self.book_action = QAction(icon("deck"), "Review &decks for a director…", self)
        self.book_action.setStatusTip("One review deck per client of a director, into a folder")
        self.book_action.triggered.connect(lambda _checked=False: self.review_decks())
        self.file_menu.insertAction(self.export_anchor, self.book_action)
        self._action(self.file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        self.edit_menu = bar.addMenu("&Edit")
        stack = self.workspace.undo_stack
        self.undo_action = self._action(
            self.edit_menu, "&Undo", self.undo, QKeySequence.StandardKey.Undo, "undo"
        )
        self.redo_action = self._action(self.edit_menu, "&Redo", self.redo, None, "redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        # Bound methods, not lambdas: Qt drops the connection when the window goes.
        stack.canUndoChanged.connect(self._update_undo_actions)
        stack.canRedoChanged.connect(self._update_undo_actions)
        stack.indexChanged.connect(self._update_undo_actions)
        self._update_undo_actions()
        self.edit_menu.addSeparator()
        self.add_action = self._action(
            self.edit_menu,
            "&Add…",
            lambda: self._on_panel("add_record"),
            QKeySequence.StandardKey.New,
            "add",
        )
        self._action(
            self.edit_menu,
            "D&uplicate",
            lambda: self._on_panel("duplicate_selected"),
            "Ctrl+D",
            "duplicate",
        )
        self._action(
            self.edit_menu,
            "&Delete…",
            lambda: self._on_panel("delete_selected"),
            QKeySequence.StandardKey.Delete,
            "delete",
        )
        self._action(
            self.edit_menu, "&Edit cell", lambda: self._on_panel("edit_current"), "F2", "edit"
        )
        self.edit_menu.addSeparator()
        self._action(self.edit_menu, "&Copy", self.copy, QKeySequence.StandardKey.Copy, "copy")
        self._action(self.edit_menu, "&Paste", self.paste, QKeySequence.StandardKey.Paste, "paste")
        self._action(self.edit_menu, "Fill &right", self.fill_right, "Ctrl+R", "fill_right")
        self.edit_menu.addSeparator()
        self._action(
            self.edit_menu,
            "&Filter",
            lambda: self._on_panel("focus_filter"),
            QKeySequence.StandardKey.Find,
            "filter",
        )
        self.edit_menu.addSeparator()
        self.preferences_action = self._action(
            self.edit_menu, "Prefere&nces…", self.preferences, QKeySequence.StandardKey.Preferences
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)

        self.view_menu = bar.addMenu("&Go")
        for number, (key, title, icon_name) in enumerate(NAVIGATION, start=1):
            self._action(
                self.view_menu, title, lambda k=key: self.go_to(k), f"Ctrl+{number}", icon_name
            )
        self.view_menu.addSeparator()
        self._action(self.view_menu, "&Back", self.back, QKeySequence.StandardKey.Back, "back")
        self._action(self.view_menu, "Quick &search…", self.quick_search, "Ctrl+K", "search")
        self._action(
            self.view_menu, "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh, "refresh"
        )
        self._action(
            self.view_menu,
            "&Actuals to…",
            self.choose_as_of,
            "Ctrl+Shift+A",
            tip="Choose the month the figures count actuals to",
        )

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts)
        self._action(help_menu, "&About Portfolio", self.about)

    def _update_undo_actions(self, *_signal_args: object) -> None:
        stack = self.workspace.undo_stack
        if not isValid(stack):  # the workspace is being torn down
            return
        # The stack's texts already carry '&&' for a literal '&' (JournalCommand).
        undo_text, redo_text = stack.undoText(), stack.redoText()
        self.undo_action.setText(f"&Undo {undo_text}" if undo_text else "&Undo")
        self.redo_action.setText(f"&Redo {redo_text}" if redo_text else "&Redo")
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())

    def undo(self) -> None:
        """Edit > Undo: the core undoes it, or says why not (and the stack stays)."""
        self._revert(self.workspace.undo, "Undo", self.workspace.undo_stack.undoText())

    def redo(self) -> None:
        self._revert(self.workspace.redo, "Redo", self.workspace.undo_stack.redoText())

    def _revert(self, step: Callable[..., Any], verb: str, text: str) -> None:
        from portfolio.actions import EditConflictError
        from portfolio.errors import PortfolioError
        from ui.editing.conflicts import MINE, ask, show_theirs

        shown = text.replace("&&", "&")
        try:
            outcome = step()
        except EditConflictError as error:
            overwritable = any(c.version is not None for c in error.conflicts)
            if overwritable and ask(self, error, doing=f"{verb} {shown}") == MINE:
                try:
                    outcome = step(overwrite=True)
                except PortfolioError as again:
                    self.show_message(f"{verb} {shown}: {again}", 15_000)
                    return
            else:
                show_theirs(self.workspace, error)
                if not overwritable:
                    QMessageBox.warning(self, f"{verb} {shown}", str(error))
                self.show_message(f"{verb} {shown}: kept what others changed", 10_000)
                return
        except PortfolioError as error:
            self.show_message(f"{verb} {shown}: {error}", 15_000)
            return
        if outcome is not None:
            # After an undo the status bar says so, not the undone action's own news.
            self.show_message(f"{verb.rstrip('o')}one: {shown}", 6000)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for name in self.settings.recent_files():
            self._action(self.recent_menu, name, lambda n=name: self.open_requested.emit(n))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # -- pages --------------------------------------------------------------------------

    def _make_page(self, key: str) -> Page:
        workspace = self.workspace
        if key == "overview":
            from ui.views.overview import OverviewPage

            return OverviewPage(workspace)
        if key == "variances":
            from ui.views.variance import VariancePage

            return VariancePage(workspace)
        if key == "deadlines":
            from ui.views.deadlines import DeadlinesPage

            return DeadlinesPage(workspace)
        if key == "team":
            from ui.views.team import TeamPage

            return TeamPage(workspace)
        if key == "client":
            from ui.views.client_page import ClientPage

            return ClientPage(workspace)
        lists = {
            "clients": "clients",
            "campaigns": "campaigns",
            "budgets": "budget_lines",
            "requests": "requests",
            "opportunities": "opportunities",
        }
        title, icon_name = next((t, i) for k, t, i in NAVIGATION if k == key)
        return ListPage(workspace, lists[key], key=key, title=title, icon_name=icon_name)

    def page(self, key: str) -> Page:
        """The page ``key``, built on first use."""
        found = self.pages.get(key)
        if found is None:
            found = self.pages[key] = self._make_page(key)
            found.loosen()
            found.message.connect(self.show_message)
            found.navigate.connect(self.navigate)
            self.stack.addWidget(found)
        return found

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def current_key(self) -> str:
        page = self.current_page()
        return page.key if page is not None else ""

    def show_page(self, key: str, *, remember: bool = True) -> Page:
        page = self.page(key)
        previous = self.current_key()
        if remember and previous and previous != key:
            self._history.append(previous)
            del self._history[:-30]
        self.stack.setCurrentWidget(page)
        item = self.client_item if key == "client" else self._nav_item(key)
        if item is not None and self.nav.currentItem() is not item:
            self.nav.blockSignals(True)
            self.nav.setCurrentItem(item)
            self.nav.blockSignals(False)
        if key != "client":
            self.settings.set_value("last_view", key)
        panel = page.primary_panel()
        if panel is not None and not self.stack.hasFocus():
            panel.table.setFocus()
        return page

    def _nav_item(self, key: str) -> QListWidgetItem | None:
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                return item
        return None

    def _nav_changed(self, current: QListWidgetItem | None, _previous) -> None:
        # A closed window can still be handed the focus (and so a current item) by the
        # window system; it builds no page then.
        if current is not None and not self.workspace.closed:
            self.go_to(current.data(Qt.ItemDataRole.UserRole))

    def go_to(self, key: str) -> Page:
        """Go to a page from the navigation (not a drill-down): a list shows all its rows
        again, so a scope a drill-down set earlier does not linger as a stale chip."""
        page = self.show_page(key)
        if isinstance(page, ListPage) and page.panel.model.state.scope:
            page.panel.set_scope({})
        return page

    def back(self) -> None:
        if self._history:
            self.show_page(self._history.pop(), remember=False)

    def client_page(self, client_id: int | None = None, tab: str | None = None):
        """The client page (shown), optionally switched to a client and a tab."""
        page = self.show_page("client")
        if client_id is not None:
            page.show_client(client_id, tab)
            self.client_item.setText(page.client_name or "Client")
            self.client_item.setToolTip(page.client_name)
            self.client_item.setHidden(False)
        return page

    def navigate(self, where: str, keys: dict) -> None:
        """Drill down from a row: director -> clients -> campaigns -> budget lines, etc."""
        read = self.workspace.read
        if where == "team":
            if keys.get("role") != "account_director":
                self.show_message("Only an account director has a book of clients to open")
                return
            director = keys["member_id"]
            label = read(lambda s: describe(s, "team_member", director))
            page = self.show_page("clients")
            page.primary_panel().set_scope(
                {"director_id": director}, {"director_id": f"Director: {label}"}
            )
        elif where in ("clients", "client"):
            self.client_page(keys["client_id"], keys.get("tab"))
        elif where == "campaigns":
            campaign = keys["campaign_id"]
            label = read(lambda s: describe(s, "campaign", campaign))
            page = self.show_page("budgets")
            page.primary_panel().set_scope(
                {"campaign_id": campaign}, {"campaign_id": f"Campaign: {label}"}
            )
        elif where == "budget_lines":
            page = self.client_page(keys["client_id"], "budget")
            page.select_campaign(keys.get("campaign_id"))
        elif where in CLIENT_TABS:
            self.client_page(keys["client_id"], CLIENT_TABS[where])

    # -- acting on the focused list -----------------------------------------------------

    def current_panel(self) -> ListPanel | None:
        """The list with the keyboard focus, else the current page's main list."""
        widget = QApplication.focusWidget()
        while widget is not None:
            if isinstance(widget, ListPanel):
                return widget
            widget = widget.parentWidget()
        page = self.current_page()
        return page.primary_panel() if page is not None else None

    def _on_panel(self, method: str) -> None:
        if method == "edit_current":
            # F2 edits the current cell of whichever table has the focus (lists and the
            # budget grid alike), keeping its text.
            focused = QApplication.focusWidget()
            if isinstance(focused, QAbstractItemView) and focused.currentIndex().isValid():
                focused.edit(focused.currentIndex())
                return
        page = self.current_page()
        handler = getattr(page, method, None) if page is not None else None
        if handler is not None and getattr(page, "handles", lambda _m: False)(method):
            handler()
            return
        panel = self.current_panel()
        if panel is not None:
            getattr(panel, method)()

    def copy(self) -> None:
        self._on_panel("copy_selection")

    def paste(self) -> None:
        page = self.current_page()
        if page is not None and hasattr(page, "paste") and page.handles("paste"):
            page.paste()
        else:
            self.show_message("Paste a block copied from Excel into the client page's budget grid")

    def fill_right(self) -> None:
        page = self.current_page()
        if page is not None and hasattr(page, "fill_right") and page.handles("fill_right"):
            page.fill_right()
        else:
            self.show_message("Fill right works in the client page's budget grid")

    def refresh(self) -> None:
        self.workspace.reload_everything()

    def quick_search(self) -> None:
        from ui.search import QuickSearch

        dialog = QuickSearch(self.workspace, self)
        dialog.chosen.connect(self.navigate)
        dialog.open()
        self.search_dialog = dialog

    # -- file ---------------------------------------------------------------------------

    def open_portfolio(self) -> None:
        start = str(Path(self.workspace.database.path or Path.home()).parent)
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open portfolio",
            start,
            "Portfolio files (*.sqlite3 *.db *.sqlite);;All files (*)",
        )
        if path:
            self.open_requested.emit(path)

    def new_portfolio(self) -> None:
        start = str(Path(self.workspace.database.path or Path.home()).parent / "portfolio.sqlite3")
        path, _ = QFileDialog.getSaveFileName(
            self, "New portfolio", start, "Portfolio files (*.sqlite3)"
        )
        if path:
            if Path(path).exists():
                QMessageBox.warning(
                    self, "New portfolio", f"{path} already exists; choose a new name"
                )
                return
            self.open_requested.emit("new:" + path)

    def back_up(self) -> None:
        database = self.workspace.database
        self.jobs.start(
            "Backing up",
            lambda job: database.backup(),
            lambda target: self.show_message(f"Backed up to {target}", 15_000),
        )

    def review_decks(self, director_id: int | None = None):
        """File > Review decks for a director…: the book dialog (shown, not modal)."""
        from ui.decks.book_dialog import BookDialog

        dialog = BookDialog(self.workspace, director_id, self)
        dialog.finished.connect(dialog.deleteLater)
        self.book_dialog = dialog
        dialog.open()
        return dialog

    def preferences(self) -> None:
        """Edit > Preferences…: the firm's name, accent colour and logo for review decks."""
        from ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.settings, self)
        self.preferences_dialog = dialog
        if dialog.exec():
            self.show_message("Preferences saved; new review decks carry them")

    def _job_finished(self, title: str, message: str) -> None:
        if message != "done":
            self.show_message(f"{title}: {message}", 10_000)

    def show_message(self, text: str, timeout: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout)

    def show_shortcuts(self) -> None:
        lines = [
            "Ctrl+K  Quick search (clients, campaigns, requests)",
            "Ctrl+1 … Ctrl+9  Go to a page;  Alt+Left  Back",
            "Ctrl+F  Filter the list;  click a header to sort",
            "F2 or typing  Edit the cell;  Enter  Save;  Esc  Cancel",
            "Ctrl+N  Add;  Ctrl+D  Duplicate;  Delete  Delete (asks first)",
            "Ctrl+C  Copy the selection (tab-separated, with headers)",
            "Ctrl+V  Paste an Excel block;  Ctrl+R  Fill right (budget grid)",
            "Ctrl+Z  Undo;  Ctrl+Shift+Z  Redo",
            "Ctrl+Shift+A  Actuals to: the month the figures count actuals to",
            "Double-click or Enter on a row  Open it (drill down)",
        ]
        QMessageBox.information(self, "Keyboard shortcuts", "\n".join(lines))

    def about(self) -> None:
        self.about_box().exec()

    def about_box(self) -> QMessageBox:
        """Help > About: the version, and under Details what is bundled and its licence."""
        from PySide6.QtCore import qVersion

        from portfolio import __version__
        from portfolio.licences import components, licence_folder

        box = QMessageBox(self)
        box.setWindowTitle("About Portfolio")
        box.setIconPixmap(icon("app").pixmap(64, 64))
        box.setText(f"Portfolio {__version__}")
        parts = components()
        box.setInformativeText(
            "Account portfolio management.\n\n"
            f"Open portfolio: {self.workspace.database.name}\n\n"
            f"Built on Qt {qVersion()} (LGPL-3.0) and Python {parts[0].version}; "
            "Show Details lists everything it runs on and each licence."
        )
        lines = [f"{part.name} {part.version}: {part.licence}" for part in parts]
        lines.append(
            "Qt, libpq, OpenSSL and PDFium come inside PySide6, psycopg-binary and "
            "pypdfium2, under the licences those packages ship."
        )
        folder = licence_folder()
        if folder is not None:
            lines.append(f"Licence texts: {folder}")
        box.setDetailedText("\n".join(lines))
        return box

    # -- remembering --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.bytes("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        state = self.settings.bytes("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.bytes("splitters/main")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def start(self) -> None:
        """Show the last view (or the Overview); then, once it is in, load the code the
        other pages need off the GUI thread (``WARM_UP``)."""
        self.show_page(self._start_view, remember=False)
        QTimer.singleShot(WARM_UP_AFTER_MS, self._warm_up)

    def _warm_up(self) -> None:
        """Import what other pages and dialogs use on a worker: an import on the GUI
        thread stalls the window (PySide reads each new module's source), and pages are
        built when first shown. Start-up itself still loads only the first page."""
        if self.workspace.closed:
            return

        def load() -> None:
            import importlib

            for name in WARM_UP:
                importlib.import_module(name)
            # Reading the deck fonts holds the interpreter for ~50 ms: better now, while
            # the person reads the first page, than in the middle of their first deck.
            from portfolio.decks.fonts import bundled_faces

            bundled_faces()
            # Everything loaded so far (modules, classes, the fonts) lives as long as the
            # app: out of the collector's sight, a full collection no longer walks it
            # and no longer stops the window for 40-80 ms (measured on the team
            # benchmark's 500-client demo, during a deck). Python's gc.freeze is made
            # for exactly this: objects made at start-up and kept.
            import gc

            gc.freeze()

        self.workspace.lane(self).submit(load, None, lambda _error: None)

    def save_settings(self) -> None:
        self.settings.set_value("window/geometry", self.saveGeometry())
        self.settings.set_value("window/state", self.saveState())
        self.settings.set_value("splitters/main", self.splitter.saveState())
        for page in self.pages.values():
            page.save_settings()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_settings()
        super().closeEvent(event)
        if event.isAccepted():
            self.workspace.close()
            # "Who are you?" goes with its window, unanswered (its ``reject`` records
            # nothing once the portfolio is closed): left open, it kept the program
            # running with no window to answer for.
            dialog = getattr(self, "identity_dialog", None)
            if dialog is not None and dialog.isVisible():
                dialog.reject()
