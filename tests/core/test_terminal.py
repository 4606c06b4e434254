"""Names and file contents reach the terminal with their control characters shown
escaped, so a crafted name cannot send escape sequences. (Issue 12.)"""

from __future__ import annotations

import sqlite3

from portfolio.cli.terminal import escape, one_line
from tests.conditions import portfolio_cli
from tests.conftest import copy_demo

EVIL = "Evil\x1b]0;pwned\x07 Co\x1b[2J\u202eslx.exe"
SHOWN = "Evil\\x1b]0;pwned\\x07 Co\\x1b[2J\\u202eslx.exe"


def evil_book(demo_file, tmp_path):
    db = copy_demo(demo_file, tmp_path / "book.sqlite3")
    connection = sqlite3.connect(db)
    connection.execute(
        "UPDATE client SET name = ? WHERE id = (SELECT MIN(id) FROM client)", (EVIL,)
    )
    connection.commit()
    connection.close()
    return db


def raw(text: str) -> bool:
    return any(ch in text for ch in ("\x1b", "\x07", "\u202e"))


def test_escape_keeps_lines_and_one_line_keeps_one():
    assert escape("a\x1bb\nc\td\x9b") == "a\\x1bb\nc\td\\x9b"
    assert one_line("a\nb\r\u2066c") == "a\\x0ab\\x0d\\u2066c"


def test_a_name_with_escape_sequences_is_shown_escaped_in_a_table(demo_file, tmp_path):
    db = evil_book(demo_file, tmp_path)
    result = portfolio_cli("variance", "--by", "client", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert SHOWN in result.stdout and not raw(result.stdout)


def test_an_error_naming_it_is_one_escaped_line(demo_file, tmp_path):
    db = evil_book(demo_file, tmp_path)
    result = portfolio_cli("summary", "--client", "No\x1b[2J\nbody", "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and not raw(result.stderr)
    assert "No\\x1b[2J\\nbody" in result.stderr  # the message quotes it with repr()


def test_refused_rows_of_an_import_are_escaped(demo_file, tmp_path):
    db = copy_demo(demo_file, tmp_path / "book.sqlite3")
    changes = tmp_path / "changes.csv"
    changes.write_text(f'Client,Campaign,Month,Spend forecast\n"{EVIL}",X,2026-07,1\n')
    result = portfolio_cli("import", "csv", str(changes), "--db", str(db))
    assert result.returncode == 1
    assert SHOWN in result.stdout and not raw(result.stdout + result.stderr)


def test_csv_to_a_pipe_is_the_data_exactly(demo_file, tmp_path):
    db = evil_book(demo_file, tmp_path)
    result = portfolio_cli("variance", "--by", "client", "--format", "csv", "--db", str(db))
    assert result.returncode == 0 and EVIL in result.stdout
