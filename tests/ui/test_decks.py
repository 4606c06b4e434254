"""Review decks from the app: the dialog's preview, Save as, Open, Cancel, the director's book.

Every test drives the real dialogs on a private copy of the demo file; decks are kept to
two or three sections so each is written in a fraction of a second. Files are read back
with pypdf and python-pptx.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import QPushButton

from portfolio.editing import operations
from portfolio.lookup import find_client

CLIENT = "Cedar Casualty Co."  # short of budget on spend and on revenue
FEW = "summary,makeup"


class FileOpener(QObject):
    """Takes the place of the desktop's file opener: ``openUrl`` lands here instead."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


@pytest.fixture
def opener():
    handler = FileOpener()
    QDesktopServices.setUrlHandler("file", handler, "open")
    yield handler
    QDesktopServices.unsetUrlHandler("file")


@pytest.fixture
def out(tmp_path) -> Path:
    """An empty folder for what the dialogs write (``tmp_path`` holds the portfolio)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def client_id(workspace) -> int:
    return workspace.read(lambda s: find_client(s, CLIENT).id)


def open_review(qtbot, window, workspace, client_id, sections: str = FEW):
    workspace.settings.set_value("deck/sections", sections)
    page = window.client_page(client_id, "campaigns")
    dialog = page.review_deck()
    qtbot.waitUntil(lambda: dialog.pages.page_count > 0 and not dialog.busy, timeout=30_000)
    return dialog


def idle(qtbot, dialog, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=timeout)


def test_the_dialog_previews_the_pages_then_saves_and_opens_a_pdf(
    qtbot, window, workspace, client_id, out, opener
):
    dialog = open_review(qtbot, window, workspace, client_id)
    assert dialog.form.chosen_sections() == ("summary", "makeup")
    assert dialog.form.period_note.text() == "YTD Jan-Oct 2026 (calendar): Jan 2026 to Oct 2026"
    # Title, executive summary, make-up plan: drawn pages, not blank ones.
    assert dialog.pages.page_count == 3
    summary = dialog.pages.pages[1].page
    assert (summary.width(), summary.height()) == (1280, 720)
    assert summary.pixelColor(640, 2) == QColor("#1F5F8B")  # the accent band along the top
    assert dialog.pages.caption.text() == "Page 1 of 3"
    dialog.pages.show_page(2)
    assert dialog.pages.view.image is dialog.pages.pages[2].page
    assert not dialog.open_button.isEnabled()  # nothing saved yet

    target = out / "cedar.pdf"
    dialog.save_as(target)
    idle(qtbot, dialog)
    reader = PdfReader(target)
    assert len(reader.pages) == 3
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert CLIENT in text and "Spend to save" in text and "Revenue to recover" in text
    assert f"Saved {target} (3 pages)." == dialog.news.text()
    assert list(out.iterdir()) == [target]  # no temporary file left beside it

    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert opener.opened == [QUrl.fromLocalFile(str(target))]
    assert workspace.settings.value("deck/folder") == str(out)


def test_powerpoint_is_saved_under_the_name_given(qtbot, window, workspace, client_id, out):
    dialog = open_review(qtbot, window, workspace, client_id, "summary")
    dialog.form.set_extension("pptx")
    assert "native charts and tables" in dialog.preview_note.text()
    dialog.save_as(out / "cedar")  # no suffix: the chosen format's is added
    idle(qtbot, dialog)
    presentation = Presentation(str(out / "cedar.pptx"))
    assert len(presentation.slides) == 2
    assert workspace.settings.value("deck/format") == "pptx"


def test_cancel_leaves_no_file_and_keeps_the_dialog_usable(
    qtbot, window, workspace, client_id, out
):
    dialog = open_review(qtbot, window, workspace, client_id)
    target = out / "cedar.pdf"
    dialog.save_as(target)
    assert dialog.busy and not dialog.save_button.isEnabled()
    dialog.runner.dialog.findChild(QPushButton).click()  # the progress dialog's Cancel
    idle(qtbot, dialog)
    assert dialog.news.text() == "Cancelled; nothing was written."
    assert list(out.iterdir()) == []
    assert dialog.save_button.isEnabled() and dialog.pages.page_count == 3


def test_a_changed_choice_is_flagged_and_no_sections_is_refused(
    qtbot, window, workspace, client_id
):
    dialog = open_review(qtbot, window, workspace, client_id)
    dialog.form.set_period("2026-Q3")
    assert dialog.form.period_note.text() == "2026-Q3: Jul 2026 to Sep 2026"
    assert "press Preview" in dialog.preview_note.text()
    dialog.form.set_sections(())
    dialog.preview()
    assert dialog.news.text() == "Sections: choose at least one section"
    assert not dialog.busy


def test_closing_while_previewing_stops_the_work_and_removes_the_scratch_files(
    qtbot, window, workspace, client_id
):
    dialog = open_review(qtbot, window, workspace, client_id)
    scratch = Path(dialog.scratch.name)
    assert list(scratch.glob("preview-*.pdf"))
    dialog.preview()
    assert dialog.busy
    dialog.reject()
    qtbot.waitUntil(lambda: not scratch.exists(), timeout=30_000)


def test_branding_comes_from_preferences(qtbot, window, workspace, client_id, out):
    from ui.preferences import PreferencesDialog

    dialog = PreferencesDialog(workspace.settings, window)
    qtbot.addWidget(dialog)
    dialog.accent.setText("red")
    dialog.accept()
    assert dialog.error.text() == "Accent colour: 'red' is not a colour (use #RRGGBB)"
    dialog.logo.setText(str(out / "missing.png"))
    dialog.accent.setText("#aa3300")
    dialog.accept()
    assert "is not a file" in dialog.error.text()
    dialog.logo.clear()
    dialog.firm.setText("  Hartley   & Finch  ")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert workspace.settings.value("deck/accent") == "#AA3300"

    review = open_review(qtbot, window, workspace, client_id, "summary")
    assert "Hartley & Finch" in review.branding_note.text()
    assert review.pages.pages[1].page.pixelColor(640, 2) == QColor("#AA3300")
    review.save_as(out / "branded.pdf")
    idle(qtbot, review)
    assert "Hartley & Finch" in PdfReader(out / "branded.pdf").pages[0].extract_text()


def test_a_directors_book_writes_a_deck_per_client_and_reports_the_one_that_failed(
    qtbot, window, workspace, out, opener
):
    with workspace.database.transaction() as session:
        director = operations.create(
            session, "team_member", {"name": "Wren Okafor", "role": "account_director"}
        )
        names = []
        for name in ("Cedar Casualty Co.", "Summit Casualty Co.", "Pioneer Savings Bank"):
            client = find_client(session, name)
            operations.update(session, "client", client.id, {"director_id": director.id})
            names.append(client.name)
        director_id = director.id
    (out / "Summit Casualty Co. review.pdf").mkdir()  # in the way of one deck

    page = window.show_page("team")
    qtbot.waitUntil(page.ready, timeout=30_000)
    row = next(
        row for row, record in enumerate(page.model.records) if record["director"] == "Wren Okafor"
    )
    page.view.setCurrentIndex(page.model.index(row, 0))
    dialog = page.review_decks()
    assert dialog.director.currentData() == director_id
    assert dialog.client_count.text() == "3 clients"
    dialog.folder.setText(str(out))
    dialog.form.set_sections(("summary",))
    dialog.write()
    idle(qtbot, dialog, 120_000)

    assert dialog.news.text() == (
        f"Wrote 2 of 3 decks for Wren Okafor to {out}. 1 not written: the reasons are listed."
    )
    report = [
        [dialog.report.topLevelItem(i).text(c) for c in range(3)]
        for i in range(dialog.report.topLevelItemCount())
    ]
    assert report[0][:2] == ["Summit Casualty Co.", "Not written"]
    assert "it is a folder" in report[0][2]
    assert sorted(r[0] for r in report[1:]) == ["Cedar Casualty Co.", "Pioneer Savings Bank"]
    for name in ("Cedar Casualty Co.", "Pioneer Savings Bank"):
        reader = PdfReader(out / f"{name} review.pdf")
        assert len(reader.pages) == 2 and name in reader.pages[0].extract_text()
    assert not list(out.glob("*.partial")) and not list(out.glob(".*"))
    dialog.open_folder_button.click()
    assert opener.opened == [QUrl.fromLocalFile(str(out))]


def test_the_book_and_preferences_are_in_the_menus(window):
    assert window.book_action in window.file_menu.actions()
    assert window.preferences_action in window.edit_menu.actions()
