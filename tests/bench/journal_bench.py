"""What the change journal costs: a 100,000-row import and a 1,000-edit loop, each with
the journal written against the same work without it (issue 9: at most 15 % more).

Runs alternate (without, with, without, with, ...) so a noisy neighbour hurts both
sides alike; each figure is the median of its runs.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

from tests.bench.common import Figure, big_demo, child

TASKS = "tests.bench.journal_tasks"
RUNS = 3


def _alternating(task: str, *args: str) -> tuple[dict, dict]:
    results: dict[str, list[dict]] = {"off": [], "on": []}
    for _ in range(RUNS):
        for journal in ("off", "on"):
            results[journal].append(child(TASKS, task, *args, journal))

    def median(runs: list[dict]) -> dict:
        return {**runs[0], "seconds": statistics.median(r["seconds"] for r in runs)}

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
                    "s",
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
                "s",
                "the same edits without the journal",
                off["seconds"],
                "<= 1.15x",
                on["seconds"] <= 1.15 * off["seconds"],
            )
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return figures
