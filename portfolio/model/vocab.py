"""The closed lists of the domain: stored values and the labels people read.

Each vocabulary becomes a CHECK constraint in the schema (so a SQL shell cannot store a
value the app would not understand), a choice list in the desktop app and the set of
words an importer accepts (the stored value or its label, any case).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Vocabulary:
    name: str
    choices: tuple[tuple[str, str], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.choices)

    def label(self, value: str | None) -> str:
        return self._labels.get(value or "", value or "")

    @cached_property
    def _labels(self) -> dict[str, str]:
        return dict(self.choices)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __contains__(self, value: object) -> bool:
        return value in self.values

    def lookup(self, text: str) -> str | None:
        """The stored value for ``text`` given as a value or a label, ignoring case."""
        wanted = " ".join(str(text).replace("_", " ").replace("-", " ").split()).casefold()
        for value, label in self.choices:
            if wanted in (value.replace("_", " ").casefold(), label.casefold()):
                return value
        return None


def _vocab(name: str, *pairs: tuple[str, str]) -> Vocabulary:
    return Vocabulary(name, pairs)


ROLE = _vocab(
    "role",
    ("manager", "Client services manager"),
    ("account_director", "Account director"),
    ("account_rep", "Account rep"),
)
#: What a login may do on a team server (``portfolio.access``); enforced by the server.
ACCESS = _vocab(
    "access",
    ("manager", "Manager (everything)"),
    ("director", "Account director (their book)"),
    ("rep", "Account rep (their clients)"),
    ("viewer", "Viewer (read only)"),
)
VERTICAL = _vocab(
    "vertical",
    ("insurance", "Insurance & financial services"),
    ("healthcare_benefits", "Healthcare benefits"),
    ("banking", "Banking & membership"),
    ("election", "Election printing"),
    ("retail", "Retail"),
    ("other", "Other"),
)
CLIENT_STATUS = _vocab(
    "client status",
    ("prospect", "Prospect"),
    ("onboarding", "Onboarding"),
    ("active", "Active"),
    ("paused", "Paused"),
    ("churned", "Churned"),
)
PRICING_MODEL = _vocab(
    "pricing model",
    ("fixed_fee", "Fixed fee"),
    ("per_piece", "Per piece"),
    ("per_sale", "Per sale"),
    ("revenue_share", "Share of revenue"),
    ("hybrid", "Hybrid"),
)
CHANNEL = _vocab(
    "channel",
    ("direct_mail", "Direct mail"),
    ("email", "Email"),
    ("telemarketing", "Telemarketing"),
    ("digital", "Digital"),
    ("print", "Print"),
    ("social", "Social"),
    ("events", "Events"),
)
CAMPAIGN_STATUS = _vocab(
    "campaign status",
    ("planned", "Planned"),
    ("active", "Active"),
    ("on_hold", "On hold"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
)
MEASURE = _vocab(
    "measure",
    ("spend", "Spend"),
    ("revenue", "Revenue"),
    ("sales", "Sales"),
)
ACTION_TYPE = _vocab(
    "action type",
    ("extra_drop", "Extra drop"),
    ("new_channel", "New channel"),
    ("repriced_offer", "Re-priced offer"),
    ("spend_cut", "Spend cut"),
    ("other", "Other"),
)
ACTION_STATUS = _vocab(
    "action status",
    ("planned", "Planned"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
)
REQUEST_CATEGORY = _vocab(
    "request category",
    ("billing", "Billing"),
    ("technical", "Technical"),
    ("renewal", "Renewal"),
    ("retention", "Retention"),
    ("service", "Service"),
)
PRIORITY = _vocab(
    "priority",
    ("critical", "Critical"),
    ("high", "High"),
    ("normal", "Normal"),
    ("low", "Low"),
)
REQUEST_STATUS = _vocab(
    "request status",
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("waiting", "Waiting on client"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
)
#: Request statuses that mean the work is finished; they require ``resolved_at``.
DONE_REQUEST_STATUSES = ("resolved", "closed")
FEEDBACK_KIND = _vocab(
    "feedback kind",
    ("csat", "CSAT (1-5)"),
    ("nps", "NPS (0-10)"),
)
OPPORTUNITY_KIND = _vocab(
    "opportunity kind",
    ("cross_sell", "Cross-sell"),
    ("up_sell", "Up-sell"),
    ("renewal", "Renewal"),
)
STAGE = _vocab(
    "stage",
    ("identified", "Identified"),
    ("qualified", "Qualified"),
    ("proposal", "Proposal"),
    ("negotiation", "Negotiation"),
    ("won", "Won"),
    ("lost", "Lost"),
)
#: Stages whose value no longer counts in the pipeline.
CLOSED_STAGES = ("won", "lost")
MATERIAL_STATUS = _vocab(
    "material status",
    ("needed", "Needed"),
    ("approved", "Approved"),
    ("ordered", "Ordered"),
    ("received", "Received"),
)
