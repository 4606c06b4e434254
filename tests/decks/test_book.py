"""A director's whole book: every core, progress, a failing client reported, atomic files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portfolio.decks.book import deck_filename, plan_targets, write_book
from portfolio.decks.options import DeckOptions
from portfolio.jobs import Cancelled, Job
from portfolio.model import Client
from tests.conftest import AS_OF, TODAY
from tests.decks.conftest import HOSTILE, SHOWCASE

FAST = DeckOptions(sections=("summary", "variance"))


def some_clients(db, count: int) -> dict[int, str]:
    with db.session() as session:
        rows = session.execute(select(Client.id, Client.name).order_by(Client.id).limit(count))
        return dict(rows.all())


def test_file_names_keep_the_script_and_lose_what_file_systems_refuse():
    assert (
        deck_filename("Łódzkie Ubezpieczenia S.A.", "pdf")
        == "Łódzkie Ubezpieczenia S.A. review.pdf"
    )
    cleaned = deck_filename(HOSTILE, "pptx")
    assert not set('<>/:"\\|?*') & set(cleaned)
    assert cleaned.endswith(" review.pptx")
    targets = plan_targets({1: "A/B", 2: "A:B"}, Path("/out"), "pdf")
    assert len(set(targets.values())) == 2


def test_book_on_two_processes_writes_every_deck_and_reports_the_one_that_fails(deck_db, tmp_path):
    clients = some_clients(deck_db, 3)
    clients[next(k for k, v in some_clients(deck_db, 200).items() if v == HOSTILE)] = HOSTILE
    # A folder where one deck should go: that client fails, the others are written.
    blocked_id = next(iter(clients))
    blocked = tmp_path / deck_filename(clients[blocked_id], "pdf")
    blocked.mkdir()
    seen: list[float] = []
    entries = write_book(
        deck_db,
        clients,
        tmp_path,
        options=FAST,
        as_of=AS_OF,
        today=TODAY,
        workers=2,
        job=Job(lambda fraction, message: seen.append(fraction)),
    )
    assert [entry.client_id for entry in entries] == list(clients)
    failed = [entry for entry in entries if entry.error]
    assert [entry.client_id for entry in failed] == [blocked_id]
    assert "it is a folder" in failed[0].error
    for entry in entries:
        if entry.error is None:
            assert entry.path.exists()
            assert entry.client in PdfReader(entry.path).pages[0].extract_text()
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert not list(tmp_path.glob("*.partial"))


def test_book_in_one_process_writes_pptx(deck_db, tmp_path):
    clients = {k: v for k, v in some_clients(deck_db, 60).items() if v == SHOWCASE}
    entries = write_book(
        deck_db,
        clients,
        tmp_path,
        options=FAST,
        extension="pptx",
        as_of=AS_OF,
        today=TODAY,
        workers=1,
    )
    assert entries[0].error is None and entries[0].path.suffix == ".pptx"


def test_cancel_stops_the_book_and_leaves_only_whole_files(deck_db, tmp_path):
    clients = some_clients(deck_db, 6)
    job = Job()
    job._on_progress = lambda fraction, message: job.cancel() if fraction > 0 else None
    with pytest.raises(Cancelled):
        write_book(
            deck_db, clients, tmp_path, options=FAST, as_of=AS_OF, today=TODAY, workers=1, job=job
        )
    written = list(tmp_path.iterdir())
    assert 1 <= len(written) < len(clients)
    assert all(path.suffix == ".pdf" for path in written)
    for path in written:
        assert len(PdfReader(path).pages) == 3


def test_book_refuses_a_missing_folder(deck_db, tmp_path):
    from portfolio.errors import PortfolioError

    with pytest.raises(PortfolioError, match="not a folder"):
        write_book(deck_db, {1: "x"}, tmp_path / "nope", as_of=AS_OF, today=TODAY)
