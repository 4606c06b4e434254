"""A record as a person names it, the client it belongs to, and its currency.

"Acme", "Acme / Spring mailing", "Acme / Spring mailing / 2026-07": the undo menu, the
journal, conflict messages and the history all name records the same way. Names are
worked out from the row's own values and its parents'; parents are read once per
action and cached, and rows that are about to be deleted can be handed in first
(``know``) so a client's cascade names its campaigns and lines without reading them
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.model import Campaign, Client, Deadline, TeamMember
from portfolio.model.vocab import FEEDBACK_KIND
from portfolio.periods import month_key

#: Own name field of each table, after its parent's name ("Acme / <name>").
OWN_NAME = {
    "client": "name",
    "team_member": "name",
    "campaign": "name",
    "contact": "name",
    "opportunity": "name",
    "deadline": "title",
    "meeting": "title",
    "client_request": "subject",
    "makeup_action": "description",
    "material_item": "name",
}

#: Longest own name kept in a record's name.
LONGEST = 60


@dataclass(frozen=True, slots=True)
class Named:
    record: str
    client_id: int | None
    currency: str | None


def _short(text: Any) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= LONGEST else value[: LONGEST - 1] + "…"


class RecordNames:
    """Names records of one session; caches the clients, campaigns and people it read."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._clients: dict[int, tuple[str, str]] = {}
        self._campaigns: dict[int, tuple[int, str]] = {}
        self._deadlines: dict[int, tuple[int, str]] = {}
        self._people: dict[int, str] = {}

    def know(self, table: str, row: dict[str, Any]) -> None:
        """Remember a row read elsewhere (one about to be deleted, say)."""
        if table == "client":
            self._clients[row["id"]] = (row["name"], row["currency"])
        elif table == "campaign":
            self._campaigns[row["id"]] = (row["client_id"], row["name"])
        elif table == "deadline":
            self._deadlines[row["id"]] = (row["client_id"], row["title"])
        elif table == "team_member":
            self._people[row["id"]] = row["name"]

    def client(self, client_id: int) -> tuple[str, str]:
        """(name, currency) of a client."""
        if client_id not in self._clients:
            found = self.session.execute(
                select(Client.name, Client.currency).where(Client.id == client_id)
            ).first()
            self._clients[client_id] = tuple(found) if found else (f"client {client_id}", None)
        return self._clients[client_id]

    def campaign(self, campaign_id: int) -> tuple[int | None, str]:
        """(client id, name) of a campaign."""
        if campaign_id not in self._campaigns:
            found = self.session.execute(
                select(Campaign.client_id, Campaign.name, Client.name, Client.currency)
                .join(Client, Client.id == Campaign.client_id)
                .where(Campaign.id == campaign_id)
            ).first()
            if found is None:
                return None, f"campaign {campaign_id}"
            self._campaigns[campaign_id] = (found[0], found[1])
            self._clients.setdefault(found[0], (found[2], found[3]))
        return self._campaigns[campaign_id]

    def deadline(self, deadline_id: int) -> tuple[int | None, str]:
        if deadline_id not in self._deadlines:
            found = self.session.execute(
                select(Deadline.client_id, Deadline.title).where(Deadline.id == deadline_id)
            ).first()
            if found is None:
                return None, f"deadline {deadline_id}"
            self._deadlines[deadline_id] = tuple(found)
        return self._deadlines[deadline_id]

    def person(self, member_id: int) -> str:
        if member_id not in self._people:
            name = self.session.scalar(select(TeamMember.name).where(TeamMember.id == member_id))
            self._people[member_id] = name or f"team member {member_id}"
        return self._people[member_id]

    def of(self, table: str, row: dict[str, Any]) -> Named:
        """Name ``row`` of ``table`` (its stored values, with its parent's id)."""
        if table == "client":
            self.know("client", row)
            return Named(_short(row["name"]), row["id"], row["currency"])
        client_id: int | None = None
        parts: list[str] = []
        if row.get("client_id") is not None:
            client_id = row["client_id"]
        elif row.get("campaign_id") is not None:
            client_id, campaign = self.campaign(row["campaign_id"])
            parts.append(campaign)
        elif row.get("deadline_id") is not None:
            client_id, deadline = self.deadline(row["deadline_id"])
            parts.append(deadline)
        if row.get("campaign_id") is not None and not parts:
            parts.append(self.campaign(row["campaign_id"])[1])
        currency = None
        if client_id is not None:
            client_name, currency = self.client(client_id)
            parts.insert(0, client_name)
        if table == "budget_line":
            parts.append(month_key(row["month"]))
        elif table == "campaign_drop":
            parts.append(f"drop {row['drop_date']}")
        elif table == "feedback":
            parts.append(f"{FEEDBACK_KIND.label(row['kind'])} {row['received_on']}")
        elif table == "fx_rate":
            parts.append(f"{row['currency']}->{row['quote']} {month_key(row['month'])}")
        elif table == "sales_objective":
            parts.append(f"{self.person(row['director_id'])} {month_key(row['month'])}")
            currency = row.get("currency")
        elif table in OWN_NAME and row.get(OWN_NAME[table]):
            parts.append(_short(row[OWN_NAME[table]]))
        else:
            parts.append(f"#{row.get('id')}")
        return Named(" / ".join(parts), client_id, currency)


def counted(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 change``, ``2,495 changes``: a count with its noun, singular for one."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
