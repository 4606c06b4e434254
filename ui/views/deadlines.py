"""Deadlines and their materials: what is due, what is late, what has not arrived.

The list puts overdue and due-soon deadlines first (a warning icon and colour and the
word); selecting one shows its materials checklist (needed -> approved -> ordered ->
received) beside it, editable in place. Double-click opens the client.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from portfolio.queries.listing import ViewState
from ui.tables.list_view import ListPanel
from ui.views.page import Page
from ui.workspace import Workspace


class DeadlinesPage(Page):
    key = "deadlines"
    title = "Deadlines"
    icon_name = "deadlines"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.deadlines = self.watch(
            ListPanel(workspace, "deadlines", settings_key="deadlines", drills=True)
        )
        self.splitter.addWidget(self.deadlines)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(6, 0, 0, 0)
        self.materials_title = QLabel("<b>Materials</b>: select a deadline")
        holder_layout.addWidget(self.materials_title)
        self.materials = self.watch(
            ListPanel(
                workspace,
                "materials",
                settings_key="materials",
                state=ViewState(scope=(("deadline_id", 0),)),
            )
        )
        holder_layout.addWidget(self.materials)
        self.splitter.addWidget(holder)
        self.splitter.setSizes([900, 420])
        layout.addWidget(self.splitter)
        self.deadlines.table.selectionModel().currentRowChanged.connect(self._selected)
        self.deadlines.model.modelReset.connect(
            lambda: (
                self.deadlines.table.selectionModel().currentRowChanged.connect(self._selected)
                if False
                else None
            )
        )

    def panels(self) -> list[ListPanel]:
        return [self.deadlines, self.materials]

    def _selected(self, current, _previous=None) -> None:
        if not current.isValid():
            return
        model = self.deadlines.model
        deadline_id = model.row_id(current.row())
        if deadline_id is None:
            return
        title = model.value(current.row(), model.column_of("title")) or "this deadline"
        self.materials_title.setText(f"<b>Materials</b> for {title}")
        self.materials.scope_labels = {"deadline_id": f"Deadline: {title}"}
        self.materials.model.set_state(self.materials.model.state.scoped(deadline_id=deadline_id))
