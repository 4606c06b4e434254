"""Reading the rows of an .xlsx or .csv file, numbered as a spreadsheet shows them.

Both kinds of file become a list of ``Sheet`` objects whose ``rows`` yield ``(row
number, values)``, re-readable (a header search reads the top, the import reads on).
Reading is bounded whatever the file declares: at most ``MAX_COLUMNS`` columns are
read, row numbers stop at Excel's limit, and CSV lines longer than ``MAX_LINE`` are
refused. The file itself has been checked by ``portfolio.imports.package`` first.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.errors import PortfolioError
from portfolio.imports.encodings import EncodingUnknown, detect
from portfolio.imports.package import UnsafeFileError, check_csv, check_workbook
from portfolio.imports.sheet_reader import SheetRows, read_shared_strings

#: Columns read from any sheet: Portfolio's widest has 18.
MAX_COLUMNS = 256
#: The last row a spreadsheet can have.
MAX_ROW = 1_048_576
#: Longest CSV line accepted (a line of a million empty columns is refused).
MAX_LINE = 1024 * 1024
CSV_DELIMITERS = ",;\t|"


class SourceError(PortfolioError):
    pass


@dataclass
class Sheet:
    title: str
    #: Reads ``(row number, values)`` of the rows from a given row number on.
    _read: Callable[[int], Iterator[tuple[int, tuple]]]
    #: Rows the file says it holds (for progress only; never trusted for reading).
    estimated_rows: int | None = None
    #: The sheet is hidden in the workbook.
    hidden: bool = False
    #: Row numbers hidden in the sheet, filled in as its rows are read.
    hidden_rows: set[int] = field(default_factory=set)
    #: Whether the sheet has an active filter, known once its rows are read.
    _filtered: Callable[[], bool] = lambda: False
    #: Set by a reader of the rows to hear how far a long stretch without rows (blank
    #: lines skipped in bulk) has got, as a share of the file (0..1).
    watch: Callable[[float], None] | None = None

    @property
    def filtered(self) -> bool:
        return self._filtered()

    def rows(self, first: int = 1) -> Iterator[tuple[int, tuple]]:
        """``(row number, values)`` from row ``first`` on, for the rows the file holds
        (rows it leaves out are not made up; blank rows it holds are included).

        A formula cell without a saved result reads as ``UNCOMPUTED``, an error cell as
        a ``CellError``, a percent-formatted number as a ``CellPercent``.
        """
        for number, values in self._read(first):
            if number > MAX_ROW:
                raise SourceError(f"sheet {self.title!r} goes past row {MAX_ROW:,}")
            yield number, values


@dataclass
class Source:
    path: Path
    kind: str
    sheets: list[Sheet]
    notes: list[str]


@contextmanager
def open_source(path: str | Path, kind: str, encoding: str | None = None) -> Iterator[Source]:
    """The sheets of ``path`` read as ``kind`` (``xlsx`` or ``csv``), checked first.

    ``encoding`` (a Python codec name) overrides what ``portfolio.imports.encodings``
    tells from a CSV file's bytes.
    """
    path = Path(path).expanduser()
    if kind == "xlsx":
        with _workbook(path) as source:
            yield source
    elif kind == "csv":
        yield _csv(path, encoding)
    else:
        raise SourceError(f"cannot import {kind!r} files (use xlsx or csv)")


def _load_book(path: Path):
    """The workbook's parts through openpyxl (read-only), with the shared strings read by
    ``sheet_reader`` so that their ``_xHHHH_`` escapes are decoded faithfully."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = read_shared_strings(source)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


