"""Review decks for a director: one deck per client of theirs, into one folder, on every core.

The core's ``write_book`` does the work (a process per core, each deck written whole or
not at all); this dialog chooses the director, the folder and the deck options, shows
progress with Cancel, and then reports each client: written, or not written and why.
A client whose deck fails never stops the others.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portfolio.errors import PortfolioError
from portfolio.queries.pickers import people
from ui.decks import choices
from ui.decks.job_dialog import JobDialog
from ui.decks.options_form import DeckOptionsForm
from ui.icons import icon
from ui.theme import colours
from ui.workspace import Workspace


class BookDialog(JobDialog):
    def __init__(
        self,
        workspace: Workspace,
        director_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(workspace, parent)
        self.setWindowTitle("Review decks for a director")
        self.setAccessibleName("Review decks for a director")
        self.resize(860, 760)
        #: The entries of the last book written (``portfolio.decks.book.BookEntry``).
        self.entries: list = []
        self.written_to: Path | None = None

        self.director = QComboBox()
        self.director.setAccessibleName("Account director")
        for member_id, name in workspace.read(lambda s: people(s, "account_director")):
            self.director.addItem(name, member_id)
        if director_id is not None and self.director.findData(director_id) >= 0:
            self.director.setCurrentIndex(self.director.findData(director_id))
        self.director.currentIndexChanged.connect(lambda _i: self._count_clients())
        self.client_count = QLabel("")
        self.client_count.setAccessibleName("Clients")
        director_row = QHBoxLayout()
        director_row.addWidget(self.director, 1)
        director_row.addWidget(self.client_count)

        self.folder = QLineEdit(str(choices.last_folder(workspace.settings)))
        self.folder.setAccessibleName("Folder")
        browse = QPushButton(icon("open"), "Choose…")
        browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)

        period, sections, extension = choices.stored_options(workspace.settings)
        self.form = DeckOptionsForm(
            as_of=workspace.as_of, period=period, sections=sections, extension=extension
        )
        top = QFormLayout()
        top.addRow("Account director:", director_row)
        top.addRow("Folder:", folder_row)

        self.write_button = QPushButton(icon("deck"), "&Write decks")
        self.write_button.setAccessibleName("Write decks")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(lambda: self.write())
        self.open_folder_button = QPushButton(icon("open"), "Open &folder")
        self.open_folder_button.setAccessibleName("Open folder")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.starters = [self.write_button, self.open_folder_button]

        self.report = QTreeWidget()
        self.report.setAccessibleName("Decks written")
        self.report.setHeaderLabels(["Client", "Result", "File or reason"])
        self.report.setRootIsDecorated(False)
        self.report.setUniformRowHeights(True)
        header = self.report.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 260)
        header.resizeSection(1, 110)
        header.setStretchLastSection(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.news, 1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.report, 1)
        layout.addLayout(bottom)
        self._count_clients()
        self.refresh_buttons()

    # -- choices -----------------------------------------------------------------------
    def director_clients(self) -> dict[int, str]:
        from portfolio.decks.book import director_clients

        director_id = self.director.currentData()
        if director_id is None:
            return {}
        return director_clients(self.workspace.database, director_id)

    def _count_clients(self) -> None:
        count = len(self.director_clients())
        self.client_count.setText(f"{count} client{'s' if count != 1 else ''}")

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the decks", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def can_start(self, button: QAbstractButton) -> bool:
        return button is not self.open_folder_button or self.written_to is not None

    # -- writing -----------------------------------------------------------------------
    def write(self) -> None:
        if self.busy:
            return
        try:
            options = self.form.options(choices.branding(self.workspace.settings))
        except PortfolioError as error:
            self.say(str(error), bad=True)
            return
        folder = Path(self.folder.text().strip()).expanduser()
        if not self.folder.text().strip() or not folder.is_dir():
            self.say(f"Choose a folder that exists (not {self.folder.text().strip()!r})", bad=True)
            return
        clients = self.director_clients()
        director = self.director.currentText()
        if not clients:
            self.say(f"{director} has no clients", bad=True)
            return
        extension = self.form.extension()
        database = self.workspace.database
        as_of, today = self.workspace.as_of, self.workspace.today

        def work(job):
            from portfolio.decks.book import write_book

            return write_book(
                database,
                clients,
                folder,
                options=options,
                extension=extension,
                as_of=as_of,
                today=today,
                job=job,
            )

        self.report.clear()
        settings = self.workspace.settings
        choices.save_options(settings, options, extension)
        choices.remember_folder(settings, folder)
        self.run(
            f"Decks for {director}",
            work,
            lambda entries: self._written(entries, folder, director),
            cancelled="Cancelled: the decks already written are complete; no others were started.",
        )

    def _written(self, entries: list, folder: Path, director: str) -> None:
        self.entries = entries
        self.written_to = folder
        failed = [entry for entry in entries if entry.error]
        bad = colours().unfavourable
        # Failures first: they are what needs doing.
        for entry in sorted(entries, key=lambda e: e.error is None):
            if entry.error:
                row = QTreeWidgetItem([entry.client, "Not written", entry.error])
                row.setIcon(1, icon("failed"))
                row.setForeground(1, bad)
            else:
                detail = entry.path.name
                if entry.warnings:
                    detail += "  (warning: " + "; ".join(entry.warnings) + ")"
                row = QTreeWidgetItem([entry.client, f"{entry.pages} pages", detail])
                row.setIcon(1, icon("written"))
            row.setToolTip(2, row.text(2))
            row.setData(0, Qt.ItemDataRole.UserRole, entry.client_id)
            self.report.addTopLevelItem(row)
        written = len(entries) - len(failed)
        text = f"Wrote {written} of {len(entries)} decks for {director} to {folder}."
        if failed:
            text += f" {len(failed)} not written: the reasons are listed."
        self.say(text, bad=bool(failed))
        self.refresh_buttons()

    def open_folder(self) -> bool:
        if self.written_to is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written_to)))
