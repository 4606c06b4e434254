"""Cells that hold no value to import: a formula saved without its result, an error.

Excel and LibreOffice save each formula's last result beside it, and the import reads
those results. A workbook written by a script often has formulas and no results: read
naively such a cell is blank, and importing it would clear the stored value it was
meant to set. ``portfolio.imports.sheet_reader`` marks those cells ``UNCOMPUTED`` as it
reads each row (whether or not the cell carries its optional ``r`` attribute) and error
cells (``#N/A``) as ``CellError``; the import refuses both by sheet, row and column.
"""

from __future__ import annotations

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


class CellError:
    """Stands in a row's values for a cell holding a spreadsheet error (``#N/A``,
    ``#DIV/0!``): the error is no value, and never read as text."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code

    def __repr__(self) -> str:
        return f"<error {self.code}>"

    def __str__(self) -> str:
        return self.code
