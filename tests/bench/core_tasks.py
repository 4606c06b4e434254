"""Work the core benchmark runs in fresh processes: ``python -m tests.bench.core_tasks NAME``.

Each task prints one JSON object on its last line. A fresh process per measurement
keeps one run's memory and caches out of the next one's figures.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from tests.bench.common import AS_OF, BIG_CLIENTS, TODAY, peak_rss_mb

SPEC_KWARGS = {"clients": BIG_CLIENTS, "today": TODAY}


def demo_ours() -> dict:
    from portfolio.demo import DemoSpec, write_demo

    target = Path(tempfile.mkdtemp()) / "demo.sqlite3"
    started = time.perf_counter()
    write_demo(target, DemoSpec(**SPEC_KWARGS))
    return {"seconds": time.perf_counter() - started}


def demo_rows() -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """Every row the demo writes, generated exactly as the demo does, in insert order."""
    from portfolio import model as m
    from portfolio.demo.generator import DemoSpec, _Builder

    spec = DemoSpec(**SPEC_KWARGS)
    b = _Builder(random.Random(spec.seed), spec)
    tables = [
        (m.TeamMember, b.TEAM_COLUMNS, list(b.team())),
        (m.FxRate, b.FX_COLUMNS, list(b.fx_rates())),
    ]
    clients = b.plan_clients()
    tables += [
        (m.Client, b.CLIENT_COLUMNS, list(b.client_rows(clients))),
        (m.Contact, b.CONTACT_COLUMNS, list(b.contacts(clients))),
    ]
    campaigns: list[tuple] = []
    drops: list[tuple] = []
    plans = [b.plan_campaigns(client, campaigns, drops) for client in clients]
    lines = [row for c, p in zip(clients, plans, strict=True) for row in b.budget_lines(c, p)]
    materials: list[tuple] = []
    tables += [
        (m.Campaign, b.CAMPAIGN_COLUMNS, campaigns),
        (m.CampaignDrop, b.DROP_COLUMNS, drops),
        (m.BudgetLine, b.LINE_COLUMNS, lines),
        (m.SalesObjective, b.OBJECTIVE_COLUMNS, list(b.objectives())),
        (m.MakeupAction, b.ACTION_COLUMNS, list(b.makeup_actions(clients))),
        (m.ClientRequest, b.REQUEST_COLUMNS, list(b.requests(clients))),
        (m.Feedback, b.FEEDBACK_COLUMNS, list(b.feedback(clients))),
        (m.Opportunity, b.OPPORTUNITY_COLUMNS, list(b.opportunities(clients))),
        (m.Deadline, b.DEADLINE_COLUMNS, list(b.deadlines(clients, materials))),
        (m.MaterialItem, b.MATERIAL_COLUMNS, materials),
        (m.Meeting, b.MEETING_COLUMNS, list(b.meetings(clients))),
    ]

    def native(value: object) -> object:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, dt.datetime):
            return value.isoformat(" ")
        return value

    return [
        (model.__tablename__, columns, [tuple(native(v) for v in row) for row in rows])
        for model, columns, rows in tables
    ]


def demo_raw() -> dict:
    """The baseline: the same rows, prepared beforehand, through plain executemany."""
    from portfolio.storage import open_database

    tables = demo_rows()
    target = Path(tempfile.mkdtemp()) / "raw.sqlite3"
    open_database(target, create=True).close()
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA foreign_keys = ON")
    started = time.perf_counter()
    for name, columns, rows in tables:
        marks = ", ".join("?" * len(columns))
        connection.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", rows)
    connection.commit()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": sum(len(rows) for _, _, rows in tables)}


def rollup_memory(path: str) -> dict:
    from portfolio.analytics.variance import variance_rollup
    from portfolio.periods import Period
    from portfolio.storage import open_database

    database = open_database(path)
    with database.session() as session:
        rollup = variance_rollup(
            session, by=("client", "month"), period=Period(202501, 202612, "2y"), as_of=AS_OF
        )
    return {"rows": len(rollup.rows), "peak_mb": peak_rss_mb()}


def open_only_memory(path: str) -> dict:
    import portfolio.analytics.variance  # noqa: F401
    from portfolio.storage import open_database

    open_database(path)
    return {"peak_mb": peak_rss_mb()}


if __name__ == "__main__":
    task = globals()[sys.argv[1]]
    print(json.dumps(task(*sys.argv[2:])))
