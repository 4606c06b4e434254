"""What every page of the main window offers the window: a title, its lists, readiness.

The window's Edit menu acts on the list that has the focus (or the page's main list);
the snapshot command waits until a page says it has drawn real data (``ready``).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget

from portfolio.actions.changes import Changes
from portfolio.queries.listing import ViewState
from ui.tables.list_view import ListPanel
from ui.views.figure_cubes import cubes_for
from ui.workspace import Workspace


class Page(QWidget):
    #: A line for the status bar.
    message = Signal(str)
    #: Open something elsewhere: (where, keys), e.g. ("client", {"client_id": 3}).
    navigate = Signal(str, dict)

    key = ""
    title = ""
    icon_name = ""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setAccessibleName(self.title)

    #: The least a page asks of the window: opening a page with many controls (a client
    #: page) never widens the main window; its content shares what there is.
    MINIMUM = QSize(480, 360)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.MINIMUM

    def setLayout(self, layout: QLayout) -> None:  # noqa: N802
        super().setLayout(layout)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

    def loosen(self) -> None:
        """Keep the page's layout from setting the page's (and so the window's) minimum."""
        if self.layout() is not None:
            self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
            self.setMinimumSize(0, 0)

    def panels(self) -> list[ListPanel]:
        return []

    def show_missing_actuals(self, balloon, note: str | None) -> None:
        """``note`` (``MissingActuals.note``: actuals counted as 0) in ``balloon``, with
        where to count to an earlier month instead while every closed month counts."""
        if note is not None and self.workspace.context.counts_every_closed_month:
            note += (
                " To use those months' forecast instead, set Actuals to (Ctrl+Shift+A) to an"
                " earlier month."
            )
        balloon.show_or_hide(note, warning=True)

    def primary_panel(self) -> ListPanel | None:
        panels = self.panels()
        return panels[0] if panels else None

    def ready(self) -> bool:
        return all(panel.model.idle for panel in self.panels() if panel.isVisible())

    def save_settings(self) -> None:
        for panel in self.panels():
            panel.save_settings()

    def watch(self, panel: ListPanel) -> ListPanel:
        panel.message.connect(self.message.emit)
        panel.drill.connect(lambda name, keys: self.navigate.emit(name, keys))
        return panel


class FiguresPage(Page):
    """A page drawn from figures the core computes: read when first shown, and again
    when the data behind them changes, at once if the page is shown, else when it next
    is (so an edit elsewhere costs hidden pages nothing).

    Subclasses implement ``load`` (which must call ``loading_started``) and ``reads``:
    the ``READS`` of the core analytics they show, so what a figure depends on is said
    once, where it is computed (imported when first needed, not at start-up).
    """

    def reads(self) -> frozenset[str]:
        raise NotImplementedError

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        self._stale = True
        # The shared figure cubes hear of a change before this page reloads for it.
        self.cubes = cubes_for(workspace)
        workspace.changed.connect(self._changed)

    def load(self) -> None:
        raise NotImplementedError

    def loading_started(self) -> None:
        self._stale = False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.load()

    def _changed(self, changes: Changes) -> None:
        if not changes.touches(self.reads()):
            return
        self._stale = True
        if self.isVisible():
            self.load()


class ListPage(Page):
    """A page that is one big list (clients, campaigns, budget lines, ...)."""

    def __init__(
        self,
        workspace: Workspace,
        list_name: str,
        *,
        key: str,
        title: str,
        icon_name: str,
        drills: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        self.key, self.title, self.icon_name = key, title, icon_name
        super().__init__(workspace, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.panel = self.watch(
            ListPanel(workspace, list_name, settings_key=key, drills=drills, state=ViewState())
        )
        layout.addWidget(self.panel)

    def panels(self) -> list[ListPanel]:
        return [self.panel]
