"""Workbook figures (issue 4): the full workbook of the 1,000,000-line demo, a
100,000-row import, and the peak memory of both.

(a) Portfolio's full workbook (openpyxl write-only, rows streamed from SQL) against
    XlsxWriter's constant_memory mode writing the same cells, the practical floor for
    Python, and against ``pandas.read_sql`` + ``DataFrame.to_excel(engine="openpyxl")``
    of the budget lines alone, what an analyst would do.
(b) Importing a 100,000-row budget sheet (every tenth forecast edited) into a copy of
    the demo, against only reading the same sheet's values with openpyxl read-only.
(c) The peak resident memory of the processes doing (a) and (b).

Each measurement runs in a fresh process (``workbook_tasks``). The exports take
minutes each on a laptop, so they run once; the import and the read run twice and the
faster run counts.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.bench.common import Figure, big_demo, child

TASKS = "tests.bench.workbook_tasks"


def run() -> list[Figure]:
    demo = str(big_demo())
    scratch = Path(tempfile.mkdtemp(prefix="workbook-bench-"))
    try:
        return _figures(demo, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _figures(demo: str, scratch: Path) -> list[Figure]:
    figures: list[Figure] = []
    floor = child(TASKS, "open_only", demo)
    ours = child(TASKS, "export_ours", demo, str(scratch / "ours.xlsx"))
    floor_writer = child(TASKS, "export_xlsxwriter", demo, str(scratch / "xlsxwriter.xlsx"))
    figures.append(
        Figure(
            "workbook",
            f"(a) full workbook, {ours['lines']:,} budget lines, {ours['rows']:,} rows "
            f"({ours['bytes'] / 1e6:,.0f} MB)",
            ours["seconds"],
            "s",
            "XlsxWriter constant_memory, same cells",
            floor_writer["seconds"],
            "<= 2x",
            ours["seconds"] <= 2 * floor_writer["seconds"],
        )
    )
    pandas = child(TASKS, "export_pandas", demo, str(scratch / "pandas.xlsx"))
    figures.append(
        Figure(
            "workbook",
            "(a) full workbook vs an analyst's pandas export of the budget lines only",
            ours["seconds"],
            "s",
            f"pandas read_sql + to_excel(openpyxl) ({pandas['read_seconds']:.0f} s reading)",
            pandas["seconds"],
            "<= 0.5x (2x faster)",
            ours["seconds"] * 2 <= pandas["seconds"],
        )
    )

    sheet = scratch / "lines.xlsx"
    made = child(TASKS, "make_import_sheet", demo, str(sheet))
    imports = [child(TASKS, "import_ours", demo, str(sheet)) for _ in range(2)]
    reads = [child(TASKS, "read_bare", str(sheet)) for _ in range(2)]
    imported = min(imports, key=lambda r: r["seconds"])
    read = min(reads, key=lambda r: r["seconds"])
    assert imported["refused"] == 0 and imported["changed"] == made["edited"], imported
    figures.append(
        Figure(
            "workbook",
            f"(b) import {made['rows']:,}-row budget sheet ({imported['changed']:,} changed, "
            f"{imported['unchanged']:,} unchanged), best of 2",
            imported["seconds"],
            "s",
            "openpyxl read-only read of the same values",
            read["seconds"],
            "<= 1.3x",
            imported["seconds"] <= 1.3 * read["seconds"],
        )
    )
    for label, run, baseline_label, baseline in (
        ("(c) peak memory, full workbook export", ours, "XlsxWriter", floor_writer),
        ("(c) peak memory, 100,000-row import", imported, "bare read", read),
    ):
        figures.append(
            Figure(
                "workbook",
                label,
                run["peak_mb"],
                "MB",
                baseline_label,
                baseline["peak_mb"],
                "<= 300 MB",
                run["peak_mb"] <= 300,
            )
        )
    figures.append(
        Figure(
            "workbook",
            "(c) peak memory of pandas' export, for comparison",
            pandas["peak_mb"],
            "MB",
            "process that only opens the demo",
            floor["peak_mb"],
        )
    )
    return figures
