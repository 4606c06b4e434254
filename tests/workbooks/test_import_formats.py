"""Formats named, not guessed; work bounded by the real rows; progress and Cancel.

CSV encodings are told apart or refused with their candidates; a Strict Open XML
workbook is named; a file whose used range reaches the last row or a CSV of many
blank lines costs time for its real rows only; progress reaches a log when stderr is
not a terminal; a cancelled import changes nothing."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from portfolio.cli import common, main
from portfolio.imports.encodings import EncodingUnknown, detect
from portfolio.imports.importer import preview_import, run_import
from portfolio.imports.package import UnsafeFileError
from portfolio.imports.plan import ImportOptions
from portfolio.imports.sources import SourceError, open_source
from portfolio.jobs import Cancelled, Job
from portfolio.model import JournalEntry
from tests.workbooks.conftest import stored_line


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("Client;Note\nGrünwald Santé Collective;ok\n", "cp1252", "cp1252"),
        ("Client;Note\nŁódzkie Ubezpieczenia S.A.;Świętokrzyskie\n", "cp1250", "cp1250"),
        ("Client;Note\nAcme;plain ASCII\n", "ascii", "utf-8-sig"),
        ("Client;Note\nZürich «Straße» – 5 €\n", "utf-8", "utf-8-sig"),
        ("Client\tNote\nΠοσειδών\tok\n", "utf-16", "utf-16"),
        ("Client;Note\nGrünwald\n", "utf-8-sig", "utf-8-sig"),
    ],
)
def test_encodings_that_can_be_told_apart_are(tmp_path, text, codec, expected):
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode(codec))
    assert detect(path).codec == expected


@pytest.mark.parametrize(
    ("text", "codec", "candidates"),
    [
        ("Client;Note\nSeñor Seguros;ok\n", "cp1252", ("Windows-1252", "Windows-1250")),
        ("Client;Note\nΠοσειδών Ασφαλιστική;ok\n", "cp1253", ("Windows-1253", "Windows-1251")),
    ],
)
def test_an_encoding_that_cannot_be_told_apart_is_refused_with_its_candidates(
    tmp_path, text, codec, candidates
):
    """Regression: every file that was not UTF-8 was read as Windows-1252, so 'Señor'
    written in a Central European code page came in as 'Seńor' without a word."""
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode(codec))
    with pytest.raises(EncodingUnknown) as refused:
        detect(path)
    message = str(refused.value)
    for candidate in candidates:
        assert candidate in message
    assert "Save it as CSV UTF-8" in message
    with pytest.raises(SourceError, match="cannot be told apart"):
        with open_source(path, "csv"):
            pass
    with open_source(path, "csv", encoding=codec) as source:
        rows = [values for _, values in source.sheets[0].rows()]
    assert rows[1][0] == text.splitlines()[1].split(";")[0]


def test_a_strict_open_xml_workbook_is_named(tmp_path):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(strict, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                )
            target.writestr(item, data)
    with pytest.raises(UnsafeFileError, match="saved as Strict Open XML: save it as an Excel"):
        with open_source(strict, "xlsx"):
            pass


def test_error_cells_are_refused_by_cell_not_read_as_text(book, tmp_path):
    db, client, (first, _), _ = book
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Client", "Campaign", "Month", "Spend actual"])
    sheet.append([client, first, "2026-07", "#N/A"])
    sheet["D2"].data_type = "e"
    path = tmp_path / "errors.xlsx"
    workbook.save(path)
    (problem,) = preview_import(db, path, ImportOptions()).problems
    assert (problem.row, problem.column) == (2, "Spend actual")
    assert problem.reason.startswith("holds the spreadsheet error #N/A")


def test_a_date_where_a_client_name_belongs_is_refused_naming_the_cell(book, tmp_path):
    """Regression: a name Excel turned into a date was looked up as '2026-03-26 00:00:00'."""
    import datetime as dt

    db, client, (first, _), _ = book
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Client", "Campaign", "Month", "Spend actual"])
    sheet.append([dt.datetime(2026, 3, 26), first, "2026-07", 1])
    sheet.append([client, 202607, "2026-07", 1])
    path = tmp_path / "names.xlsx"
    workbook.save(path)
    plan = preview_import(db, path, ImportOptions())
    found = {(p.row, p.column): p.reason for p in plan.problems}
    assert found[(2, "Client")].startswith("is a date (2026-03-26 00:00:00), not a client name")
    assert found[(3, "Campaign")].startswith("is a number (202607), not a campaign name")


def _blank_csv(path: Path, client: str, campaign: str, blank_lines: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Client;Campaign;Month;Spend actual\n")
        handle.write(f"{client};{campaign};2026-07;1.234,50\n")
        handle.write(";;;\n" * blank_lines)
        handle.write(f"{client};{campaign};2026-08;2.000,00\n")
    return path


def test_a_csv_of_blank_lines_costs_time_for_its_real_rows(book, tmp_path):
    """Blank lines (a sheet saved with its empty rows) are skipped in bulk, and the rows
    after them keep their numbers; a quoted field that spans blank-looking lines is
    kept whole."""
    db, client, (first, _), _ = book
    path = _blank_csv(tmp_path / "blank.csv", client, first, 1_000_000)
    started = time.perf_counter()
    plan = preview_import(db, path, ImportOptions())
    seconds = time.perf_counter() - started
    assert plan.problems == [] and plan.rows_read == 2 and plan.changed == 2
    assert [change.row for change in plan.changes] == [2, 1_000_003]
    assert seconds < 10

    quoted = tmp_path / "quoted.csv"
    quoted.write_bytes(
        (
            "Client;Campaign;Post-mortem\r\n;;\r\n"
            f'{client};{first};"first line\r\n;;\r\n\r\nlast line"\r\n;;\r\n'
            f"{client};nothing;\r"
        ).encode()
    )
    plan = preview_import(db, quoted, ImportOptions())
    (change,) = plan.changes
    assert change.row == 3
    assert change.values["post_mortem"] == "first line\r\n;;\r\n\r\nlast line"
    assert {p.row for p in plan.problems} == {5}


def test_cancel_during_a_long_read_changes_nothing(book, tmp_path):
    db, client, (first, _), _ = book
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Client;Campaign;Month;Spend actual\n")
        handle.write(f"{client};{first};2026-07;1.234,50\n" * 40_000)
    before = stored_line(db, client, first, 202607).spend_actual
    job = Job()
    calls = []

    def progress(fraction, message):
        calls.append(fraction)
        if len(calls) == 3:
            job.cancel()

    job._on_progress = progress
    with pytest.raises(Cancelled):
        run_import(db, path, ImportOptions(), job)
    assert len(calls) == 3
    assert stored_line(db, client, first, 202607).spend_actual == before
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def test_the_cli_reads_the_decimal_mark_and_skips_hidden_rows(demo_sqlite, tmp_path, capsys):
    from tests.workbooks.test_import_cli import _line_of_first_client

    db = str(demo_sqlite.path)
    client, campaign, month, _ = _line_of_first_client(demo_sqlite)
    path = tmp_path / "eu.csv"
    when = f"{month // 100}-{month % 100:02d}"
    path.write_text(f"Client;Campaign;Month;Spend forecast\n{client};{campaign};{when};16.700\n")
    assert main(["import", "csv", "--db", db, str(path), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "reads two ways" in out and "--decimal-comma" in out
    assert main(["import", "csv", "--db", db, str(path), "--decimal-point", "--dry-run"]) == 0
    assert "-> $16.70" in capsys.readouterr().out
    assert main(["import", "csv", "--db", db, str(path), "--decimal-comma"]) == 0
    assert _line_of_first_client(demo_sqlite)[3] == 1670000
    both = ["import", "csv", "--db", db, str(path), "--decimal-comma", "--decimal-point"]
    assert main(both) == 2
    capsys.readouterr()

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget lines"
    sheet.append(["Client", "Campaign", "Month", "Spend forecast"])
    sheet.append([client, campaign, when, 5])
    sheet.row_dimensions[2].hidden = True
    hidden = tmp_path / "hidden.xlsx"
    workbook.save(hidden)
    assert main(["import", "xlsx", "--db", db, str(hidden), "--skip-hidden"]) == 0
    out = capsys.readouterr().out
    assert "hidden: sheet 'Budget lines': row 2 is hidden: left out" in out
    assert _line_of_first_client(demo_sqlite)[3] == 1670000


def test_progress_reaches_a_log_when_stderr_is_not_a_terminal(
    demo_sqlite, tmp_path, capsys, monkeypatch
):
    from tests.workbooks.test_import_cli import _line_of_first_client

    client, campaign, _, _ = _line_of_first_client(demo_sqlite)
    path = _blank_csv(tmp_path / "long.csv", client, campaign, 20_000)
    monkeypatch.setattr(common, "LOG_EVERY", 0.0)
    main(["import", "csv", "--db", str(demo_sqlite.path), str(path), "--dry-run"])
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 2
    assert all(re.match(r"Importing: +\d+% .* \(\d+ s\)$", line) for line in lines), lines
