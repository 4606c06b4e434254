"""The roles of the stress test, each run in its own process:
``python -m tests.bench.stress_tasks ROLE DB SECONDS [ARGS]``; each prints one JSON
object last (what it did, what it was told, and any error it did not expect).

* ``importer CSV_A CSV_B``: imports the two files in turn (each changes every listed
  budget line's forecast), through ``run_import`` and so ``Database.write``.
* ``editor N``: edits client N's notes, one ``Database.write`` at a time, and with each
  edit records a witness row (``setting`` key ``stress:N:SEQ``), so lost edits can be
  counted afterwards.
* ``reader``: the client x month variance roll-up, again and again.

An expected refusal is a ``PortfolioError`` (for instance ``BusyError`` after the
30-second bound): counted as refused. Any other exception is an unhandled error.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections import Counter

from tests.bench.common import AS_OF


def _record(errors: Counter, samples: list[str], error: BaseException) -> None:
    errors[type(error).__name__] += 1
    if len(samples) < 5:
        samples.append("".join(traceback.format_exception_only(error)).strip()[:500])


def importer(db_path: str, seconds: str, csv_a: str, csv_b: str) -> dict:
    from portfolio.errors import PortfolioError
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.storage import open_database

    database = open_database(db_path)
    deadline = time.monotonic() + float(seconds)
    done, changed, refused, holds = 0, 0, Counter(), []
    unhandled, samples = Counter(), []
    last_file = None
    turn = 0
    while time.monotonic() < deadline:
        source = (csv_a, csv_b)[turn % 2]
        turn += 1
        started = time.monotonic()
        try:
            result = run_import(database, source, ImportOptions())
        except PortfolioError as error:
            _record(refused, samples, error)
            continue
        except Exception as error:  # noqa: BLE001 - counted, the point of the test
            _record(unhandled, samples, error)
            continue
        holds.append(time.monotonic() - started)
        done += 1
        changed += result.applied.changed if result.applied else 0
        last_file = source
    database.close()
    return {
        "role": "importer",
        "imports": done,
        "rows_changed": changed,
        "last_file": last_file,
        "longest_import_s": max(holds, default=0.0),
        "refused": dict(refused),
        "unhandled": dict(unhandled),
        "samples": samples,
    }


def editor(db_path: str, seconds: str, number: str) -> dict:
    """Edits a client's notes through the app's action (journalled, version-checked)."""
    from sqlalchemy import select

    from portfolio.actions import Action, Edit, perform
    from portfolio.errors import PortfolioError
    from portfolio.model import Client
    from portfolio.storage import open_database

    database = open_database(db_path)
    with database.session() as session:
        ids = session.scalars(select(Client.id).order_by(Client.id)).all()
    client_id = ids[int(number)]
    deadline = time.monotonic() + float(seconds)
    attempted, acknowledged, waits = 0, [], []
    refused, unhandled, samples = Counter(), Counter(), []
    sequence = 0
    while time.monotonic() < deadline:
        sequence += 1
        marker = f"stress:{number}:{sequence}"

        edit = Action("Edit notes", (Edit("client", client_id, {"notes": marker}),))
        attempted += 1
        started = time.monotonic()
        try:
            perform(database, edit)
        except PortfolioError as error:
            _record(refused, samples, error)
        except Exception as error:  # noqa: BLE001 - counted, the point of the test
            _record(unhandled, samples, error)
        else:
            acknowledged.append(sequence)
            waits.append(time.monotonic() - started)
        time.sleep(0.05)  # a fast typist: twenty edits a second
    database.close()
    return {
        "role": f"editor {number}",
        "client_id": client_id,
        "attempted": attempted,
        "acknowledged": acknowledged,
        "longest_write_s": max(waits, default=0.0),
        "refused": dict(refused),
        "unhandled": dict(unhandled),
        "samples": samples,
    }


def reader(db_path: str, seconds: str) -> dict:
    from portfolio.analytics.variance import variance_rollup
    from portfolio.errors import PortfolioError
    from portfolio.periods import Period
    from portfolio.storage import open_database

    database = open_database(db_path)
    deadline = time.monotonic() + float(seconds)
    reads, slowest = 0, 0.0
    refused, unhandled, samples = Counter(), Counter(), []
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with database.session() as session:
                variance_rollup(
                    session, by=("client",), period=Period(202601, 202612, "2026"), as_of=AS_OF
                )
        except PortfolioError as error:
            _record(refused, samples, error)
        except Exception as error:  # noqa: BLE001 - counted, the point of the test
            _record(unhandled, samples, error)
        else:
            reads += 1
            slowest = max(slowest, time.monotonic() - started)
    database.close()
    return {
        "role": "reader",
        "reads": reads,
        "slowest_read_s": slowest,
        "refused": dict(refused),
        "unhandled": dict(unhandled),
        "samples": samples,
    }


if __name__ == "__main__":
    role = globals()[sys.argv[1]]
    print(json.dumps(role(*sys.argv[2:])))
