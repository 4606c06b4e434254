"""The journal benchmark's work, each run in a fresh process:
``python -m tests.bench.journal_tasks TASK ARGS``; each prints one JSON object.

The same work is timed with the journal written and without it (``journal=False``,
which exists for this baseline only), so the figure is what the journal adds.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

#: Budget lines edited by the edit loop.
EDITS = 1000


def make_sheet(db_path: str, out: str, every: str) -> dict:
    """A 100,000-row budget sheet as exported with every ``every``-th forecast edited."""
    from tests.bench import workbook_tasks

    workbook_tasks.EDIT_EVERY = int(every)
    return workbook_tasks.make_import_sheet(db_path, out)


def _scratch_copy(db_path: str) -> Path:
    scratch = Path(tempfile.mkdtemp()) / "journal.sqlite3"
    shutil.copyfile(db_path, scratch)
    return scratch


def import_sheet(db_path: str, sheet: str, journal: str) -> dict:
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.storage import open_database

    scratch = _scratch_copy(db_path)
    database = open_database(scratch)
    _ = database.user  # who is working is read once, before the clock starts
    started, cpu = time.perf_counter(), time.process_time()
    result = run_import(database, sheet, ImportOptions(), journal=journal == "on")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    database.close()
    shutil.rmtree(scratch.parent)
    return {"seconds": seconds, "cpu": cpu, "changed": result.plan.changed}


def edit_loop(db_path: str, journal: str, edits: str = str(EDITS)) -> dict:
    """``edits`` cell edits as the app makes them: one action each, based on the version
    and value shown, of a different budget line each time."""
    from sqlalchemy import select

    from portfolio.actions import Action, Edit, perform
    from portfolio.model import BudgetLine
    from portfolio.storage import open_database

    scratch = _scratch_copy(db_path)
    database = open_database(scratch)
    _ = database.user
    with database.session() as session:
        lines = session.execute(
            select(BudgetLine.id, BudgetLine.version, BudgetLine.spend_forecast)
            .order_by(BudgetLine.id)
            .limit(max(int(edits), 1))
        ).all()[: int(edits)]
    started, cpu = time.perf_counter(), time.process_time()
    for line_id, version, forecast in lines:
        step = Edit(
            "budget_line",
            line_id,
            {"spend_forecast": forecast + 100},
            version=version,
            seen={"spend_forecast": forecast},
        )
        perform(database, Action("Edit Spend forecast", (step,)), journal=journal == "on")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    database.close()
    shutil.rmtree(scratch.parent)
    return {"seconds": seconds, "cpu": cpu, "edits": len(lines)}


if __name__ == "__main__":
    task, *arguments = sys.argv[1:]
    print(json.dumps(globals()[task](*arguments)))
