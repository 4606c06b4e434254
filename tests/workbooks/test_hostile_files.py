"""Files built to break a reader: each is refused with a clear message, before the
parser inflates anything, and the portfolio is left exactly as it was."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from portfolio.errors import PortfolioError
from portfolio.imports.importer import run_import
from portfolio.imports.package import UnsafeFileError
from portfolio.imports.plan import ImportOptions
from portfolio.imports.sources import SourceError
from portfolio.model import BudgetLine, JournalEntry


@pytest.fixture
def db(demo_sqlite):
    return demo_sqlite


def _unchanged(db) -> tuple:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(BudgetLine)),
            session.scalar(select(func.sum(BudgetLine.version))),
            session.scalar(select(func.count()).select_from(JournalEntry)),
        )


def _valid_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget lines"
    sheet.append(["Client", "Campaign", "Month", "Spend forecast"])
    sheet.append(["Nobody", "Nothing", "2026-07", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The package with some parts' contents replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
    return out.getvalue()


def _refused(db, path: Path, kind: str | None = None) -> str:
    before = _unchanged(db)
    with pytest.raises(PortfolioError) as error:
        run_import(db, path, ImportOptions(), kind=kind)
    assert _unchanged(db) == before
    message = str(error.value)
    assert "\n" not in message and path.name in message
    return message


def test_wrong_kinds_of_file(db, tmp_path):
    pdf = tmp_path / "budget.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert "it is a PDF document" in _refused(db, pdf)
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "Excel 97-2003" in _refused(db, xls)
    text = tmp_path / "lines.xlsx"
    text.write_text("Client,Campaign\n")
    assert "import it as csv" in _refused(db, text)
    workbook = tmp_path / "lines.csv"
    workbook.write_bytes(_valid_workbook())
    assert "not a CSV text file: it is a zip archive" in _refused(db, workbook, "csv")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "is empty" in _refused(db, empty)
    other_zip = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    assert "not an Excel workbook (no xl/workbook.xml)" in _refused(db, other_zip)


def test_a_corrupt_zip(db, tmp_path):
    data = _valid_workbook()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "is damaged" in _refused(db, path)
    flipped = bytearray(data)
    middle = data.index(b"xl/worksheets/sheet1.xml") + 40
    flipped[middle : middle + 64] = b"\x00" * 64
    path.write_bytes(bytes(flipped))
    message = _refused(db, path)
    assert "damaged" in message or "cannot be read" in message


def test_a_zip_bomb_is_refused_from_its_directory(db, tmp_path):
    """32 MB of zeros compress a thousand times; the ratio alone gives it away."""
    data = _rewrite(_valid_workbook(), {"xl/worksheets/sheet1.xml": b"\x00" * (32 * 1024**2)})
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    assert "zip bomb" in _refused(db, path)


def test_a_directory_that_declares_gigabytes_is_refused(db, tmp_path):
    """A central directory lying about sizes: refused before any byte is inflated."""
    data = bytearray(_valid_workbook())
    name = b"xl/worksheets/sheet1.xml"
    entry = data.rfind(b"PK\x01\x02", 0, data.rindex(name))
    struct.pack_into("<I", data, entry + 24, 0xFFFF_FFF0)  # uncompressed size
    path = tmp_path / "huge.xlsx"
    path.write_bytes(bytes(data))
    assert "would inflate to" in _refused(db, path)


def test_xml_entity_expansion_is_refused(db, tmp_path):
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}'.encode()
            + (f"&lol{i - 1};" * 9).encode()
            + b'">'
            for i in range(1, 10)
        )
        + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>&lol9;</t></si></sst>"
    )
    source = _valid_workbook()
    book = zipfile.ZipFile(io.BytesIO(source))
    workbook_xml = book.read("xl/workbook.xml")
    data = _rewrite(source, {"xl/workbook.xml": laughs[: laughs.index(b"<sst")] + workbook_xml})
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(data)
    assert "entity expansion" in _refused(db, path)


def test_a_sheet_that_claims_a_million_columns(db, tmp_path):
    """Cells far beyond column XFD and a dimension to match: a clear refusal, no padding
    of rows to a million cells."""
    source = _valid_workbook()
    sheet = zipfile.ZipFile(io.BytesIO(source)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:BGQCV2"/>')
    sheet = sheet.replace(b"</row></sheetData>", b'<c r="BGQCV2"><v>1</v></c></row></sheetData>')
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_rewrite(source, {"xl/worksheets/sheet1.xml": sheet}))
    assert "cannot be read" in _refused(db, path)


def test_csv_with_a_line_of_a_million_columns(db, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("Client,Campaign,Month\n" + "," * 2_000_000 + "\n")
    with pytest.raises(SourceError, match="longer than 1024 KB"):
        run_import(db, path, ImportOptions())


def test_a_csv_that_is_not_text(db, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"Client,Campaign\x00\x01\x02\n")
    with pytest.raises(UnsafeFileError, match="binary file"):
        run_import(db, path, ImportOptions())
