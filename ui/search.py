"""Quick search (Ctrl+K): type a few letters, arrow to a client, campaign or request, Enter.

Results come from ``portfolio.queries.search.quick_search`` on a worker lane, a moment
after typing stops; the list keeps the last results until new ones arrive.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portfolio.queries.search import Hit, quick_search
from ui.icons import icon
from ui.workspace import Workspace

DELAY_MS = 150
ICONS = {"client": "clients", "campaign": "campaigns", "request": "requests"}


class QuickSearch(QDialog):
    #: Where to go: (list name, keys), as the main window's ``navigate`` takes it.
    chosen = Signal(str, dict)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle("Quick search")
        self.setAccessibleName("Quick search")
        self.setMinimumWidth(560)
        self.lane = workspace.lane(self)
        self._generation = 0
        self.hits: list[Hit] = []
        self._open_when_ready = False
        layout = QVBoxLayout(self)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Search clients, campaigns and requests…")
        self.edit.setAccessibleName("Search text")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit)
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setMinimumHeight(320)
        self.results.itemActivated.connect(self._activate)
        layout.addWidget(self.results)
        self.hint = QLabel("↑↓ to choose, Enter to open, Esc to close")
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.edit.textChanged.connect(lambda _t: self._timer.start())
        self.edit.returnPressed.connect(self._enter)

    def search(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        text = self.edit.text()
        database = self.workspace.database

        def work() -> list[Hit]:
            with database.reading() as session:
                return quick_search(session, text)

        self.lane.submit(work, lambda hits: self._show(generation, hits))

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or self.lane.busy

    def _show(self, generation: int, hits: list[Hit]) -> None:
        if generation != self._generation:
            return
        self.hits = hits
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(icon(ICONS[hit.kind]), f"{hit.title}\n{hit.detail}")
            item.setToolTip(hit.detail)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
            if self._open_when_ready:
                self._open_when_ready = False
                self._activate(self.results.item(0))
                return
        self.hint.setText(
            f"{len(hits)} found. ↑↓ to choose, Enter to open, Esc to close"
            if self.edit.text().strip()
            else "↑↓ to choose, Enter to open, Esc to close"
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = QKeyEvent(event).key() if not isinstance(event, QKeyEvent) else event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _enter(self) -> None:
        if self._timer.isActive() or self.lane.busy:
            self._open_when_ready = True
            if self._timer.isActive():
                self.search()
            return
        item = self.results.currentItem()
        if item is not None:
            self._activate(item)

    def _activate(self, item: QListWidgetItem) -> None:
        self.open_hit(self.hits[self.results.row(item)])

    def open_hit(self, hit: Hit) -> None:
        self.accept()
        if hit.kind == "client":
            self.chosen.emit("client", {"client_id": hit.id})
        elif hit.kind == "campaign":
            self.chosen.emit("budget_lines", {"client_id": hit.client_id, "campaign_id": hit.id})
        else:
            self.chosen.emit("requests", {"client_id": hit.client_id, "id": hit.id})
