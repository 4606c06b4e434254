"""An openpyxl write-only worksheet whose rows Portfolio serialises itself.

openpyxl's write-only mode streams rows to a temporary file instead of holding them,
which keeps a million-row sheet in bounded memory. It still builds a ``Cell`` object per
value and infers each cell's type from its value, which costs about three quarters of
the export time and is what makes a string starting with ``=`` a formula. This sheet
keeps everything else of openpyxl (styles, tables, conditional formats, charts, the
package) and replaces only the row stream: rows arrive as XML written by
``portfolio.exports.cells`` from typed columns, which also lets a formula carry its
cached result.

It relies on two openpyxl internals, both stable since openpyxl 2.6: a write-only
sheet's ``_write_rows`` coroutine and ``WorksheetWriter.get_stream``. The workbook tests
read every exported sheet back, so a change there fails loudly.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Sequence

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from portfolio.exports.cells import Column, RowEncoder

#: Rows a worksheet can hold (Excel and LibreOffice alike).
MAX_ROWS = 1_048_576
#: Rows written to the stream at a time.
CHUNK = 2000

_HEAD = f'<worksheet xmlns="{SHEET_MAIN_NS}">'.encode()
#: Room for the sheet's size, written once the rows are known: readers use it to skip a
#: whole extra pass over the sheet (openpyxl's read-only mode does one without it).
_DIMENSION_ROOM = len('<dimension ref="A1:XFD1048576"/>') + 8


def _dimension(ref: str) -> bytes:
    text = f'<dimension ref="{ref}"'
    return (text + " " * (_DIMENSION_ROOM - len(text) - 2) + "/>").encode()


class _RawWriter(WorksheetWriter):
    """Writes the sheet's parts with ``tostring`` and hands its file to the row stream.

    The sheet's ``<dimension>`` must come second, before the rows, but is only known
    after them: a padded placeholder is written and overwritten at the end.
    """

    def get_stream(self):
        with open(self.out, "wb") as out:
            out.write(_HEAD)
            dimension_at = None
            try:
                while True:
                    element = yield
                    if element is True:
                        yield out
                    elif element is not None:
                        out.write(tostring(element))
                        if dimension_at is None:  # after <sheetPr>, the first part
                            dimension_at = out.tell()
                            out.write(_dimension("A1"))
            except GeneratorExit:
                pass
            out.write(b"</worksheet>")
            if dimension_at is not None:
                out.seek(dimension_at)
                out.write(_dimension(self.ws.used_range))


class StreamedSheet(WriteOnlyWorksheet):
    """A write-only sheet fed with typed rows; see the module docstring.

    Set widths and frozen panes first (``setup``): they precede the rows in the file.
    """

    def __init__(self, parent, title: str) -> None:
        super().__init__(parent, title)
        self.row_count = 0
        self.column_count = 0
        self._styles: dict[tuple[str | None, bool, bool, int], int] = {}

    # -- openpyxl hooks -------------------------------------------------------------

    def _get_writer(self) -> None:
        if self._writer is None:
            self._writer = _RawWriter(self)
            self._writer.write_top()

    def _write_rows(self):
        out = self._writer.xf.send(True)
        out.write(b"<sheetData>")
        try:
            while True:
                out.write((yield))
        except GeneratorExit:
            pass
        out.write(b"</sheetData>")
        self._writer.xf.send(None)

    # -- Portfolio's interface ------------------------------------------------------

    def setup(self, widths: Sequence[float], *, freeze: str | None = None) -> None:
        for index, width in enumerate(widths, 1):
            self.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self.freeze_panes = freeze

    def style_id(
        self, number_format: str | None, bold: bool = False, wrap: bool = False, size: int = 11
    ) -> int:
        """The workbook's id for a cell look, registered once."""
        key = (number_format, bold, wrap, size)
        found = self._styles.get(key)
        if found is None:
            cell = WriteOnlyCell(self)
            if number_format:
                cell.number_format = number_format
            if bold or size != 11:
                # Name the default font: a font without a name renders in a fallback face.
                cell.font = Font(name="Calibri", size=size, bold=bold)
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            found = self._styles[key] = cell.style_id if cell.has_style else 0
        return found

    def encoder(self, columns: Sequence[Column], first_column: int = 1) -> RowEncoder:
        return RowEncoder(columns, self.style_id, first_column)

    @property
    def used_range(self) -> str:
        """``A1:R1001``: the cells rows were written to (``A1`` for an empty sheet)."""
        if not self.row_count or not self.column_count:
            return "A1"
        return f"A1:{get_column_letter(self.column_count)}{self.row_count}"

    def write(
        self,
        encoder: RowEncoder,
        rows: Iterable[Sequence],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Append ``rows`` (values in ``encoder``'s column order); return how many.

        ``progress`` is called with the count so far after each chunk; it may raise
        ``Cancelled`` to stop.
        """
        self._start()
        written = 0
        chunk: list[str] = []
        number = self.row_count
        send = self._rows.send
        for row in rows:
            number += 1
            if number > MAX_ROWS:
                raise ValueError(f"sheet {self.title!r} would exceed {MAX_ROWS:,} rows")
            chunk.append(encoder.encode(row, number))
            written += 1
            if len(chunk) == CHUNK:
                send("".join(chunk).encode())
                chunk = []
                if progress is not None:
                    progress(written)
        if chunk:
            send("".join(chunk).encode())
        self.row_count = number
        if written:
            last_column = encoder.first_column + len(encoder.columns) - 1
            self.column_count = max(self.column_count, last_column)
        return written

    def skip(self, count: int = 1) -> None:
        """Leave ``count`` empty rows."""
        self.row_count += count

    def add_header_table(
        self, name: str, headers: Sequence[str], last_row: int, style: str = "TableStyleMedium2"
    ) -> Table:
        """An Excel table over rows 1..``last_row`` whose header row was written by hand.

        Write-only sheets cannot read their own header back, so the column names are
        given here; Excel wants at least one data row, so an empty table spans row 2.
        """
        last = max(last_row, 2)
        ref = f"A1:{get_column_letter(len(headers))}{last}"
        table = Table(displayName=name, ref=ref)
        table.tableColumns = [
            TableColumn(id=index, name=header) for index, header in enumerate(headers, 1)
        ]
        table.autoFilter = AutoFilter(ref=ref)
        table.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
        with warnings.catch_warnings():
            # openpyxl reminds write-only callers to name the columns: done above.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            self.add_table(table)
        return table

    def _start(self) -> None:
        self._get_writer()
        if self._rows is None:
            self._rows = self._write_rows()
            next(self._rows)

    def discard(self) -> None:
        """Drop the temporary file of an unfinished sheet (after a cancel or failure)."""
        if self._rows is not None:
            self._rows.close()
            self._rows = None
        writer = self._writer
        if writer is not None:
            writer.close()
            if os.path.exists(writer.out):
                os.remove(writer.out)
            if writer.out in ALL_TEMP_FILES:
                ALL_TEMP_FILES.remove(writer.out)
