"""Checks on a file before any parser touches it: is it what it claims, and is it safe?

A spreadsheet is untrusted input. Before openpyxl opens an .xlsx, the zip's directory is
read (it is small) and refused if it is not a workbook, is encrypted, declares more
data than a real workbook would hold, or compresses suspiciously well (a zip bomb:
a few kilobytes that inflate to gigabytes). Python's ``zipfile`` never inflates a member
beyond its declared size, so checking the declared sizes bounds memory and time. XML
parts that declare a DTD (the vehicle of entity-expansion attacks such as the "billion
laughs") are refused too; defusedxml, which openpyxl uses when installed, is the second
line of defence.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from portfolio.errors import PortfolioError

#: Everything one workbook may inflate to, and any single sheet.
MAX_TOTAL_BYTES = 3 * 1024**3
MAX_SHEET_BYTES = 2 * 1024**3
#: Parts that are read whole into memory (shared strings, styles, workbook).
MAX_PART_BYTES = 100 * 1024**2
#: A larger member inflating more than this many times its compressed size is a bomb.
#: Real sheets compress 5-30 times; deflate cannot do better than about 1030.
MAX_RATIO = 200
RATIO_FROM_BYTES = 8 * 1024**2
MAX_MEMBERS = 10_000
#: How much of each XML part's start is searched for a DTD (it must precede the root).
PROLOG_BYTES = 64 * 1024
#: A CSV file larger than this is refused before reading.
MAX_CSV_BYTES = 2 * 1024**3


class UnsafeFileError(PortfolioError):
    """The file is not a readable spreadsheet, or is built to harm its reader."""


@dataclass(frozen=True)
class Signature:
    kind: str
    description: str


_SIGNATURES = (
    (b"PK\x03\x04", Signature("zip", "a zip archive")),
    (b"PK\x05\x06", Signature("zip", "an empty zip archive")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Signature("ole", "an Excel 97-2003 (.xls) file")),
    (b"%PDF", Signature("pdf", "a PDF document")),
    (b"\x89PNG", Signature("image", "a PNG image")),
    (b"\xff\xd8\xff", Signature("image", "a JPEG image")),
    (b"SQLite format 3\x00", Signature("sqlite", "an SQLite database")),
    (b"\x1f\x8b", Signature("gzip", "a gzip archive")),
)


def sniff(path: Path) -> Signature:
    """What ``path`` looks like from its first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except IsADirectoryError:
        raise UnsafeFileError(f"{path} is a folder, not a file") from None
    except FileNotFoundError:
        raise UnsafeFileError(f"{path} does not exist") from None
    except OSError as error:
        raise UnsafeFileError(f"Cannot read {path}: {error.strerror}") from None
    if not head:
        return Signature("empty", "an empty file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):  # a byte order mark
        return Signature("text", "a text file")
    for magic, signature in _SIGNATURES:
        if head.startswith(magic):
            return signature
    if b"\x00" in head:
        return Signature(
            "binary",
            "a binary file (if it is UTF-16 text without a byte order mark, save it as CSV UTF-8)",
        )
    return Signature("text", "a text file")


def check_csv(path: Path) -> None:
    signature = sniff(path)
    if signature.kind == "empty":
        raise UnsafeFileError(f"{path.name} is empty")
    if signature.kind != "text":
        raise UnsafeFileError(f"{path.name} is not a CSV text file: it is {signature.description}")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise UnsafeFileError(
            f"{path.name} is larger than {MAX_CSV_BYTES // 1024**3} GB; split it before importing"
        )


def check_workbook(path: Path) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx package."""
    signature = sniff(path)
    if signature.kind == "empty":
        raise UnsafeFileError(f"{path.name} is empty")
    if signature.kind == "ole":
        raise UnsafeFileError(
            f"{path.name} is an Excel 97-2003 (.xls) file or an encrypted workbook; "
            "open it in Excel or LibreOffice and save it as .xlsx"
        )
    if signature.kind != "zip":
        hint = " (import it as csv)" if signature.kind == "text" else ""
        raise UnsafeFileError(
            f"{path.name} is not an Excel workbook (.xlsx): it is {signature.description}{hint}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_strict(path, archive, {member.filename for member in members})
            _check_members(path, members)
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    _check_prolog(path, archive, member)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise UnsafeFileError(f"{path.name} is damaged (not a readable zip: {error})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as error:
        raise UnsafeFileError(f"{path.name} cannot be read: {error}") from None


#: The namespaces of a workbook saved as "Strict Open XML Spreadsheet" (ISO/IEC 29500
#: Strict), which openpyxl and most tools cannot read.
_STRICT = (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"purl.oclc.org/ooxml/officeDocument")


def _check_strict(path: Path, archive: zipfile.ZipFile, names: set[str]) -> None:
    for part in ("xl/workbook.xml", "_rels/.rels"):
        if part in names:
            with archive.open(part) as stream:
                head = stream.read(PROLOG_BYTES)
            if any(namespace in head for namespace in _STRICT):
                raise UnsafeFileError(
                    f"{path.name} was saved as Strict Open XML: save it as an Excel Workbook "
                    "(.xlsx) and import that"
                )


def _check_members(path: Path, members: list[zipfile.ZipInfo]) -> None:
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeFileError(
            f"{path.name} is a zip archive but not an Excel workbook (no xl/workbook.xml)"
        )
    if len(members) > MAX_MEMBERS:
        raise UnsafeFileError(f"{path.name} holds {len(members):,} parts; refused as unsafe")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise UnsafeFileError(f"{path.name} is encrypted; save it without a password")
        size = member.file_size
        total += size
        is_sheet = member.filename.startswith("xl/worksheets/")
        limit = MAX_SHEET_BYTES if is_sheet else MAX_PART_BYTES
        if size > limit:
            raise UnsafeFileError(
                f"{path.name}: part {member.filename} would inflate to {size / 1024**2:,.0f} MB "
                f"(the limit is {limit / 1024**2:,.0f} MB); refused as unsafe"
            )
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(member.compress_size, 1):
            ratio = size / max(member.compress_size, 1)
            raise UnsafeFileError(
                f"{path.name}: part {member.filename} inflates {ratio:,.0f} times its size "
                "(a zip bomb?); refused as unsafe"
            )
    if total > MAX_TOTAL_BYTES:
        raise UnsafeFileError(
            f"{path.name} would inflate to {total / 1024**3:,.1f} GB; refused as unsafe"
        )


def _check_prolog(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    with archive.open(member) as stream:
        head = stream.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 XML
        head = head.decode("utf-16", "replace").encode()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeFileError(
            f"{path.name}: part {member.filename} declares a DTD or XML entities, which "
            "workbooks never need; refused as unsafe (entity expansion)"
        )
