"""The team server over a slow link: the desktop app on PostgreSQL behind a delaying proxy.

A local TCP proxy (``tests.bench.proxy``) holds each direction for 10 ms, a 20 ms round
trip like a VPN to the office; the same actions run on the same server without it as
the baseline, in the same run. The portfolio is the 500-client demo on PostgreSQL
(built once into the database ``portfolio_bench_team``; ``PORTFOLIO_BENCH_PG_URL``
names a server and a login that may create databases, by default the one ``.ci/run``
sets up). Actions (``tests.bench.team_tasks``): start to first rows, open a client
page, one cell edit, re-sort budget lines, a 100-row import, a deck. For each: the
time (median of ``RUNS`` fresh processes), the round trips counted at the proxy, and
the longest stall of the window.

Targets at 20 ms: the window never stalls more than 100 ms, a cell edit is saved
within 0.3 s, a client page is complete within 1 s, start-up within 2 s.
"""

from __future__ import annotations

import os
import statistics
import time

from tests.bench.common import Figure, child

TASKS = "tests.bench.team_tasks"
RUNS = 3
DELAY = 0.010
CLIENTS = 500
DATABASE = "portfolio_bench_team"
DEFAULT_SERVER = "postgresql+psycopg://portfolio:portfolio@localhost:5432/postgres"
TARGETS = {"start": 2.0, "client_page": 1.0, "cell_edit": 0.3}
STALL_TARGET_MS = 100
NAMES = {
    "start": "start to first rows",
    "client_page": "open a client page (complete)",
    "cell_edit": "one cell edit (saved)",
    "resort": "re-sort budget lines",
    "import_100_rows": "a 100-row import",
    "deck": "a client's review deck (PDF)",
}


def team_database() -> str:
    """The 500-client demo on the benchmark server, written once."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from portfolio.demo import DemoSpec, write_demo
    from portfolio.storage import migrate
    from tests.bench.common import TODAY

    server = make_url(os.environ.get("PORTFOLIO_BENCH_PG_URL", DEFAULT_SERVER))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    target = server.set(database=DATABASE).render_as_string(hide_password=False)
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE}
        ).first()
    current = False
    if exists:
        probe = create_engine(target)
        try:
            with probe.connect() as connection:
                current = (
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                    == migrate.SCHEMA_HEAD
                )
        except Exception:  # noqa: BLE001 - rebuilt below
            current = False
        finally:
            probe.dispose()
    if not current:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        print(f"building the {CLIENTS}-client demo on PostgreSQL (once) ...", flush=True)
        write_demo(target, DemoSpec(clients=CLIENTS, today=TODAY))
    admin.dispose()
    return target


def run() -> list[Figure]:
    url = team_database()
    results: dict[str, list[dict]] = {"direct": [], "proxy": []}
    for _ in range(RUNS):
        for link, delay in (("direct", 0.0), ("proxy", DELAY)):
            found = child(TASKS, "run", url, str(delay), repr(time.time()))
            results[link].append(found["figures"])
    figures: list[Figure] = []
    for key, name in NAMES.items():
        direct = statistics.median(run[key]["seconds"] for run in results["direct"])
        slow = statistics.median(run[key]["seconds"] for run in results["proxy"])
        trips = statistics.median(run[key]["round_trips"] for run in results["proxy"])
        stall = max(run[key]["stall_ms"] for run in results["proxy"])
        target = TARGETS.get(key)
        figures.append(
            Figure(
                "team",
                f"{name} at 20 ms, median of {RUNS} ({trips:.0f} round trips)",
                slow,
                "s",
                "same on the server directly",
                direct,
                f"<= {target} s" if target else "",
                None if target is None else slow <= target,
            )
        )
        figures.append(
            Figure(
                "team",
                f"{name}: longest window stall at 20 ms, worst of {RUNS}",
                stall,
                "ms",
                target=f"<= {STALL_TARGET_MS} ms",
                met=stall <= STALL_TARGET_MS,
            )
        )
    return figures
