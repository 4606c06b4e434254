"""The offline actions of the File menu, each run by the core on a worker thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _people_and_clients(session):
    from portfolio.queries.pickers import clients, people

    return people(session, "account_director"), clients(session)


class TakeOfflineDialog(QDialog):
    """Which book, and where the copy goes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Take offline")
        self.setAccessibleName("Take offline")
        directors, clients = window.workspace.read(_people_and_clients)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Copy a book to a file on this computer. It works like any portfolio with no "
            "network; File > Sync now sends your changes and brings your colleagues'."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.whole_book = QRadioButton("A director's book")
        self.some_clients = QRadioButton("These clients")
        group = QButtonGroup(self)
        group.addButton(self.whole_book)
        group.addButton(self.some_clients)
        self.whole_book.setChecked(True)
        self.director = QComboBox()
        self.director.setAccessibleName("Director")
        for member_id, name in directors:
            self.director.addItem(name, member_id)
        self.clients = QListWidget()
        self.clients.setAccessibleName("Clients")
        self.clients.setSelectionMode(QListWidget.SelectionMode.MultiSelection)
        for client_id, name in clients:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, client_id)
            self.clients.addItem(item)
        self.clients.setEnabled(False)
        self.some_clients.toggled.connect(self.clients.setEnabled)
        self.some_clients.toggled.connect(lambda on: self.director.setEnabled(not on))
        form = QFormLayout()
        form.addRow(self.whole_book, self.director)
        form.addRow(self.some_clients, self.clients)
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        ) or str(Path.home())
        self.path = QLineEdit(str(Path(folder) / "offline book.sqlite3"))
        self.path.setAccessibleName("File")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form.addRow("Save as:", where)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Take offline")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the offline copy as", self.path.text(), "Portfolio files (*.sqlite3)"
        )
        if path:
            self.path.setText(path)

    def scope(self):
        from portfolio.sync.book import Scope

        if self.whole_book.isChecked():
            return Scope(director_id=self.director.currentData())
        ids = tuple(item.data(Qt.ItemDataRole.UserRole) for item in self.clients.selectedItems())
        return Scope(client_ids=ids)


def take_offline(window: MainWindow) -> None:
    """File > Take offline…: choose the book, then copy it with progress and Cancel."""
    dialog = TakeOfflineDialog(window)
    window.take_offline_dialog = dialog
    if dialog.exec():
        start_checkout(window, dialog.scope(), dialog.path.text().strip())


def start_checkout(window: MainWindow, scope, target: str) -> None:
    """Copy ``scope``'s book to ``target`` on a worker thread, then offer to open it."""
    database = window.workspace.database

    def work(job):
        from portfolio.sync.checkout import checkout

        return checkout(database, scope, target, job)

    def done(result) -> None:
        answer = QMessageBox.question(
            window,
            "Taken offline",
            f"{result.clients:,} clients are in {result.path}. Open the offline copy now?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
            QMessageBox.StandardButton.Open,
        )
        if answer == QMessageBox.StandardButton.Open:
            window.open_requested.emit(str(result.path))

    window.jobs.start("Taking offline", work, done)


def show_status(window: MainWindow) -> None:
    """ "Offline copy of <server> (checked out <when>, N changes not yet synced)"."""
    from portfolio.journal.wording import local_time
    from portfolio.sync.pending import status

    label = getattr(window, "offline_label", None)
    if label is None:
        return
    state = window.workspace.read(status)
    if state is None:
        return
    waiting = (
        "nothing to sync"
        if not state.waiting
        else f"{state.waiting:,} change{'' if state.waiting == 1 else 's'} not yet synced"
    )
    label.setText(
        f"Offline copy of {state.server} (checked out {local_time(state.checked_out_at)}, "
        f"{waiting})"
    )
    last = f"last synced {local_time(state.synced_at)}" if state.synced_at else "not synced yet"
    label.setToolTip(f"This file is an offline copy of {state.server}; {last}")


