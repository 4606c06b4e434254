"""What the bundled app adds around ``main.main`` (``packaging/entry.py``) and its desktop entry.

The bundle itself is built and run by ``packaging/build.py --smoke`` (``.ci/run``); these
are the small rules it relies on, checked without building it.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import pytest

from tests.conftest import ROOT_DIR

PACKAGING = ROOT_DIR / "packaging"


def _entry():
    spec = importlib.util.spec_from_file_location("bundle_entry", PACKAGING / "entry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_double_clicked_portfolio_file_opens_as_db(tmp_path):
    entry = _entry()
    book = tmp_path / "Acme book.sqlite3"
    book.write_bytes(b"")
    assert entry.arguments([str(book)]) == ["--db", str(book)]
    # Anything else is the command line as typed: commands, options, missing files.
    assert entry.arguments(["demo"]) == ["demo"]
    assert entry.arguments([str(tmp_path / "missing.sqlite3")]) == [
        str(tmp_path / "missing.sqlite3")
    ]
    assert entry.arguments(["--db", str(book)]) == ["--db", str(book)]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no validator")
def test_the_linux_desktop_entry_is_valid_and_opens_sqlite_files():
    entry = PACKAGING / "linux" / "portfolio.desktop"
    result = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    assert "application/vnd.sqlite3" in entry.read_text(encoding="utf-8")
