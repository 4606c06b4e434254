"""Nothing left behind: the partial files of killed runs say what they are, and the next
run of the same kind into that folder removes them. (Issue 12: killed exports and demo
runs left hidden ``.partial`` files as large as the output, never cleaned up.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from portfolio.files import remove_abandoned
from tests.conditions import ROOT_DIR, portfolio_cli


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".incomplete-" in p.name)


def kill_when(process: subprocess.Popen, folder: Path, timeout: float = 60) -> list[str]:
    """``kill -9`` the process as soon as its partial file shows in ``folder``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = partials(folder)
        if found:
            time.sleep(0.2)  # let it write a little
            process.send_signal(signal.SIGKILL)
            process.wait()
            return partials(folder)
        time.sleep(0.005)
    process.kill()
    raise AssertionError("the run ended before its partial file was seen")


def test_a_killed_export_is_cleaned_up_by_the_next_export(demo_file, tmp_path):
    target = tmp_path / "book.xlsx"
    script = textwrap.dedent(
        f"""
        import time
        from portfolio.files import atomic_output
        with atomic_output({str(target)!r}) as temporary:
            temporary.write_bytes(b"half a workbook" * 1000)
            time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT_DIR)
    [left] = kill_when(child, tmp_path)
    assert left.startswith(".book.xlsx.incomplete-export.") and left.endswith(".xlsx.partial")

    result = portfolio_cli("export", "xlsx", "-o", str(target), "--db", str(demo_file))

    assert result.returncode == 0, result.stderr
    assert partials(tmp_path) == [] and target.stat().st_size > 10_000


def test_a_killed_demo_is_cleaned_up_by_the_next_demo(tmp_path):
    target = tmp_path / "demo.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-m", "portfolio", "demo", str(target), "--clients", "400"],
        cwd=ROOT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    left = kill_when(child, tmp_path)
    assert left and all(".demo.sqlite3.incomplete-demo." in name for name in left)
    assert not target.exists()

    result = portfolio_cli("demo", str(target), "--clients", "2")

    assert result.returncode == 0, result.stderr
    assert partials(tmp_path) == [] and target.exists()


def test_a_running_writers_partial_file_is_left_alone(tmp_path):
    """Only a dead process's partial file is abandoned; a live one is still being written."""
    live = tmp_path / f".book.xlsx.incomplete-export.{_host()}-{os.getpid()}-abc123.xlsx.partial"
    live.write_bytes(b"being written")
    assert remove_abandoned(tmp_path, "export") == []
    assert remove_abandoned(tmp_path, "demo") == [] and live.exists()


def _host() -> str:
    from portfolio.files import _host as host

    return host()
