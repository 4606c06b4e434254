"""The make-up action form, opened from any negative variance already filled in.

The client page's Variance tab, the Variances page and a budget grid's variance row all
start a make-up action here: the client is shown, the campaign is a pick list of that
client's campaigns (or the whole client), and the measure, the amount to make up and the
first month that can still recover it are filled in from the core's make-up plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QWidget

from portfolio.actions import Action, Create
from portfolio.money import from_minor
from portfolio.periods import month_key
from portfolio.queries.pickers import campaigns_of, describe
from ui.editing.record_dialog import RecordDialog
from ui.workspace import Workspace

WHOLE_CLIENT_CHOICE = "(whole client)"


@dataclass(frozen=True)
class MakeupStart:
    """What a new make-up action starts from.

    ``amount`` is in minor units of ``currency`` (a count when ``currency`` is None, for
    sales); ``target_month`` is YYYYMM.
    """

    client_id: int
    campaign_id: int | None
    measure: str
    amount: int | None
    currency: str | None
    target_month: int | None

    @classmethod
    def from_item(cls, item) -> MakeupStart:
        """From a ``RecoveryItem`` of the core's plan: its uncovered amount, first month."""
        return cls(
            item.client_id,
            item.campaign_id,
            item.measure,
            item.amount_to_make_up,
            item.currency,
            item.remaining_months[0] if item.remaining_months else None,
        )


def makeup_form(workspace: Workspace, start: MakeupStart, parent: QWidget) -> RecordDialog:
    """The form (not yet shown) for a new make-up action, filled in from ``start``."""
    client_id = start.client_id
    client = workspace.read(lambda session: describe(session, "client", client_id))
    campaigns = workspace.read(lambda session: campaigns_of(session, client_id))
    amount: Any = None
    if start.amount:
        amount = str(from_minor(start.amount, start.currency)) if start.currency else start.amount
    values: dict[str, Any] = {
        "client_id": client_id,
        "campaign_id": start.campaign_id,
        "measure": start.measure,
        "action_type": "spend_cut" if start.measure == "spend" else "extra_drop",
        "target_month": month_key(start.target_month) if start.target_month else None,
        "amount": amount,
        "status": "planned",
    }
    campaign = dict(campaigns).get(start.campaign_id) if start.campaign_id else None
    what = f"{client} / {campaign}" if campaign else client

    def action(entered: dict[str, Any]) -> Action:
        return Action(f"Add make-up action for {what}", (Create("makeup_action", entered),))

    return RecordDialog(
        workspace,
        "makeup_action",
        title=f"Make-up action: {what}",
        values=values,
        fixed={"client_id": client},
        choices={"campaign_id": [(None, WHOLE_CLIENT_CHOICE), *campaigns]},
        action=action,
        currency=start.currency,
        parent=parent,
    )


def add_makeup_action(workspace: Workspace, start: MakeupStart, parent: QWidget) -> str | None:
    """Open the form; the action's text (for the status bar) if one was added."""
    dialog = makeup_form(workspace, start, parent)
    parent.action_dialog = dialog  # tests and snapshots reach the open form here
    if dialog.exec() and dialog.outcome is not None:
        return dialog.action.text
    return None