@contextmanager
def _workbook(path: Path) -> Iterator[Source]:
    check_workbook(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions, default styles
            book = _load_book(path)
    except UnsafeFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged package
        raise SourceError(f"{path.name} cannot be read as a workbook: {_reason(error)}") from None
    try:
        sheets = []
        for worksheet in book.worksheets:
            if not hasattr(worksheet, "reset_dimensions"):
                continue  # a chart sheet
            declared = worksheet.max_row
            estimate = min(declared, MAX_ROW) if declared else None
            rows = SheetRows(book, worksheet, worksheet._shared_strings, MAX_COLUMNS)
            sheets.append(
                Sheet(
                    worksheet.title,
                    _sheet_reader(path, worksheet.title, rows),
                    estimate,
                    hidden=worksheet.sheet_state != "visible",
                    hidden_rows=rows.hidden_rows,
                    _filtered=lambda rows=rows: rows.filtered,
                )
            )
        yield Source(path, "xlsx", sheets, [])
    finally:
        book.close()


def _sheet_reader(path: Path, title: str, sheet: SheetRows):
    def read(first: int) -> Iterator[tuple[int, tuple]]:
        try:
            yield from sheet.rows(first)
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise SourceError(
                f"{path.name}, sheet {title!r} cannot be read: {_reason(error)}"
            ) from None
        except Exception as error:
            if type(error).__module__.startswith(("defusedxml", "xml")):
                raise SourceError(
                    f"{path.name}, sheet {title!r} has unsafe or broken XML: {_reason(error)}"
                ) from None
            raise

    return read


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


def _csv(path: Path, chosen: str | None = None) -> Source:
    check_csv(path)
    if chosen:
        try:
            encoding = codecs.lookup(chosen).name
        except LookupError:
            raise SourceError(f"{chosen!r} is not an encoding Python knows") from None
        notes = [f"{path.name} read as {encoding}, as chosen"]
    else:
        try:
            found = detect(path)
        except EncodingUnknown as error:
            raise SourceError(str(error)) from None
        encoding = found.codec
        notes = [found.note] if found.note else []
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(64 * 1024)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        # No pattern over the sample (quoted fields over several lines): the delimiter
        # the first line (the header, or a title) uses most.
        first = next((line for line in sample.splitlines() if line.strip()), "")
        delimiter = max(CSV_DELIMITERS, key=lambda mark: (first.count(mark), mark == ","))

    def read(first: int) -> Iterator[tuple]:
        with path.open(encoding=encoding, newline="") as handle:
            lines = _Lines(handle, path, delimiter, sheet.watch)
            reader = csv.reader(lines, delimiter=delimiter)
            try:
                for records, row in enumerate(reader, 1):
                    number = records + lines.skipped  # a blank line is a row too
                    if number >= first:
                        yield (
                            number,
                            tuple(value if value.strip() else None for value in row[:MAX_COLUMNS]),
                        )
            except csv.Error as error:
                raise SourceError(
                    f"{path.name}, line {lines.number}: not readable as CSV ({error})"
                ) from None
            except UnicodeDecodeError:
                raise SourceError(
                    f"{path.name}, near line {lines.number}: bytes that are not {encoding}; "
                    "save the file as CSV UTF-8"
                ) from None

    lines = max(sample.count("\n"), 1)
    estimate = int(path.stat().st_size / max(len(sample.encode(encoding)) / lines, 1))
    sheet = Sheet(path.stem, read, estimate)
    return Source(path, "csv", [sheet], notes)


#: Characters read from a CSV file at a time.
CHUNK = 1 << 20
_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


class _Lines:
    """The lines of a CSV file for ``csv.reader``, bounded and quick over blank ones.

    Lines longer than ``MAX_LINE`` are refused. Lines holding nothing but delimiters and
    spaces outside a quoted field (a sheet saved with a million empty rows) are not
    handed to the CSV parser: a run of them is skipped at the speed of ``str.strip``
    and counted in ``skipped``, so that rows keep their numbers. Lines end at ``\n``,
    ``\r\n`` or ``\r``, as the CSV module reads them.
    """

    def __init__(
        self,
        handle: io.TextIOBase,
        path: Path,
        delimiter: str,
        watch: Callable[[float], None] | None = None,
    ) -> None:
        #: Called with the share of the file read after each chunk.
        self.watch = watch
        self.size = max(path.stat().st_size, 1)
        self.handle = handle
        self.path = path
        self.blank = delimiter + " \t\r\n"
        #: Blank lines skipped so far, and lines read in all.
        self.skipped = 0
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        carry = ""
        quoted = False
        blank = self.blank
        while True:
            chunk = self.handle.read(CHUNK)
            text = carry + chunk
            if not chunk:
                body, carry = text, ""
            else:
                # Up to the last line end that is not the text's last character (a
                # "\r" there may be the first half of "\r\n").
                end = max(text.rfind("\n", 0, len(text) - 1), text.rfind("\r", 0, len(text) - 1))
                end += 1
                if end and text[end - 1] == "\r" and text[end] == "\n":
                    end += 1
                body, carry = text[:end], text[end:]
                if len(carry) > MAX_LINE:
                    self._too_long(self.number + body.count("\n") + 1)
            if body:
                if not quoted and not body.strip(blank):
                    count = body.count("\n") + body.count("\r") - body.count("\r\n")
                    count += body[-1] not in "\r\n"
                    self.skipped += count
                    self.number += count
                else:
                    for line in _LINE_END.split(body):
                        if not line:
                            continue
                        self.number += 1
                        if not quoted and not line.strip(blank):
                            self.skipped += 1
                            continue
                        if len(line) > MAX_LINE:
                            self._too_long(self.number)
                        if line.count('"') % 2:
                            quoted = not quoted
                        yield line
            if not chunk:
                return
            if self.watch is not None:
                self.watch(self.handle.buffer.tell() / self.size)

    def _too_long(self, number: int) -> None:
        raise SourceError(
            f"{self.path.name}, line {number} is longer than {MAX_LINE // 1024} KB; "
            "refused as unsafe"
        )
