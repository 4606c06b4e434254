"""The server's refusals in a person's words.

The guard triggers already speak ("You cannot change Acme's budget: it belongs to
Isla Patel's book"); what the server's grants say ("permission denied for table
budget_line") is reworded here from the login's access: a viewer hears that they have
read-only access, a director or rep that only a manager changes the team, the
settings or the reference data.
"""

from __future__ import annotations

import re

from portfolio.errors import AccessRefusedError, PortfolioError

#: What a person calls the tables only managers change.
MANAGED = {
    "team_member": "the team",
    "sales_objective": "sales objectives",
    "currency": "currencies",
    "fx_rate": "exchange rates",
    "sla_policy": "service levels",
    "setting": "the portfolio's settings",
    "alembic_version": "the portfolio's schema",
    "journal_entry": "the change journal",
    "journal_change": "the change journal",
}
DENIED = re.compile(r"permission denied for (?:table|relation|sequence) (\w+)")


def refusal_for(message: str, user, name: str) -> str:
    """The words for a bare "permission denied" ``message`` for ``user`` (an
    ``identity.User`` or None) on the portfolio ``name``."""
    access = getattr(user, "access", None)
    login = getattr(user, "login", None) or "this login"
    if access is None and user is not None:
        return (
            f"Your login {login} may not change {name}; a manager can give it access "
            "(portfolio team add-login)"
        )
    if access == "viewer":
        return "You cannot change anything here: you have read-only access"
    found = DENIED.search(message)
    table = found.group(1) if found else ""
    what = MANAGED.get(table, "this")
    return f"You cannot change {what}: only a manager can"


def reworded(error: PortfolioError, user, name: str) -> PortfolioError:
    """``error`` itself, or for a bare "permission denied" a refusal in words."""
    if isinstance(error, AccessRefusedError) and not str(error).startswith("You cannot"):
        return AccessRefusedError(refusal_for(str(error), user, name))
    return error
