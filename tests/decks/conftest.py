"""Deck fixtures: the demo book plus one client whose every text field is hostile markup.

Decks take most of a second each, so the ones several tests read are written once per
session and only read back (PDF with pypdf, PowerPoint with python-pptx).
"""

from __future__ import annotations

import datetime as dt
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from portfolio.decks.build import DeckResult, write_deck
from portfolio.decks.options import DeckOptions
from portfolio.editing import operations
from portfolio.lookup import find_client
from portfolio.storage import Database, open_database
from tests.conftest import AS_OF, TODAY

SHOWCASE = "Blue Ridge Assurance Group"
HOSTILE = "<b>Acme & Sons</b>"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        CountingHandler.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def trap_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request: hostile markup must not reach it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", CountingHandler.hits
    server.shutdown()


def hostile_texts(base_url: str) -> dict[str, str]:
    return {
        "client": HOSTILE,
        "campaign": "Spring <i>drop</i> & </para> test",
        "comment": f'Loved it <img src="{base_url}/tracker.png"/> & more',
        "next_steps": (
            f'Call back <a href="{base_url}/link">here</a>\nSend <font size=40>deck</font>'
        ),
        "opportunity": "Up-sell <u>premium</u> & co",
        "action": 'Re-mail <br/> segment "B" & <super>C</super>',
        "deadline": "Mail drop <strike>late</strike>",
    }


def add_hostile_client(db: Database, texts: dict[str, str]) -> None:
    """One client with a year of lines, a shortfall and hostile text in every field shown."""
    create = operations.create
    with db.transaction() as session:
        director = find_client(session, SHOWCASE).director_id
        client = create(
            session,
            "client",
            {
                "name": texts["client"],
                "vertical": "retail",
                "status": "active",
                "director_id": director,
                "pricing_model": "fixed_fee",
                "currency": "USD",
                "notes": texts["comment"],
            },
        )
        campaign = create(
            session,
            "campaign",
            {
                "client_id": client.id,
                "name": texts["campaign"],
                "channel": "email",
                "status": "active",
            },
        )
        for month in range(202601, 202613):
            closed = month <= AS_OF
            create(
                session,
                "budget_line",
                {
                    "campaign_id": campaign.id,
                    "month": f"{month // 100}-{month % 100:02d}",
                    "spend_budget": "1000.00",
                    "spend_actual": "1250.50" if closed else None,
                    "revenue_budget": "3000.00",
                    "revenue_actual": "2800.00" if closed else None,
                    "sales_budget": 10,
                    "sales_actual": 9 if closed else None,
                    "pieces": 500 if closed else None,
                    "responses": 20 if closed else None,
                },
            )
        create(
            session,
            "feedback",
            {
                "client_id": client.id,
                "received_on": "2026-09-01",
                "kind": "csat",
                "score": 4,
                "comment": "Fine.",
            },
        )
        create(
            session,
            "feedback",
            {
                "client_id": client.id,
                "received_on": "2026-10-01",
                "kind": "csat",
                "score": 3,
                "comment": texts["comment"],
            },
        )
        create(
            session,
            "meeting",
            {
                "client_id": client.id,
                "held_on": "2026-11-02",
                "title": "Review <script>",
                "next_steps": texts["next_steps"],
            },
        )
        create(
            session,
            "opportunity",
            {
                "client_id": client.id,
                "name": texts["opportunity"],
                "kind": "up_sell",
                "stage": "proposal",
                "value": "5000.00",
                "probability": 40,
            },
        )
        create(
            session,
            "makeup_action",
            {
                "client_id": client.id,
                "campaign_id": campaign.id,
                "measure": "spend",
                "action_type": "other",
                "description": texts["action"],
                "target_month": "2026-12",
                "amount": "500.00",
                "status": "planned",
            },
        )
        create(
            session,
            "deadline",
            {
                "client_id": client.id,
                "title": texts["deadline"],
                "due_date": (TODAY + dt.timedelta(days=5)).isoformat(),
            },
        )


@pytest.fixture(scope="session")
def deck_db(demo_file: Path, tmp_path_factory, trap_server) -> Iterator[Database]:
    """The demo plus the hostile client, shared read-only by the deck tests."""
    path = tmp_path_factory.mktemp("decks") / "decks.sqlite3"
    shutil.copyfile(demo_file, path)
    db = open_database(path)
    add_hostile_client(db, hostile_texts(trap_server[0]))
    yield db
    db.close()


def make_deck(db: Database, client: str, target: Path, **options) -> DeckResult:
    with db.session() as session:
        return write_deck(
            session,
            find_client(session, client),
            target,
            options=DeckOptions(**options),
            as_of=AS_OF,
            today=TODAY,
        )


@dataclass
class WrittenPdf:
    result: DeckResult
    reader: PdfReader

    @property
    def pages(self) -> list[str]:
        """Each page's text with runs of white space made single spaces."""
        return [" ".join(page.extract_text().split()) for page in self.reader.pages]

    def pages_titled(self, title: str) -> list[str]:
        return [text for text in self.pages if title in text]


@pytest.fixture(scope="session")
def showcase_pdf(deck_db, tmp_path_factory) -> WrittenPdf:
    target = tmp_path_factory.mktemp("pdf") / "showcase.pdf"
    result = make_deck(deck_db, SHOWCASE, target)
    return WrittenPdf(result, PdfReader(target))


@pytest.fixture(scope="session")
def showcase_pptx(deck_db, tmp_path_factory):
    target = tmp_path_factory.mktemp("pptx") / "showcase.pptx"
    result = make_deck(deck_db, SHOWCASE, target)
    return result, Presentation(str(target))


@pytest.fixture(scope="session")
def hostile_pdf(deck_db, tmp_path_factory) -> WrittenPdf:
    target = tmp_path_factory.mktemp("hostile") / "hostile.pdf"
    result = make_deck(deck_db, HOSTILE, target)
    return WrittenPdf(result, PdfReader(target))
