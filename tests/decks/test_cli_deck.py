"""``portfolio deck`` on the command line: files, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pptx import Presentation
from pypdf import PdfReader

from portfolio.cli import main
from tests.conftest import ROOT_DIR
from tests.decks.conftest import SHOWCASE


@pytest.fixture
def db_path(deck_db) -> str:
    return str(deck_db.path)


def test_client_deck_as_pdf_and_pptx(db_path, tmp_path, capsys):
    pdf, pptx = tmp_path / "deck.pdf", tmp_path / "deck.pptx"
    common = ["--db", db_path, "deck", "--client", SHOWCASE.lower(), "--as-of", "2026-10"]
    assert main([*common, "-o", str(pdf), "--sections", "summary,opportunities"]) == 0
    assert main([*common, "-o", str(pptx), "--sections", "summary", "--accent", "#aa3300"]) == 0
    assert f"Wrote {pdf} (3 pages)" in capsys.readouterr().out
    assert SHOWCASE in PdfReader(pdf).pages[0].extract_text()
    assert len(Presentation(str(pptx)).slides) == 2


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--client", SHOWCASE], 2, "--client needs -o"),
        (["--director", "Isla Patel"], 2, "--director needs --out-dir"),
        (["--client", "Nobody Ltd", "-o", "x.pdf"], 1, "No client named 'Nobody Ltd'"),
        (["--client", SHOWCASE, "-o", "x.docx"], 1, "must end in .pdf or .pptx"),
        (["--client", SHOWCASE, "-o", "x.pdf", "--accent", "red"], 1, "is not a colour"),
        (["--client", SHOWCASE, "-o", "x.pdf", "--sections", "charts"], 1, "'charts' not known"),
        (["--client", SHOWCASE, "-o", "x.pdf", "--period", "2026-Q9"], 1, "is not a period"),
        (["--client", SHOWCASE, "-o", "x.pdf", "--logo", "/no/logo.png"], 1, "is not a file"),
        (["--client", SHOWCASE, "-o", "x.pdf", "--firm", "  "], 1, "Firm name: give the name"),
    ],
)
def test_bad_requests_get_one_line(
    db_path, tmp_path, capsys, monkeypatch, arguments, code, message
):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", db_path, "deck", *arguments]) == code
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written, not even a partial file


def test_directors_book_from_the_command_line(db_path, tmp_path, capsys):
    out = tmp_path / "book"
    out.mkdir()
    code = main(
        [
            "--db",
            db_path,
            "deck",
            "--director",
            "Isla Patel",
            "--out-dir",
            str(out),
            "--as-of",
            "2026-10",
            "--sections",
            "summary",
            "--jobs",
            "1",
        ]
    )
    assert code == 0
    files = sorted(path.name for path in out.iterdir())
    assert f"{SHOWCASE} review.pdf" in files
    assert f"Wrote {len(files)} of {len(files)} decks for Isla Patel" in capsys.readouterr().out


def test_starting_portfolio_does_not_load_the_deck_engine():
    """Regression: ``portfolio/cli/deck.py`` imported the engine at module level, and every
    start of the app (which builds the whole parser) paid about 0.09 s for reportlab."""
    code = (
        "import sys\n"
        "from portfolio.cli import build_parser\n"
        "build_parser()\n"
        "heavy = ('reportlab', 'pptx', 'portfolio.decks.build', 'portfolio.decks.book')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT_DIR, check=True
    )
    assert "LOADED []" in result.stdout
