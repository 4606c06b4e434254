"""History for people: who changed what, when, from what to what, in words.

The client page's History tab shows everything journalled under one client (its
campaigns, budget lines, requests...); a row's History… (right-click on any list) shows
one record's. Both read the core's ``portfolio.journal.history`` off the window's
thread and read again when anything changes while they are shown.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from portfolio.actions import Changes
from ui.tables.records_model import Field, RecordsModel
from ui.workspace import Workspace

FIELDS = (
    Field("when", "When", width=20),
    Field("user", "Who", width=16),
    Field("action", "Action", width=30),
    Field("record", "Record", width=44),
    Field("field", "Field", width=16),
    Field("before", "Before", width=16),
    Field("after", "After", width=16),
)

#: Journal changes read at most (the newest); the history of a busy client is long.
LIMIT = 5000


class HistoryPanel(QWidget):
    """The journal of one client or one record, newest first."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.views.overview import table

        self.workspace = workspace
        self.lane = workspace.lane(self)
        self.scope: dict[str, int | str] = {}
        self.model = RecordsModel(FIELDS, self)
        self.view = table(self.model, "History")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        self._stale = True
        self.loaded = False
        workspace.changed.connect(self._changed)

    def show_history(self, **scope: int | str) -> None:
        """``client_id=3``, or ``entity="budget_line", row_id=42``."""
        self.scope = dict(scope)
        self._stale = True
        if self.isVisible():
            self.load()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.load()

    def _changed(self, _changes: Changes) -> None:
        # Every action is journalled, so any change may add a line here.
        self._stale = True
        if self.isVisible():
            self.load()

    def load(self) -> None:
        if not self.scope:
            return
        self._stale = False
        self.loaded = False
        scope = dict(self.scope)
        database = self.workspace.database

        def work():
            from portfolio.journal.history import history
            from portfolio.journal.wording import local_time

            with database.session() as session:
                lines = history(session, limit=LIMIT, **scope)
            return [
                {
                    "when": local_time(line.time),
                    "user": line.user,
                    "action": line.action,
                    "record": line.record,
                    "field": line.field or "",
                    "before": line.before,
                    "after": line.after,
                }
                for line in lines
            ]

        self.lane.submit(work, self._show, lambda error: self.note.setText(str(error)))

    def _show(self, records: list[dict]) -> None:
        self.model.set_records(records)
        if records:
            self.note.setText(
                f"{len(records):,} changes, newest first. Times are this computer's local time."
            )
        else:
            self.note.setText(
                "No changes recorded yet. Every change made here, from the command line or "
                "by an import is listed, with who made it."
            )
        self.loaded = True


class HistoryDialog(QDialog):
    """A row's History…: one record's journal."""

    def __init__(
        self, workspace: Workspace, entity: str, row_id: int, title: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of {title}")
        self.setAccessibleName("History")
        self.resize(980, 420)
        layout = QVBoxLayout(self)
        self.panel = HistoryPanel(workspace, self)
        layout.addWidget(self.panel, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.panel.show_history(entity=entity, row_id=row_id)
