"""Quick search: clients, campaigns and requests whose names contain what was typed.

Every word must match (case-insensitively) the thing's own text or its client's name,
so "acme mail" finds Acme's mail campaigns. Names that start with the first word come
first. Each kind is capped, so a one-letter search on a big book stays instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from portfolio.model import Campaign, Client, ClientRequest
from portfolio.model.vocab import CHANNEL, REQUEST_STATUS, VERTICAL


@dataclass(frozen=True)
class Hit:
    kind: str  # client | campaign | request
    id: int
    client_id: int
    title: str
    detail: str


def _pattern(word: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def quick_search(session: Session, text: str, *, limit: int = 8) -> list[Hit]:
    """Up to ``limit`` clients, campaigns and requests matching every word of ``text``."""
    words = text.split()
    if not words:
        return []
    first = words[0]

    def every(*columns) -> list:
        return [or_(*(c.ilike(_pattern(w), escape="\\") for c in columns)) for w in words]

    def starts(column):
        return case(
            (column.ilike(re.sub(r"([\\%_])", r"\\\1", first) + "%", escape="\\"), 0), else_=1
        )

    hits: list[Hit] = []
    clients = session.execute(
        select(Client.id, Client.name, Client.vertical, Client.currency)
        .where(and_(*every(Client.name)))
        .order_by(starts(Client.name), Client.name)
        .limit(limit)
    )
    hits += [
        Hit("client", cid, cid, name, f"Client · {VERTICAL.label(vertical)} · {currency}")
        for cid, name, vertical, currency in clients
    ]
    campaigns = session.execute(
        select(Campaign.id, Campaign.client_id, Campaign.name, Client.name, Campaign.channel)
        .join(Client, Client.id == Campaign.client_id)
        .where(and_(*every(Campaign.name, Campaign.product, Client.name)))
        .order_by(starts(Campaign.name), Campaign.name)
        .limit(limit)
    )
    hits += [
        Hit("campaign", cid, client_id, name, f"Campaign · {client} · {CHANNEL.label(channel)}")
        for cid, client_id, name, client, channel in campaigns
    ]
    requests = session.execute(
        select(
            ClientRequest.id,
            ClientRequest.client_id,
            ClientRequest.subject,
            Client.name,
            ClientRequest.status,
        )
        .join(Client, Client.id == ClientRequest.client_id)
        .where(and_(*every(ClientRequest.subject, Client.name)))
        .order_by(ClientRequest.opened_at.desc())
        .limit(limit)
    )
    hits += [
        Hit(
            "request",
            rid,
            client_id,
            subject,
            f"Request · {client} · {REQUEST_STATUS.label(status)}",
        )
        for rid, client_id, subject, client, status in requests
    ]
    return hits
