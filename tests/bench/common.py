"""What every benchmark section shares: the cached big demo, timing, child processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "bench-cache"
#: The big demo every section uses: 5,000 clients, about 1,000,000 budget lines.
BIG_CLIENTS = 5000
TODAY = dt.date(2026, 11, 23)
AS_OF = 202610


@dataclass
class Figure:
    section: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value


def big_demo() -> Path:
    """The 1,000,000-line demo, written once and reused by later runs."""
    from portfolio.demo import DemoSpec, write_demo

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{BIG_CLIENTS}.sqlite3"
    if not path.exists():
        print(f"building {path.name} (once) ...", file=sys.stderr)
        write_demo(path, DemoSpec(clients=BIG_CLIENTS, today=TODAY))
    return path


def median_time(function: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def child(module: str, task: str, *args: str) -> dict:
    """Run ``python -m module task args`` fresh; it prints one JSON object last."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", module, task, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM).

    Not ``getrusage().ru_maxrss``: Linux carries that across ``fork`` and ``exec``, so a
    child spawned by a big parent would report the parent's peak as its own.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
