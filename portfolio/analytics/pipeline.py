"""The opportunity pipeline: open value and value weighted by the chance of winning."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import Director, Scope
from portfolio.fx import RateBook
from portfolio.model import Client, Opportunity
from portfolio.model.vocab import CLOSED_STAGES, STAGE
from portfolio.money import round_minor
from portfolio.settings import base_currency

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"opportunity", "fx_rate"}) | DIMENSIONS_READS


@dataclass(frozen=True)
class PipelineRow:
    group: str
    key: object
    currency: str
    count: int
    value: int
    weighted: int


def weighted_pipeline(
    session: Session,
    *,
    month: int,
    by: str = "total",
    scope: Scope = Scope(),
    currency: str | None = None,
) -> list[PipelineRow]:
    """Open opportunities (not won or lost), grouped ``by`` client, director or stage.

    Values keep the client's currency for a client grouping; other groupings are
    converted into ``currency`` (default: the base currency) at ``month``'s rates.
    """
    group_columns: list[ColumnElement]
    if by == "client":
        group_columns = [Client.id, Client.name]
    elif by == "director":
        group_columns = [Director.id, Director.name]
    elif by == "stage":
        group_columns = [Opportunity.stage, Opportunity.stage]
    else:
        group_columns = []
    query = (
        select(
            *group_columns,
            Client.currency,
            func.count(),
            func.sum(Opportunity.value),
            func.sum(Opportunity.value * Opportunity.probability),
        )
        .join(Client, Client.id == Opportunity.client_id)
        .join(Director, Director.id == Client.director_id)
        .where(Opportunity.stage.not_in(CLOSED_STAGES))
        .group_by(*group_columns, Client.currency)
    )
    query = scope.apply(query)
    rows = session.execute(query).all()
    convert = by != "client" and (currency or len({row[-4] for row in rows}) > 1)
    target = (currency or base_currency(session)) if convert else None
    rates = RateBook.load(session, target) if target else None
    merged: dict[object, list] = {}
    for row in rows:
        key, name = (row[0], row[1]) if group_columns else (None, "All open opportunities")
        if by == "stage":
            name = STAGE.label(name)
        row_currency, count, value, weighted = row[-4:]
        weighted_value = Decimal(weighted or 0) / 100
        if rates is not None:
            value = rates.convert(value, row_currency, month)
            weighted_value = Decimal(
                rates.convert(round_minor(weighted_value), row_currency, month)
            )
            row_currency = target
        entry = merged.setdefault((key, row_currency), [name, key, row_currency, 0, 0, Decimal(0)])
        entry[3] += count
        entry[4] += value or 0
        entry[5] += weighted_value
    return [
        PipelineRow(name, key, cur, count, value, round_minor(weighted))
        for name, key, cur, count, value, weighted in merged.values()
    ]
