"""Client page > Review deck…: choose period, sections and format, preview, save, open.

The preview is the deck itself: the core writes the PDF to a scratch folder and its
pages are drawn as images (PDFium), so what is previewed is exactly what is saved. A
PowerPoint deck is the same outline written by python-pptx, so its preview is the PDF
of the same slides. Save as… writes the chosen format straight to the chosen file
through the core (``write_deck``: a temporary file moved into place only when whole),
so a cancel or a failure leaves no file and never a half-written one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from portfolio.decks.options import Branding, DeckOptions, format_of
from portfolio.errors import PortfolioError
from ui.decks import choices
from ui.decks.job_dialog import JobDialog
from ui.decks.options_form import FORMAT_NAMES, DeckOptionsForm
from ui.decks.page_preview import PagePreview
from ui.icons import icon
from ui.workspace import Workspace

FILTERS = {"pdf": "PDF (*.pdf)", "pptx": "PowerPoint (*.pptx)"}


class ReviewDeckDialog(JobDialog):
    def __init__(self, workspace: Workspace, client_id: int, parent: QWidget | None = None):
        super().__init__(workspace, parent)
        from portfolio.model import Client

        self.client_id = client_id

        def facts(session) -> tuple[str, int]:
            client = session.get(Client, client_id)
            if client is None:
                raise PortfolioError("This client no longer exists")
            return client.name, client.fiscal_year_start

        self.client_name, fiscal_start = workspace.read(facts)
        self.setWindowTitle(f"Review deck: {self.client_name}")
        self.setAccessibleName("Review deck")
        self.resize(1320, 780)
        self.scratch = tempfile.TemporaryDirectory(prefix="portfolio-deck-")
        self._previews = 0
        #: The options of the pages on show, to tell when they no longer match the form.
        self.previewed: tuple | None = None
        self.previewing: tuple | None = None
        self.preview_path: Path | None = None
        self.saved_path: Path | None = None
        self.warnings: list[str] = []
        self._previewed_once = False

        period, sections, extension = choices.stored_options(workspace.settings)
        self.form = DeckOptionsForm(
            as_of=workspace.as_of, period=period, sections=sections, extension=extension
        )
        self.form.set_fiscal_start(fiscal_start)
        self.form.changed.connect(self._options_changed)

        heading = QLabel(self.client_name)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        heading.setAccessibleName("Client")
        heading.setWordWrap(True)

        self.branding_note = QLabel("")
        self.branding_note.setAccessibleName("Branding")
        self.branding_note.setWordWrap(True)
        change = QPushButton("Branding…")
        change.setToolTip("Firm name, accent colour and logo (Edit > Preferences…)")
        change.clicked.connect(self.edit_branding)
        branding_row = QHBoxLayout()
        branding_row.addWidget(self.branding_note, 1)
        branding_row.addWidget(change)

        self.preview_button = QPushButton(icon("refresh"), "&Preview")
        self.preview_button.setAccessibleName("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton(icon("backup"), "&Save as…")
        self.save_button.setAccessibleName("Save as")
        self.save_button.clicked.connect(lambda: self.save_as())
        self.open_button = QPushButton(icon("open"), "&Open")
        self.open_button.setAccessibleName("Open")
        self.open_button.setToolTip("Open the saved deck in its usual program")
        self.open_button.clicked.connect(self.open_saved)
        self.starters = [self.preview_button, self.save_button, self.open_button]

        left = QVBoxLayout()
        left.addWidget(heading)
        left.addSpacing(6)
        left.addWidget(self.form)
        left.addSpacing(8)
        left.addLayout(branding_row)
        left.addStretch(1)
        actions = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.open_button):
            actions.addWidget(button)
        left.addLayout(actions)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setFixedWidth(380)

        self.pages = PagePreview()
        self.pages.set_placeholder("The preview appears here")
        self.preview_note = QLabel("")
        self.preview_note.setAccessibleName("Preview note")
        self.preview_note.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.preview_note)
        right.addWidget(self.pages, 1)

        divider = QFrame()
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setFrameShadow(QFrame.Shadow.Sunken)
        body = QHBoxLayout()
        body.addWidget(left_box)
        body.addWidget(divider)
        body.addLayout(right, 1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.news, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)
        self._show_branding()
        self.refresh_buttons()

    # -- choices -----------------------------------------------------------------------
    def branding(self) -> Branding:
        return choices.branding(self.workspace.settings)

    def chosen(self) -> DeckOptions:
        """The options on the form; raises ``ValidationError`` (sections, branding)."""
        return self.form.options(self.branding())

    def _key(self, options: DeckOptions) -> tuple:
        return (options.period, options.sections, options.branding)

    def _show_branding(self) -> None:
        try:
            chosen = self.branding()
        except PortfolioError as error:
            self.branding_note.setText(f"Branding: {error}")
            return
        logo = f"logo {chosen.logo.name}" if chosen.logo else "no logo"
        self.branding_note.setText(
            f"Branding: {chosen.firm}  ·  "
            f"<span style='color:{chosen.accent}'>■</span> {chosen.accent}  ·  {logo}"
        )

    def edit_branding(self) -> None:
        from ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.workspace.settings, self)
        if dialog.exec():
            self._show_branding()
            self._options_changed()

    def _options_changed(self) -> None:
        if self.previewed is None:
            return
        try:
            current = self._key(self.chosen())
        except PortfolioError:
            current = None
        if current != self.previewed:
            self.preview_note.setText("The choices changed: press Preview to see them.")
        else:
            self._describe_preview()

    def can_start(self, button: QAbstractButton) -> bool:
        return button is not self.open_button or self.saved_path is not None

    # -- preview -----------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._previewed_once:
            self._previewed_once = True
            QTimer.singleShot(0, self.preview)

    def preview(self) -> None:
        if self.busy or self.closed:
            return
        try:
            options = self.chosen()
        except PortfolioError as error:
            self.say(str(error), bad=True)
            return
        self._previews += 1
        target = Path(self.scratch.name) / f"preview-{self._previews}.pdf"
        work = self._deck_work(target, options, render=True)
        extension = self.form.extension()
        self.run(
            f"Preview of the deck for {self.client_name}",
            work,
            lambda outcome: self._previewed(outcome, options, extension),
        )
        self.previewing = self._key(options)

    def _previewed(self, outcome, options: DeckOptions, extension: str) -> None:
        result, pages = outcome
        old, self.preview_path = self.preview_path, result.path
        if old is not None:
            old.unlink(missing_ok=True)
        self.previewed = self.previewing
        self.warnings = result.warnings
        self.pages.set_pages(pages)
        self._describe_preview()
        self.say(f"Preview ready: {result.pages} pages.")
        choices.save_options(self.workspace.settings, options, extension)

    def _describe_preview(self) -> None:
        note = f"Preview: {self.pages.page_count} pages"
        if self.form.extension() == "pptx":
            note += "; the PowerPoint file holds the same slides, with native charts and tables"
        for warning in self.warnings:
            note += f". Warning: {warning}"
        self.preview_note.setText(note)

    # -- save and open -----------------------------------------------------------------
    def default_target(self) -> Path:
        from portfolio.decks.book import deck_filename

        folder = choices.last_folder(self.workspace.settings)
        return folder / deck_filename(self.client_name, self.form.extension())

    def save_as(self, path: str | Path | None = None) -> None:
        """Write the deck to ``path`` (asked for when None) in the format its name says."""
        if self.busy:
            return
        try:
            options = self.chosen()
        except PortfolioError as error:
            self.say(str(error), bad=True)
            return
        extension = self.form.extension()
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                f"Save the deck as {FORMAT_NAMES[extension]}",
                str(self.default_target()),
                ";;".join([FILTERS[extension], *(f for k, f in FILTERS.items() if k != extension)]),
            )
            if not chosen:
                return
            path = chosen
        target = Path(path).expanduser()
        if target.suffix.lower() not in (".pdf", ".pptx"):
            target = target.with_name(f"{target.name}.{extension}")
        try:
            format_of(target)
        except PortfolioError as error:
            self.say(str(error), bad=True)
            return
        work = self._deck_work(target, options, render=False)
        self.run(f"Saving {target.name}", work, lambda result: self._saved(result, options))

    def _saved(self, result, options: DeckOptions) -> None:
        self.saved_path = result.path
        settings = self.workspace.settings
        choices.remember_folder(settings, result.path.parent)
        choices.save_options(settings, options, format_of(result.path))
        unit = "slides" if result.path.suffix.lower() == ".pptx" else "pages"
        text = f"Saved {result.path} ({result.pages} {unit})."
        for warning in result.warnings:
            text += f" Warning: {warning}"
        self.say(text)
        self.refresh_buttons()

    def open_saved(self) -> bool:
        """Open the saved deck in the program the system uses for its kind of file."""
        if self.saved_path is None:
            return False
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_path)))
        if not opened:
            self.say(f"No program could open {self.saved_path.name}", bad=True)
        return opened

    # -- the work, off the GUI thread --------------------------------------------------
    def _deck_work(self, target: Path, options: DeckOptions, *, render: bool):
        database, client_id = self.workspace.database, self.client_id
        as_of, today = self.workspace.as_of, self.workspace.today

        def work(job):
            from portfolio.decks.build import write_deck
            from portfolio.model import Client

            with database.reading() as session:
                client = session.get(Client, client_id)
                if client is None:
                    raise PortfolioError("This client no longer exists")
                result = write_deck(
                    session,
                    client,
                    target,
                    options=options,
                    as_of=as_of,
                    today=today,
                    job=job.part(0.0, 0.8) if render else job,
                )
            if not render:
                return result
            from ui.decks.page_images import render_pages

            return result, render_pages(result.path, job=job.part(0.8, 1.0))

        return work

    def cleanup(self) -> None:
        self.pages.clear()
        self.scratch.cleanup()
