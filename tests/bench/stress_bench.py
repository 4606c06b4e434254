"""Stress: an import in one process, two editors and a reader in others, for five minutes.

    python tests/bench/run.py stress          (PORTFOLIO_STRESS_SECONDS=60 for a short run)

On a private copy of a 400-client demo (about 80,000 budget lines), one process imports
a file that changes the forecast of 30,000 budget lines, then another that changes them
back, over and over, each import holding the write lock for seconds; two editors each
save an edit of a client's notes every 50 ms through the app's action (``portfolio.
actions.perform``: journalled, version-checked, ``Database.write``); a reader runs the
variance roll-up. Then the file is checked: every edit an editor was told was saved is
there (its journal entry holds its value, and the client's notes hold the last one),
and every budget line holds the
last imported file's value. Counted: writes attempted, saved, lost, refused (a one-line
``PortfolioError``, e.g. after the 30 s bound) and unhandled errors (anything else, or a
process that died). Targets: zero lost writes, zero unhandled errors. (Issue 12.)
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import CACHE, ROOT, TODAY, Figure

TASKS = "tests.bench.stress_tasks"
CLIENTS = 400
IMPORT_LINES = 30_000
EDITORS = 2
VALUES = (7, 8)


def seconds() -> float:
    return float(os.environ.get("PORTFOLIO_STRESS_SECONDS", "300"))


def stress_demo() -> Path:
    from portfolio.demo import DemoSpec, write_demo

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{CLIENTS}.sqlite3"
    if not path.exists():
        write_demo(path, DemoSpec(clients=CLIENTS, today=TODAY))
    return path


def forecasts_csv(db: Path, target: Path, value: int) -> Path:
    connection = sqlite3.connect(db)
    rows = connection.execute(
        "SELECT client.name, campaign.name, budget_line.month FROM budget_line"
        " JOIN campaign ON campaign.id = budget_line.campaign_id"
        " JOIN client ON client.id = campaign.client_id"
        f" ORDER BY budget_line.id LIMIT {IMPORT_LINES}"
    ).fetchall()
    connection.close()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Client", "Campaign", "Month", "Spend forecast"])
        for client, campaign, month in rows:
            writer.writerow([client, campaign, f"{month // 100}-{month % 100:02d}", value])
    return target


def _start(role: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", TASKS, role, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    if process.returncode != 0:
        return {"role": "?", "unhandled": {"process died": 1}, "samples": [err[-500:]]}
    return json.loads(out.strip().splitlines()[-1])


def check(db: Path, results: list[dict], files: dict[str, int]) -> dict:
    """Count what the processes were told was saved but the file does not hold."""
    connection = sqlite3.connect(db)
    lost_edits = 0
    for result in results:
        if not result["role"].startswith("editor"):
            continue
        number = result["role"].split()[1]
        # The change journal is the witness: every saved edit left an entry with its value.
        saved = {
            json.loads(after)["notes"]
            for (after,) in connection.execute(
                "SELECT after FROM journal_change WHERE entity = 'client' AND row_id = ?",
                (result["client_id"],),
            )
        }
        acknowledged = result["acknowledged"]
        lost_edits += sum(1 for seq in acknowledged if f"stress:{number}:{seq}" not in saved)
        notes = connection.execute(
            "SELECT notes FROM client WHERE id = ?", (result["client_id"],)
        ).fetchone()[0]
        if acknowledged and notes != f"stress:{number}:{acknowledged[-1]}":
            lost_edits += 1
    from portfolio.money import exponent

    importer = next(r for r in results if r["role"] == "importer")
    lost_lines = 0
    if importer.get("last_file"):
        value = files[importer["last_file"]]
        lines = connection.execute(
            "SELECT budget_line.spend_forecast, client.currency FROM budget_line"
            " JOIN campaign ON campaign.id = budget_line.campaign_id"
            " JOIN client ON client.id = campaign.client_id"
            f" ORDER BY budget_line.id LIMIT {IMPORT_LINES}"
        ).fetchall()
        lost_lines = sum(
            1 for amount, currency in lines if amount != value * 10 ** exponent(currency)
        )
    connection.close()
    return {"lost_edits": lost_edits, "lost_import_lines": lost_lines}


def run() -> list[Figure]:
    import shutil

    duration = seconds()
    work = Path(tempfile.mkdtemp(prefix="portfolio-stress-"))
    try:
        db = work / "book.sqlite3"
        shutil.copyfile(stress_demo(), db)
        files = {
            str(forecasts_csv(db, work / f"forecast-{value}.csv", value)): value for value in VALUES
        }
        started = time.monotonic()
        processes = [_start("importer", str(db), str(duration), *files)]
        time.sleep(1.0)  # let the first import take the lock
        processes += [_start("editor", str(db), str(duration), str(n)) for n in range(EDITORS)]
        processes.append(_start("reader", str(db), str(duration)))
        results = [_finish(process) for process in processes]
        elapsed = time.monotonic() - started
        lost = check(db, results, files)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    editors = [r for r in results if r["role"].startswith("editor")]
    importer = next((r for r in results if r["role"] == "importer"), {})
    reader = next((r for r in results if r["role"] == "reader"), {})
    attempted = (
        sum(r.get("attempted", 0) for r in editors)
        + importer.get("imports", 0)
        + sum(importer.get("refused", {}).values())
    )
    saved = sum(len(r.get("acknowledged", [])) for r in editors) + importer.get("imports", 0)
    refused = sum(sum(r.get("refused", {}).values()) for r in results)
    unhandled = sum(sum(r.get("unhandled", {}).values()) for r in results)
    lost_writes = lost["lost_edits"] + (1 if lost["lost_import_lines"] else 0)
    summary = {
        "seconds": round(elapsed, 1),
        "writes_attempted": attempted,
        "writes_saved": saved,
        "lost_writes": lost_writes,
        "lost_import_lines": lost["lost_import_lines"],
        "refused": refused,
        "unhandled_errors": unhandled,
        "imports": importer.get("imports", 0),
        "import_rows_changed": importer.get("rows_changed", 0),
        "longest_import_s": round(importer.get("longest_import_s", 0.0), 1),
        "longest_edit_wait_s": round(max(r.get("longest_write_s", 0.0) for r in editors), 1),
        "reads": reader.get("reads", 0),
        "slowest_read_s": round(reader.get("slowest_read_s", 0.0), 1),
    }
    print(f"  stress counts: {json.dumps(summary)}", flush=True)
    for result in results:
        for sample in result.get("samples", []):
            print(f"  {result['role']}: {sample}", flush=True)
    return [
        Figure("stress", "duration", elapsed, "s"),
        Figure("stress", "writes attempted (edits + imports)", attempted, "writes"),
        Figure("stress", "writes saved", saved, "writes"),
        Figure("stress", "lost writes", lost_writes, "writes", target="= 0", met=lost_writes == 0),
        Figure("stress", "unhandled errors", unhandled, "errors", target="= 0", met=unhandled == 0),
        Figure("stress", "refused in one line (busy past the bound)", refused, "writes"),
        Figure("stress", "longest wait of an edit", summary["longest_edit_wait_s"], "s"),
        Figure("stress", "longest import (holding the lock)", summary["longest_import_s"], "s"),
        Figure("stress", "reads", summary["reads"], "reads"),
    ]
