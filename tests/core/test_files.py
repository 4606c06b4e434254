"""Output files are whole or absent, and readable like any other file the user makes."""

import os
import stat

import pytest

from portfolio.errors import PortfolioError
from portfolio.files import write_atomically


def test_a_new_file_gets_the_usual_permissions_not_private_ones(tmp_path):
    mask = os.umask(0o022)
    try:
        target = write_atomically(tmp_path / "out.txt", lambda p: p.write_text("x"))
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_atomically(target, lambda p: p.write_text("new"))
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_failure_leaves_the_old_file_and_no_partial_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def broken(path):
        path.write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomically(target, broken)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_missing_folder_is_a_clear_message(tmp_path):
    with pytest.raises(PortfolioError, match="does not exist"):
        write_atomically(tmp_path / "nope" / "out.txt", lambda p: p.write_text("x"))
