"""Formula cells: their saved result is imported; a formula saved without one (as
scripts write them) is refused by sheet, row and column, never read as a blank that
would clear the stored value."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from sqlalchemy import select

from portfolio.imports.formulas import UNCOMPUTED
from portfolio.imports.importer import preview_import, run_import
from portfolio.imports.plan import ImportOptions
from portfolio.imports.sources import open_source
from portfolio.model import BudgetLine, Campaign, Client
from tests.workbooks.conftest import stored_line


def _write(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _store_result(path: Path, cell: str, result: str) -> None:
    """Give one formula cell a saved result, as Excel or LibreOffice would on saving."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    pattern = rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?'
    xml, found = re.subn(pattern, rf"\1<v>{result}</v>", xml)
    assert found == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _uncomputed(path: Path) -> dict[int, list[int]]:
    with open_source(path, "xlsx") as source:
        (sheet,) = source.sheets
        return {
            number: [index for index, value in enumerate(values) if value is UNCOMPUTED]
            for number, values in sheet.rows()
            if UNCOMPUTED in values
        }


def test_formula_cells_without_a_result_are_found_by_sheet_row_and_column(tmp_path):
    path = _write(
        tmp_path / "f.xlsx",
        [["a", "b", "c"], [1, "=A2*2", "=A2+1"], ["x", None, "=B2"], [None] * 2 + ["=1+1"]],
    )
    _store_result(path, "C2", "2")
    assert _uncomputed(path) == {2: [1], 3: [2], 4: [2]}


def test_formula_cells_are_found_when_cells_carry_no_reference(tmp_path):
    """Regression: the r attribute of <c> and <row> is optional; a cell written without
    one was not found and its missing result read as a blank."""
    path = _write(
        tmp_path / "bare.xlsx",
        [["a", "b", "c"], [1, "=A2*2", "=A2+1"], ["x", None, "=B2"]],
    )
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = re.sub(r'<c r="[A-Z]+[0-9]+"', "<c", xml)
    xml = re.sub(r'<row r="[0-9]+"', "<row", xml)
    xml = xml.replace("<c><v></v></c>", "")  # the blank B3, as a writer would omit it
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    assert ' r="' not in xml.split("<sheetData>")[1]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    found = _uncomputed(path)
    assert found[2] == [1, 2]
    assert 3 in found


def test_a_formula_without_its_result_is_refused_and_nothing_changes(book, tmp_path):
    db, client, (first, second), _ = book
    before = stored_line(db, client, first, 202607).spend_actual
    kept = stored_line(db, client, second, 202607).spend_actual
    assert before is not None
    path = _write(
        tmp_path / "scripted.xlsx",
        [
            ["Client", "Campaign", "Month", "Spend actual", "Spend forecast"],
            [client, first, "2026-07", "=1200+300", 1000],
            [client, second, "2026-07", 1500, 1000],
        ],
    )
    plan = preview_import(db, path, ImportOptions())
    assert [str(problem) for problem in plan.problems] == [
        "Budget, row 2, Spend actual: holds a formula whose result is not saved in the file; "
        "open and save the file in Excel or LibreOffice, or type the value"
    ]
    run_import(db, path, ImportOptions(good_rows_only=True))
    assert stored_line(db, client, first, 202607).spend_actual == before  # not cleared
    assert stored_line(db, client, second, 202607).spend_actual == 150000 != kept


def test_a_formula_with_its_saved_result_imports_the_result(book, tmp_path):
    db, client, (first, _), _ = book
    path = _write(
        tmp_path / "saved.xlsx",
        [["Client", "Campaign", "Month", "Spend actual"], [client, first, "2026-07", "=1200+300"]],
    )
    _store_result(path, "D2", "1500")
    plan = preview_import(db, path, ImportOptions())
    assert plan.problems == []
    run_import(db, path, ImportOptions())
    assert stored_line(db, client, first, 202607).spend_actual == 150000


def test_a_key_cell_that_is_an_uncomputed_formula_is_named_once(book, tmp_path):
    db, client, (first, _), _ = book
    path = _write(
        tmp_path / "key.xlsx",
        [
            ["Client", "Campaign", "Month", "Spend actual"],
            ['="' + client + '"', first, "2026-07", 1],
        ],
    )
    plan = preview_import(db, path, ImportOptions())
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Client")]
    assert "formula" in plan.problems[0].reason
    with db.session() as session:
        assert session.scalar(select(Client.id).where(Client.name == f'="{client}"')) is None
        assert session.scalar(select(Campaign.id).where(Campaign.name == first)) is not None
        assert session.scalar(select(BudgetLine.id).limit(1)) is not None
