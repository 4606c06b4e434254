"""Deck work the benchmark runs in fresh processes: ``python -m tests.bench.deck_tasks NAME``.

Each task prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

from tests.bench.common import AS_OF, TODAY


def book(path: str, count: str, workers: str) -> dict:
    """Write ``count`` client decks (PDF) with ``workers`` processes; time the whole book."""
    from sqlalchemy import select

    from portfolio.decks.book import write_book
    from portfolio.model import Client
    from portfolio.storage import open_database

    database = open_database(path)
    with database.session() as session:
        clients = dict(
            session.execute(select(Client.id, Client.name).order_by(Client.id).limit(int(count)))
            .tuples()
            .all()
        )
    out = tempfile.mkdtemp(prefix="deck-bench-")
    started = time.perf_counter()
    entries = write_book(database, clients, out, as_of=AS_OF, today=TODAY, workers=int(workers))
    seconds = time.perf_counter() - started
    failed = [f"{e.client}: {e.error}" for e in entries if e.error]
    return {"seconds": seconds, "decks": len(entries) - len(failed), "failed": failed[:3]}


if __name__ == "__main__":
    task = globals()[sys.argv[1]]
    print(json.dumps(task(*sys.argv[2:])))