class ConflictsDialog(QDialog):
    """The conflicts of a sync side by side, each settled mine, theirs or later."""

    CHOICES = (("Later (keep it here)", None), ("Use mine", "mine"), ("Keep theirs", "theirs"))

    def __init__(self, conflicts: list, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed on both sides")
        self.setAccessibleName("Sync conflicts")
        self.resize(1360, 400)
        self.conflicts = conflicts
        layout = QVBoxLayout(self)
        text = QLabel(
            "These were changed here and on the server since you took the book offline. "
            "Nothing of a record is sent until its conflicts are settled."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        headers = ["Record", "Field", "When you left", "Yours", "Theirs", "Changed by", "Choice"]
        self.table = QTableWidget(len(conflicts), len(headers), self)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setAccessibleName("Conflicts")
        self.choices: list[QComboBox] = []
        from portfolio.journal.wording import field_label, local_time

        for row, conflict in enumerate(conflicts):
            who = f"{conflict.by} ({local_time(conflict.at)})" if conflict.by else ""
            cells = [
                conflict.record,
                field_label(conflict.entity, conflict.field) if conflict.field else "(record)",
                conflict.base,
                conflict.mine or _what_mine(conflict.kind),
                conflict.theirs or _what_theirs(conflict.kind),
                who,
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
            combo = QComboBox()
            for label, value in self.CHOICES:
                combo.addItem(label, value)
            combo.setAccessibleName(f"Choice for {conflict.record}")
            self.table.setCellWidget(row, len(headers) - 1, combo)
            self.choices.append(combo)
        self.table.resizeColumnsToContents()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        # Long notes must not push the choices out of sight: texts wrap in fixed widths.
        for column, width in enumerate((200, 110, 190, 200, 200, 210, 190)):
            header.resizeSection(column, width)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sync with these choices")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> dict:
        return {
            conflict.key: combo.currentData()
            for conflict, combo in zip(self.conflicts, self.choices, strict=True)
            if combo.currentData() is not None
        }


def _what_mine(kind: str) -> str:
    return {"changed_there": "deleted", "added_both": "added", "deleted_there": "changed"}.get(
        kind, ""
    )


def _what_theirs(kind: str) -> str:
    return {"changed_there": "changed", "added_both": "added", "deleted_there": "deleted"}.get(
        kind, ""
    )


def sync_now(window: MainWindow, *, quiet: bool = False, choices: dict | None = None) -> None:
    """File > Sync now: send, bring, and ask about what changed on both sides."""
    if window.jobs.busy:
        return
    database = window.workspace.database

    def work(job):
        from portfolio.sync.merge import resolver
        from portfolio.sync.run import open_server, sync

        server = open_server(database)
        try:
            return sync(database, server, resolve=resolver(choices), job=job)
        finally:
            server.close()

    def done(report) -> None:
        window.workspace.reload_everything()
        show_status(window)
        window.last_sync_report = report
        summary = " ".join(report.lines()[:1])
        window.show_message(summary, 15_000)
        if quiet:
            return
        chosen: dict = {}
        if report.refused:
            chosen.update(_ask_about_refusals(window, report))
        if report.conflicts:
            dialog = ConflictsDialog(report.conflicts, window)
            window.sync_conflicts_dialog = dialog
            if dialog.exec():
                chosen.update(dialog.chosen())
        if chosen:
            sync_now(window, choices=chosen)

    def failed(error) -> None:
        window.show_message(f"Sync: {error}", 15_000)
        if not quiet:
            # Not exec(): a message that blocks nothing (the window and its live
            # updates go on behind it).
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Sync",
                f"{error}\n\nYour changes are safe in this copy; sync again when the "
                "team's portfolio can be reached.",
                parent=window,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.sync_failure_box = box
            box.open()

    window.jobs.start("Syncing", work, done, on_error=failed, show_dialog=not quiet)


def _ask_about_refusals(window: MainWindow, report) -> dict:
    """The server's refusals, each kept here unless the person lets them go (the
    server's values then come back): choices for the next sync."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Sync", "The server refused some changes.", parent=window
    )
    box.setInformativeText(
        "\n".join(f"• {reason}" for reason in report.refused.values())
        + "\n\nKeep them here to change and sync again, or let them go and take the "
        "server's values."
    )
    keep = box.addButton("Keep them here", QMessageBox.ButtonRole.RejectRole)
    let_go = box.addButton("Let them go", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    window.sync_refusals_box = box
    box.exec()
    if box.clickedButton() is not let_go:
        return {}
    return {(entity, row_id, None): "theirs" for entity, row_id in report.refused}
