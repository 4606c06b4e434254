"""What a workbook covers: which part of the book, which months, actuals up to when."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import Scope, lines_query
from portfolio.errors import ValidationError
from portfolio.lookup import find_client, find_member
from portfolio.model import BudgetLine
from portfolio.periods import Period, month_label, parse_period


@dataclass(frozen=True)
class WorkbookRequest:
    scope: Scope
    #: The scope as a reader names it: "Whole book", "Director: Ana Ruiz", "Client: Acme".
    scope_label: str
    period: Period
    #: Last month whose actuals count.
    as_of: int
    today: dt.date
    author: str

    @property
    def title(self) -> str:
        return f"Portfolio: {self.scope_label}, {self.period.label}"


def default_author() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "Portfolio"


def all_months(session: Session, scope: Scope) -> Period:
    """Every month that has budget lines in ``scope`` (the period ``all``)."""
    first, last = session.execute(
        scope.apply(lines_query([func.min(BudgetLine.month), func.max(BudgetLine.month)], []))
    ).one()
    if first is None:
        raise ValidationError("period", "there are no budget lines to export in this scope")
    return Period(first, last, f"{month_label(first)} to {month_label(last)}")


def workbook_request(
    session: Session,
    *,
    as_of: int,
    today: dt.date,
    client: str | None = None,
    director: str | None = None,
    period: str | None = None,
    author: str | None = None,
) -> WorkbookRequest:
    """Resolve the names and the period a user typed into a ``WorkbookRequest``.

    The period defaults to the (calendar or client fiscal) year holding ``as_of``;
    ``all`` means every month with budget lines.
    """
    client_ids: tuple[int, ...] = ()
    director_ids: tuple[int, ...] = ()
    labels: list[str] = []
    start_month = 1
    if client:
        found = find_client(session, client)
        client_ids, start_month = (found.id,), found.fiscal_year_start
        labels.append(f"Client: {found.name}")
    if director:
        person = find_member(session, director, "account_director")
        director_ids = (person.id,)
        labels.append(f"Director: {person.name}")
    scope = Scope(client_ids=client_ids, director_ids=director_ids)
    text = (period or "fy").strip()
    if text.lower() == "all":
        chosen = all_months(session, scope)
    else:
        chosen = parse_period(text, as_of, start_month)
    return WorkbookRequest(
        scope=scope,
        scope_label=", ".join(labels) or "Whole book",
        period=chosen,
        as_of=as_of,
        today=today,
        author=author or default_author(),
    )
