"""Deck figures: one client's review deck, and a batch of 200 on every core.

(a) One PDF deck (every section) for a client with two years of data on the
    1,000,000-line demo, in a warm process: median of 5. Baseline: the same client's
    ``client_summary`` alone, the figures the deck is built on.
(b) The same as PowerPoint, same baseline.
(c) 200 decks written by ``write_book`` with all cores, against the same 200 written in
    one process; (d) the speed-up between the two. Each batch runs in a fresh process.
"""

from __future__ import annotations

import os

from tests.bench.common import AS_OF, TODAY, Figure, big_demo, child, median_time

TASKS = "tests.bench.deck_tasks"
BATCH = 200


def run() -> list[Figure]:
    import tempfile
    from pathlib import Path

    from sqlalchemy import func, select

    from portfolio.analytics.summary import client_summary
    from portfolio.decks.build import write_deck
    from portfolio.model import BudgetLine, Campaign, Client
    from portfolio.storage import open_database

    path = big_demo()
    database = open_database(path)
    out = Path(tempfile.mkdtemp(prefix="deck-bench-"))
    figures: list[Figure] = []
    with database.session() as session:
        # The client with the most budget lines across both years: the heaviest deck.
        client_id = session.execute(
            select(Campaign.client_id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .group_by(Campaign.client_id)
            .order_by(func.count().desc(), Campaign.client_id)
            .limit(1)
        ).scalar_one()
        client = session.get(Client, client_id)
        lines = session.scalar(
            select(func.count())
            .select_from(BudgetLine)
            .join(Campaign, Campaign.id == BudgetLine.campaign_id)
            .where(Campaign.client_id == client_id)
        )
        summary = median_time(lambda: client_summary(session, client, as_of=AS_OF, today=TODAY))
        for suffix, letter in (("pdf", "a"), ("pptx", "b")):
            target = out / f"one.{suffix}"
            write_deck(session, client, target, as_of=AS_OF, today=TODAY)  # warm up
            seconds = median_time(
                lambda target=target: write_deck(session, client, target, as_of=AS_OF, today=TODAY)
            )
            figures.append(
                Figure(
                    "deck",
                    f"({letter}) one {suffix.upper()} deck, all sections, {lines} budget lines "
                    "over 2 years (median of 5)",
                    seconds,
                    "s",
                    "client_summary() of the same client",
                    summary,
                    "< 1 s",
                    seconds < 1,
                )
            )
    database.close()

    cores = os.cpu_count() or 1
    serial = child(TASKS, "book", str(path), str(BATCH), "1")
    parallel = child(TASKS, "book", str(path), str(BATCH), str(cores))
    for run_ in (serial, parallel):
        if run_["failed"]:
            raise RuntimeError(f"decks failed in the benchmark: {run_['failed']}")
    figures.append(
        Figure(
            "deck",
            f"(c) {BATCH} PDF decks, {cores} processes ({parallel['decks']} written)",
            parallel["seconds"],
            "s",
            "the same decks in one process",
            serial["seconds"],
        )
    )
    speedup = serial["seconds"] / parallel["seconds"]
    figures.append(
        Figure(
            "deck",
            f"(d) batch speed-up, 1 -> {cores} processes",
            speedup,
            "x",
            target=">= 1.7x" if cores >= 2 else "",
            met=speedup >= 1.7 if cores >= 2 else None,
        )
    )
    return figures
