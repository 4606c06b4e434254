"""What the change journal costs: a 100,000-row import and a 1,000-edit loop, each with
the journal written against the same work without it (issue 9: at most 15 % more).

Runs alternate (without, with, without, with, ...) so a noisy neighbour hurts both
sides alike; each figure is the median of its runs, in CPU seconds of the process (on a
shared machine wall time moves by more than the journal costs; CPU time much less), and
the edit loop is also counted in instructions with callgrind, which does not move.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench.common import ROOT, Figure, big_demo, child

TASKS = "tests.bench.journal_tasks"
RUNS = 3
#: Edits counted instruction by instruction (valgrind is slow).
COUNTED_EDITS = 200


def instructions(*args: str) -> int:
    """Instructions a fresh ``journal_tasks`` process executes, counted by callgrind:
    the same for the same work whatever else the machine is doing."""
    out = Path(tempfile.mkdtemp()) / "callgrind.out"
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            TASKS,
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    shutil.rmtree(out.parent, ignore_errors=True)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def _alternating(task: str, *args: str) -> tuple[dict, dict]:
    results: dict[str, list[dict]] = {"off": [], "on": []}
    for _ in range(RUNS):
        for journal in ("off", "on"):
            results[journal].append(child(TASKS, task, *args, journal))

    def median(runs: list[dict]) -> dict:
        return {**runs[0], "seconds": statistics.median(r["cpu"] for r in runs)}

    return median(results["on"]), median(results["off"])


def run() -> list[Figure]:
    demo = str(big_demo())
    scratch = Path(tempfile.mkdtemp())
    figures = []
    try:
        for every, label in ((10, "10,000 changed"), (1, "every row changed")):
            sheet = scratch / f"lines-{every}.xlsx"
            made = child(TASKS, "make_sheet", demo, str(sheet), str(every))
            on, off = _alternating("import_sheet", demo, str(sheet))
            figures.append(
                Figure(
                    "journal",
                    f"import of a {made['rows']:,}-row budget sheet ({label}), "
                    f"median of {RUNS}, journal written",
                    on["seconds"],
                    "CPU s",
                    "the same import without the journal",
                    off["seconds"],
                    "<= 1.15x",
                    on["seconds"] <= 1.15 * off["seconds"],
                )
            )
        on, off = _alternating("edit_loop", demo)
        figures.append(
            Figure(
                "journal",
                f"{on['edits']:,} cell edits, one action each, median of {RUNS}, journal written",
                on["seconds"],
                "CPU s",
                "the same edits without the journal",
                off["seconds"],
                "<= 1.15x",
                on["seconds"] <= 1.15 * off["seconds"],
            )
        )
        if shutil.which("valgrind"):
            # Wall time on a shared machine moves by more than the journal costs; counted
            # instructions do not. A run with no edits gives the start-up to subtract.
            start = instructions("edit_loop", demo, "off", "0")
            off = instructions("edit_loop", demo, "off", str(COUNTED_EDITS)) - start
            on = instructions("edit_loop", demo, "on", str(COUNTED_EDITS)) - start
            figures.append(
                Figure(
                    "journal",
                    f"{COUNTED_EDITS} cell edits, instructions (callgrind), journal written",
                    on / 1e6,
                    "M instructions",
                    "the same edits without the journal",
                    off / 1e6,
                    "<= 1.15x",
                    on <= 1.15 * off,
                )
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return figures
