"""Structural checks on an .xlsx package: the things that make Excel offer a "repair".

Excel is not available here; these checks cover what it is known to be strict about:
every part declared with a content type, relationships that point at parts that exist,
unique table ids and names whose columns match the header cells, valid defined names,
rows and cells in ascending order, and style ids that exist.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")
_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels_path not in archive.namelist():
        return {}
    root = ElementTree.fromstring(archive.read(rels_path))
    out = {}
    for rel in root.findall("rel:Relationship", NS):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target")
        resolved = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id")] = resolved
    return out


def check_package(path: Path) -> dict[str, list[str]]:
    """Assert the package is well formed; return sheet title -> table names."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
        overrides = {o.get("PartName").lstrip("/") for o in types.findall("ct:Override", NS)}
        defaults = {d.get("Extension") for d in types.findall("ct:Default", NS)}
        for name in names:
            if name.endswith("/") or name == "[Content_Types].xml":
                continue
            extension = name.rsplit(".", 1)[-1]
            assert name in overrides or extension in defaults, f"{name} has no content type"
        for part in overrides:
            assert part in names, f"content type declared for missing part {part}"

        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        xf_count = len(styles.find("m:cellXfs", NS))

        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        workbook_rels = _rels(archive, "xl/workbook.xml")
        sheets = workbook.findall("m:sheets/m:sheet", NS)
        titles = [sheet.get("name") for sheet in sheets]
        assert len(set(t.casefold() for t in titles)) == len(titles), "duplicate sheet names"
        for title in titles:
            assert len(title) <= 31 and not set(title) & set("[]:*?/\\"), title
        for defined in workbook.findall("m:definedNames/m:definedName", NS):
            name = defined.get("name")
            assert _NAME.match(name) and not _LOOKS_LIKE_CELL.match(name), name
            sheet_ref = (defined.text or "").split("!")[0].strip("'")
            assert sheet_ref in titles, f"defined name {name} refers to {defined.text}"

        table_ids: set[str] = set()
        table_names: set[str] = set()
        tables_by_sheet: dict[str, list[str]] = {}
        for sheet in sheets:
            part = workbook_rels[sheet.get(f"{{{NS['r']}}}id")]
            assert part in names, part
            sheet_rels = _rels(archive, part)
            for target in sheet_rels.values():
                assert target in names, f"{part} points at missing {target}"
            headers, table_rels = _check_rows(archive.open(part), xf_count)
            tables_by_sheet[sheet.get("name")] = []
            for rel_id in table_rels:
                table_root = ElementTree.fromstring(archive.read(sheet_rels[rel_id]))
                table_id, table_name = table_root.get("id"), table_root.get("displayName")
                assert table_id not in table_ids, f"duplicate table id {table_id}"
                assert table_name.casefold() not in table_names, f"duplicate table {table_name}"
                table_ids.add(table_id)
                table_names.add(table_name.casefold())
                columns = [
                    c.get("name") for c in table_root.findall("m:tableColumns/m:tableColumn", NS)
                ]
                assert len(columns) == len(set(columns))
                first, last = table_root.get("ref").split(":")
                width = (
                    _column_number(_CELL.match(last).group(1))
                    - _column_number(_CELL.match(first).group(1))
                    + 1
                )
                assert len(columns) == width, f"{table_name}: {len(columns)} columns for {width}"
                assert headers[: len(columns)] == columns, f"{table_name} header cells differ"
                tables_by_sheet[sheet.get("name")].append(table_name)
    return tables_by_sheet


def _check_rows(stream, xf_count: int) -> tuple[list[str], list[str]]:
    """Rows and cells ascending, style ids known.

    Returns the first row's inline text and the relationship ids of the sheet's tables.
    """
    last_row = 0
    widest = 0
    declared = None
    headers: list[str] = []
    tables: list[str] = []
    for _, element in ElementTree.iterparse(stream):
        if element.tag == f"{{{NS['m']}}}dimension":
            declared = element.get("ref").split(":")[-1]
        if element.tag == f"{{{NS['m']}}}tablePart":
            tables.append(element.get(f"{{{NS['r']}}}id"))
        if element.tag != f"{{{NS['m']}}}row":
            continue
        number = int(element.get("r"))
        assert number > last_row, f"row {number} after row {last_row}"
        last_column = 0
        for cell in element.findall("m:c", NS):
            match = _CELL.match(cell.get("r"))
            assert match and int(match.group(2)) == number, cell.get("r")
            column = _column_number(match.group(1))
            assert column > last_column, f"cell {cell.get('r')} out of order"
            last_column = column
            widest = max(widest, column)
            assert int(cell.get("s", "0")) < xf_count, f"unknown style in {cell.get('r')}"
            if number == 1:
                text = cell.find("m:is/m:t", NS)
                headers.append(text.text if text is not None else "")
        last_row = number
        element.clear()
    # The declared size must cover every cell: readers trust it.
    assert declared is not None, "no <dimension>"
    if last_row:
        match = _CELL.match(declared)
        assert int(match.group(2)) >= last_row and _column_number(match.group(1)) >= widest
    return headers, tables
