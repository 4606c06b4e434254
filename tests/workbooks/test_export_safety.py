"""Writing a workbook never leaves half a file, never clobbers the previous one, and
explains a target it cannot write."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from portfolio.exports.request import workbook_request
from portfolio.exports.workbook import export_workbook
from portfolio.files import OutputError
from portfolio.jobs import Cancelled, Job
from portfolio.storage import open_database
from tests.conftest import AS_OF, TODAY


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable even for root (immutable flag), else by permissions."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        done = chattr and subprocess.run([chattr, "+i", str(path)], check=False).returncode == 0
        if not done:
            pytest.skip("cannot make a file read-only for root here (no chattr +i)")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def _openpyxl_scratch() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("openpyxl.")}


@pytest.fixture
def book(workbook_db):
    db = open_database(workbook_db)
    with db.session() as session:
        request = workbook_request(session, as_of=AS_OF, today=TODAY, period="all")
    yield db, request
    db.close()


def test_cancel_mid_sheet_keeps_the_previous_file_and_leaves_no_scratch(book, tmp_path):
    db, request = book
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"last week's workbook")
    scratch_before = _openpyxl_scratch()
    seen: list[str] = []

    def on_progress(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith("Budget lines:"):
            job.cancel()

    job = Job(on_progress)
    with pytest.raises(Cancelled):
        export_workbook(db, target, request, job)
    assert any(message.startswith("Budget lines:") for message in seen)
    assert target.read_bytes() == b"last week's workbook"
    assert [path.name for path in tmp_path.iterdir()] == ["book.xlsx"]
    assert _openpyxl_scratch() == scratch_before


def test_progress_runs_from_zero_to_one(book, tmp_path):
    db, request = book
    fractions: list[float] = []
    export_workbook(db, tmp_path / "out.xlsx", request, Job(lambda f, _m: fractions.append(f)))
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)


def test_read_only_folder_is_explained_and_nothing_written(book, tmp_path):
    db, request = book
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder), pytest.raises(OutputError, match="folder is read-only"):
        export_workbook(db, folder / "book.xlsx", request)
    assert list(folder.iterdir()) == []


def test_unreplaceable_target_is_explained_and_kept(book, tmp_path):
    db, request = book
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"open in Excel")
    with read_only(target), pytest.raises(OutputError, match=str(target)):
        export_workbook(db, target, request)
    assert target.read_bytes() == b"open in Excel"
    assert [path.name for path in tmp_path.iterdir()] == ["book.xlsx"]


def test_missing_folder_is_explained(book, tmp_path):
    db, request = book
    with pytest.raises(OutputError, match="does not exist"):
        export_workbook(db, tmp_path / "nowhere" / "book.xlsx", request)


def test_more_budget_lines_than_a_sheet_holds_is_refused_before_writing(
    book, tmp_path, monkeypatch
):
    from portfolio.exports import workbook

    db, request = book
    monkeypatch.setattr(workbook, "MAX_ROWS", 1000)  # the demo has about 8,000 lines
    with pytest.raises(workbook.WorkbookTooBigError, match="narrow the export"):
        export_workbook(db, tmp_path / "big.xlsx", request)
    assert list(tmp_path.iterdir()) == []
