"""Offline copies over a slow link: check-out of a 100-client book and a sync of 1,000
changed budget lines, on PostgreSQL behind a proxy adding 10 ms each way (20 ms round
trips), against the same actions straight to the server (issue 14: each under 10 s).

    python tests/bench/run.py offline      (needs PORTFOLIO_TEST_PG_URL, as the tests do)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.bench.common import TODAY, Figure

#: The server's demo: clients, and the book taken offline.
CLIENTS = 500
BOOK = 100
CHANGED_LINES = 1000
DELAY = 0.010


def _server(admin_url: str) -> str:
    """A fresh PostgreSQL database with the demo, for this run."""
    from portfolio.demo import DemoSpec, write_demo

    url = make_url(admin_url)
    name = f"portfolio_offline_bench_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    write_demo(target, DemoSpec(clients=CLIENTS, today=TODAY))
    return target


def _drop(admin_url: str, target: str) -> None:
    admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'DROP DATABASE IF EXISTS "{make_url(target).database}" WITH (FORCE)')
        )
    admin.dispose()


def _through(target: str, port: int) -> str:
    return make_url(target).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def _round(target: str, folder: Path, label: str) -> dict:
    """Check out the book, change 1,000 lines in it, sync: timed, through ``target``."""
    from portfolio.actions import Action, Edit, perform
    from portfolio.model import BudgetLine, Campaign, Client
    from portfolio.storage import open_database
    from portfolio.sync.book import Scope
    from portfolio.sync.checkout import checkout
    from portfolio.sync.merge import resolver
    from portfolio.sync.run import sync

    server = open_database(target)
    with server.session() as session:
        clients = tuple(session.scalars(select(Client.id).order_by(Client.id).limit(BOOK)))
    book = folder / f"{label}.sqlite3"
    started = time.perf_counter()
    copied = checkout(server, Scope(client_ids=clients), book)
    checkout_s = time.perf_counter() - started
    local = open_database(book)
    with local.session() as session:
        lines = session.execute(
            select(BudgetLine.id, BudgetLine.spend_forecast)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .where(Campaign.client_id.in_(clients))
            .order_by(BudgetLine.id)
            .limit(CHANGED_LINES)
        ).all()
    for line_id, forecast in lines:  # offline work, not timed
        step = Edit("budget_line", line_id, {"spend_forecast": forecast + 100})
        perform(local, Action("Edit Spend forecast", (step,)))
    started = time.perf_counter()
    report = sync(local, server, resolve=resolver())
    sync_s = time.perf_counter() - started
    local.close()
    server.close()
    return {
        "checkout_s": checkout_s,
        "rows": copied.rows,
        "sync_s": sync_s,
        "sent": report.sent,
        "conflicts": len(report.conflicts),
    }


def run() -> list[Figure]:
    from tests.bench.proxy import DelayProxy

    admin_url = os.environ.get("PORTFOLIO_TEST_PG_URL")
    if not admin_url:
        print("  (skipped: set PORTFOLIO_TEST_PG_URL to a PostgreSQL server)")
        return []
    folder = Path(tempfile.mkdtemp())
    figures: list[Figure] = []
    targets = []
    try:
        direct_target, slow_target = _server(admin_url), _server(admin_url)
        targets = [direct_target, slow_target]
        direct = _round(direct_target, folder, "direct")
        url = make_url(slow_target)
        with DelayProxy((url.host or "127.0.0.1", url.port or 5432), delay=DELAY) as proxy:
            before = proxy.round_trips
            slow = _round(_through(slow_target, proxy.port), folder, "slow")
            trips = proxy.round_trips - before
        assert slow["sent"] == direct["sent"] == CHANGED_LINES, (slow, direct)
        figures += [
            Figure(
                "offline",
                f"check-out of a {BOOK}-client book ({slow['rows']:,} rows), 20 ms round trips",
                slow["checkout_s"],
                "s",
                "the same check-out straight to the server",
                direct["checkout_s"],
                "< 10 s",
                slow["checkout_s"] < 10,
            ),
            Figure(
                "offline",
                f"sync of {CHANGED_LINES:,} changed budget lines, 20 ms round trips",
                slow["sync_s"],
                "s",
                "the same sync straight to the server",
                direct["sync_s"],
                "< 10 s",
                slow["sync_s"] < 10,
            ),
            Figure("offline", "round trips, check-out and sync together", trips, "trips"),
        ]
    finally:
        for target in targets:
            _drop(admin_url, target)
        shutil.rmtree(folder, ignore_errors=True)
    return figures
