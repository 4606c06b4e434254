"""Real failure conditions for tests: no mocks, the kernel and SQLite say no themselves.

* ``unprivileged()``: a command prefix that runs a process as a user who cannot write
  what it does not own. Tests run as root, and root ignores file permissions; the
  prefix drops the capabilities that let it (``setpriv``: CAP_DAC_OVERRIDE,
  CAP_DAC_READ_SEARCH, CAP_FOWNER), so a 0444 file owned by ``nobody`` is as read-only
  for it as for any user. (Switching to ``nobody`` itself is not possible here: the
  interpreter lives under /root, which only root may enter.)
* ``owned_by_nobody(path, mode)``: the file or folder that such a process may not write.
* ``small_disk(folder, size)``: a tmpfs of ``size`` bytes mounted on ``folder`` (a disk
  that fills up, or with ``read_only=True`` after filling, a drive that refuses writes).
* ``write_lock_held(path)``: a second process holding an SQLite portfolio's write lock.

Each skips the test with its reason when this machine cannot provide the condition.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT_DIR = Path(__file__).resolve().parents[1]
NOBODY = 65534
DROPPED = "-dac_override,-dac_read_search,-fowner"


def unprivileged() -> list[str]:
    """A prefix for ``subprocess`` argv: the process cannot override file permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file-permission override")
    return [setpriv, "--bounding-set", DROPPED, "--"]


def owned_by_nobody(path: Path, mode: int) -> None:
    """``chmod mode``, and as root also hand ``path`` to nobody (so the owner's bits
    do not apply to the unprivileged process, which is still uid 0)."""
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
    path.chmod(mode)


def portfolio_cli(*argv: str, env: dict | None = None, as_user: bool = False, timeout=120):
    """Run ``python -m portfolio argv`` from this checkout; return the CompletedProcess."""
    prefix = unprivileged() if as_user else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "portfolio", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT_DIR,
        env={**os.environ, "PYTHONPATH": str(ROOT_DIR), **(env or {})},
        timeout=timeout,
        check=False,
    )


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes on ``folder`` (created); unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip() or 'not root'})")
    try:
        yield folder
    finally:
        unmount(folder)


def unmount(folder: Path) -> None:
    if os.path.ismount(folder):
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system of ``folder`` until at most ``leave`` bytes are free."""
    filler = folder / "filler.bin"
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as handle:
        remaining = max(0, free - leave)
        chunk = b"\0" * (1 << 20)
        try:
            while remaining > 0:
                handle.write(chunk[: min(len(chunk), remaining)])
                remaining -= min(len(chunk), remaining)
            handle.flush()
        except OSError:
            pass
    return filler


@contextmanager
def write_lock_held(path: Path) -> Iterator[subprocess.Popen]:
    """Another process holds ``path``'s write lock (``BEGIN IMMEDIATE``) until the block
    ends or ``release(holder)`` is called."""
    script = textwrap.dedent(
        f"""
        import sqlite3, sys, time
        connection = sqlite3.connect({str(path)!r}, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        sys.stdin.readline()
        connection.execute("ROLLBACK")
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        release(holder)


def release(holder: subprocess.Popen) -> None:
    if holder.poll() is None:
        try:
            holder.stdin.write("\n")
            holder.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
        try:
            holder.wait(10)
        except subprocess.TimeoutExpired:
            holder.kill()
