"""Portfolio's benchmarks: each figure against a baseline measured in the same run.

    python tests/bench/run.py [SECTION ...]

Sections: core (demo generation, variance roll-up), and whatever else is registered in
``SECTIONS``; ``stress`` runs an import, two editors and a reader against one portfolio
for five minutes and counts lost writes and unhandled errors; ``team`` runs the desktop
app on PostgreSQL behind a proxy that adds 20 ms per round trip. Timings are medians of
repeated runs; memory is the peak resident size of a fresh process doing only that work.
Targets are printed beside the figures, never asserted: these machines are shared and
noisy, so a benchmark informs, it does not fail.
"""

from __future__ import annotations

import importlib
import platform
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import Figure  # noqa: E402

#: Section name -> module with ``run() -> list[Figure]``.
SECTIONS = {
    "core": "tests.bench.core_bench",
    "ui": "tests.bench.ui_bench",
    "deck": "tests.bench.deck_bench",
    "workbook": "tests.bench.workbook_bench",
    "stress": "tests.bench.stress_bench",
    "journal": "tests.bench.journal_bench",
    "figures": "tests.bench.figures_bench",
    "offline": "tests.bench.offline_bench",
    "team": "tests.bench.team_bench",
}


def describe_machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def show(figures: list[Figure]) -> None:
    for figure in figures:
        line = f"  {figure.name}: {figure.value:.3f} {figure.unit}"
        if figure.baseline_value is not None:
            line += f"   baseline {figure.baseline}: {figure.baseline_value:.3f} {figure.unit}"
            if figure.ratio is not None:
                line += f"   ratio {figure.ratio:.2f}x"
        if figure.target:
            verdict = "" if figure.met is None else (" MET" if figure.met else " MISSED")
            line += f"   target {figure.target}{verdict}"
        print(line, flush=True)


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    unknown = [name for name in wanted if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
        return 2
    print(f"Machine: {describe_machine()}")
    for name in wanted:
        print(f"\n[{name}]", flush=True)
        module = importlib.import_module(SECTIONS[name])
        show(module.run())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
