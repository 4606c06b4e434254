"""First start on a portfolio: "Who are you?", asked once, so the journal names people.

On a laptop portfolio the login is the operating-system account; the team members in
the file do not know it yet. The first time someone opens a portfolio whose members
are not linked to their login, they pick themselves from the list (or say they are not
on the team). The choice is stored in the portfolio (``TeamMember.login``), so it
holds for the command line too; "not on the team" is remembered per user and
portfolio and not asked again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portfolio.identity import link, session_login, unlinked_people
from ui.workspace import Workspace


def _declined_key(workspace: Workspace) -> str:
    return f"identity/declined/{workspace.database.name}"


def needs_asking(workspace: Workspace) -> list[tuple[int, str]]:
    """The people to choose from, or [] when there is nothing to ask."""
    database = workspace.database
    if not database.is_sqlite or database.user_override:
        return []
    if workspace.settings.value(_declined_key(workspace), False) in (True, "true"):
        return []
    if database.user.linked:
        return []
    return workspace.read(unlinked_people)


class IdentityDialog(QDialog):
    def __init__(
        self, workspace: Workspace, people: list[tuple[int, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle("Who are you?")
        self.setAccessibleName("Who are you?")
        login = workspace.read(session_login)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Portfolio records who changes each figure. Which team member works as "
            f"{login!r} on this computer? You are asked once."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.people = QListWidget(self)
        self.people.setAccessibleName("Team members")
        for member_id, name in people:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, member_id)
            self.people.addItem(item)
        layout.addWidget(self.people)
        buttons = QDialogButtonBox(self)
        self.choose = buttons.addButton("That's me", QDialogButtonBox.ButtonRole.AcceptRole)
        self.not_listed = buttons.addButton(
            "I'm not on the team", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.choose.setEnabled(False)
        self.people.currentItemChanged.connect(
            lambda current, _previous: self.choose.setEnabled(current is not None)
        )
        self.people.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.login = login

    def accept(self) -> None:
        item = self.people.currentItem()
        if item is None:
            return
        member_id = item.data(Qt.ItemDataRole.UserRole)
        database = self.workspace.database
        database.write(lambda session: link(session, member_id, self.login))
        database.forget_user()
        super().accept()

    def reject(self) -> None:
        # Only the person's answer counts: a dialog closed with its window (quitting,
        # File > Open of another portfolio) asks again at the next start.
        parent = self.parentWidget()
        if not self.workspace.closed and (parent is None or parent.isVisible()):
            self.workspace.settings.set_value(_declined_key(self.workspace), True)
        super().reject()


def ask_who(workspace: Workspace, parent: QWidget | None = None) -> IdentityDialog | None:
    """Ask once, if there is anyone to choose from: a window-modal dialog that does not
    hold up the start (the window is usable for reading meanwhile)."""
    people = needs_asking(workspace)
    if not people:
        return None
    dialog = IdentityDialog(workspace, people, parent)
    if workspace.closed:
        # The reads above wait in an event loop, where the window may have closed
        # (the demo's "close at once", File > Open): a dialog opened now would have no
        # window, and would keep the program from ending when its last window closes.
        dialog.deleteLater()
        return None
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
