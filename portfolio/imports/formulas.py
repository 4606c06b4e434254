"""Formula cells that a workbook holds without their result.

Excel and LibreOffice save each formula's last result beside it, and the import reads
those results. A workbook written by a script often has formulas and no results: read
naively such a cell is blank, and importing it would clear the stored value it was
meant to set. ``uncomputed_cells`` finds those cells by scanning each sheet's XML (read
from the zip in chunks, so memory stays bounded) and the import refuses them by name.

Only the package's documented parts are used (``xl/workbook.xml`` and its
relationships), not openpyxl's internals, so this keeps working whatever openpyxl does.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from defusedxml import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OFFICE_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

#: What the import says of such a cell.
REASON = (
    "holds a formula whose result is not saved in the file; open and save the file in "
    "Excel or LibreOffice, or type the value"
)


class Uncomputed:
    """Stands in a row's values for a formula cell without a saved result."""

    def __repr__(self) -> str:
        return "<formula without a result>"

    def __str__(self) -> str:
        return ""


UNCOMPUTED = Uncomputed()

CHUNK = 1 << 20
#: Kept from one chunk to the next, so a cell cut by the boundary is seen whole: longer
#: than any cell (a formula is at most 8,192 characters, escaped at most 6 bytes each).
OVERLAP = 64 * 1024
_P = rb"(?:\w+:)?"
_CELL = re.compile(
    rb"<" + _P + rb"c\b([^>]*)>\s*"
    rb"<" + _P + rb"f\b(?:[^>]*/>|[^>]*>[^<]*</" + _P + rb"f>)\s*"
    rb"(<" + _P + rb"v\s*/>|<" + _P + rb"v>\s*</" + _P + rb"v>)?\s*"
    rb"</" + _P + rb"c>"
)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_TEXT_RESULT = re.compile(rb'\bt="str"')


def uncomputed_cells(path: Path) -> dict[str, dict[int, list[int]]]:
    """By sheet title: row number -> 0-based columns of formula cells with no result."""
    found: dict[str, dict[int, list[int]]] = {}
    with zipfile.ZipFile(path) as archive:
        for title, part in _sheet_parts(archive):
            cells = _scan(archive, part)
            if cells:
                found[title] = cells
    return found


def _sheet_parts(archive: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return
    relationships = rels.iter(f"{PACKAGE_RELS}Relationship")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships}
    names = set(archive.namelist())
    for sheet in book.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(f"{OFFICE_RELS}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if part in names:
            yield sheet.get("name", ""), part


def _scan(archive: zipfile.ZipFile, part: str) -> dict[int, list[int]]:
    cells: dict[int, set[int]] = {}
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            text = tail + chunk
            if b"<f" in text or b":f" in text:
                for match in _CELL.finditer(text):
                    attributes, result = match.group(1), match.group(2)
                    if result is not None and _TEXT_RESULT.search(attributes):
                        continue  # a formula whose result is the empty string
                    ref = _REF.search(attributes)
                    if ref is not None:
                        row = int(ref.group(2))
                        cells.setdefault(row, set()).add(_column_index(ref.group(1)))
            tail = text[-OVERLAP:]
    return {row: sorted(columns) for row, columns in cells.items()}


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1
