"""Every name renders and user text stays text: fonts per run, fallback, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from portfolio.decks.fonts import BOLD, REGULAR, REPLACEMENT, FontBook
from tests.decks.conftest import HOSTILE, hostile_texts, make_deck

POLISH, GREEK, CYRILLIC = (
    "Gdańskie Bank Spółdzielczy",
    "Αιγαίο Τράπεζα",
    "Балканска Кооперативна банка",
)
JAPANESE = "大阪 信用金庫"


def has_japanese_font() -> bool:
    return FontBook().face_for("大") is not None


def test_markup_escapes_user_text_and_keeps_line_breaks():
    book = FontBook(system_fallback=False)
    assert book.markup('<b>Acme & Sons</b>\n<img src="x"/>') == (
        '&lt;b&gt;Acme &amp; Sons&lt;/b&gt;<br/>&lt;img src="x"/&gt;'
    )


def test_latin_polish_greek_and_cyrillic_need_no_fallback():
    book = FontBook(system_fallback=False)
    for name in (POLISH, GREEK, CYRILLIC, "Zoë Müller-Łukasz Dubois"):
        assert book.runs(name) == [(REGULAR, name)]
        assert book.runs(name, bold=True) == [(BOLD, name)]
    assert not book.missing


def test_without_a_font_for_a_script_characters_become_visible_marks_and_a_warning():
    book = FontBook(system_fallback=False)
    runs = book.runs(f"{JAPANESE} Bank")
    assert runs == [(REGULAR, f"{REPLACEMENT * 2} {REPLACEMENT * 4} Bank")]
    assert book.missing == set(JAPANESE.replace(" ", ""))
    assert "6 character(s) have no installed font" in book.warning()


@pytest.mark.skipif(not has_japanese_font(), reason="no TrueType Japanese font installed")
def test_japanese_uses_an_installed_font_per_run_and_latin_stays_in_the_bundled_one():
    book = FontBook()
    runs = book.runs(f"Zoë {JAPANESE} Bank")
    assert [text for _, text in runs] == ["Zoë ", f"{JAPANESE} ", "Bank"]
    assert runs[0][0] == REGULAR and runs[2][0] == REGULAR
    assert runs[1][0].startswith("PortfolioFallback-")
    assert book.warning() is None


def test_non_latin_names_can_be_copied_out_of_the_pdf(deck_db, tmp_path):
    for name in (POLISH, GREEK, CYRILLIC):
        target = tmp_path / "deck.pdf"
        result = make_deck(deck_db, name, target, sections=("summary",))
        assert result.warnings == []
        title = PdfReader(target).pages[0].extract_text()
        assert name in title


@pytest.mark.skipif(not has_japanese_font(), reason="no TrueType Japanese font installed")
def test_a_japanese_name_renders_with_the_system_font(deck_db, tmp_path):
    target = tmp_path / "ja.pdf"
    result = make_deck(deck_db, JAPANESE, target, sections=("summary",))
    assert result.warnings == []
    reader = PdfReader(target)
    assert JAPANESE in reader.pages[0].extract_text()
    fonts = {str(font) for page in reader.pages for font in _font_names(page)}
    # A third typeface is embedded beside the bundled regular and bold: the system one.
    assert [f for f in fonts if "DejaVuSans" not in f and "Helvetica" not in f]


def test_a_japanese_name_without_a_font_is_marked_and_warned_not_dropped(deck_db, tmp_path):
    target = tmp_path / "ja.pdf"
    result = make_deck(deck_db, JAPANESE, target, sections=("summary",), system_fonts=False)
    assert len(result.warnings) == 1 and "no installed font" in result.warnings[0]
    title = PdfReader(target).pages[0].extract_text()
    assert f"{REPLACEMENT * 2} {REPLACEMENT * 4}" in title


def _font_names(page) -> list[str]:
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    return [fonts[key].get_object().get("/BaseFont") for key in fonts]


def test_hostile_text_prints_literally_in_the_pdf_and_fetches_nothing(hostile_pdf, trap_server):
    base_url, hits = trap_server
    texts = hostile_texts(base_url)
    text = " ".join(hostile_pdf.pages)
    assert HOSTILE in hostile_pdf.pages[0]
    for key in ("campaign", "comment", "opportunity", "action", "deadline"):
        assert " ".join(texts[key].split()) in text, key
    assert f'Call back <a href="{base_url}/link">here</a>' in text
    assert "Send <font size=40>deck</font>" in text
    assert hits == []


def test_hostile_text_is_plain_text_in_powerpoint(deck_db, tmp_path, trap_server):
    base_url, hits = trap_server
    target = tmp_path / "hostile.pptx"
    make_deck(deck_db, HOSTILE, target)
    texts = []
    for slide in Presentation(str(target)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    joined = "\n".join(texts)
    for key, value in hostile_texts(base_url).items():
        if key != "next_steps":
            assert value in joined, key
    assert hits == []


def test_cells_too_long_for_a_page_are_shortened_visibly(deck_db, tmp_path: Path):
    from portfolio.decks.pdf_deck import MAX_CELL_CHARS, PdfDeck

    book = FontBook(system_fallback=False)
    deck = PdfDeck.__new__(PdfDeck)
    deck.book, deck._cell_styles = book, {}
    from portfolio.decks.outline import Cell

    paragraph = deck._cell(Cell("word " * 1000), "left")
    assert len(paragraph.text) < MAX_CELL_CHARS
    assert paragraph.text.endswith("(shortened; full text in Portfolio)")
