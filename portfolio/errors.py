"""Errors a user can cause, each with a message fit to show as one line.

Anything raised as a ``PortfolioError`` is reported to the user as it is (command line:
one line on stderr and exit code 1; desktop: a message at the cell or in a dialog). Any
other exception is a bug.
"""

from __future__ import annotations


class PortfolioError(Exception):
    """A problem the user can act on; ``str(error)`` is the whole message."""


class DatabaseOpenError(PortfolioError):
    """The database could not be opened; nothing in it was changed."""


class ValidationError(PortfolioError):
    """A value was refused.

    ``field`` names the refused field by its data name (``contract_end``) and ``label``
    by the name a user sees ("Contract end"); ``row`` is filled in by importers that
    know the sheet row.
    """

    def __init__(
        self,
        field: str,
        message: str,
        *,
        label: str | None = None,
        entity: str | None = None,
    ) -> None:
        self.field = field
        self.label = label or field.replace("_", " ").capitalize()
        self.entity = entity
        self.reason = message
        super().__init__(f"{self.label}: {message}")


class ConflictError(PortfolioError):
    """A row changed in the database since the caller read it (its version moved on)."""


class NotFoundError(PortfolioError):
    """A named client, campaign or person does not exist."""


class AccessRefusedError(PortfolioError):
    """The server refused a change this login may not make; ``str()`` says why in words
    ("You cannot change Acme's budget: it belongs to Isla Patel's book"). Nothing was
    changed. Raised on a team server, whose grants and row-level security decide
    (``portfolio.access``)."""
