"""The make-up plan for negative variances: how much to recover, and by when.

Year to date follows each client's own fiscal year (a client whose year starts in July
is judged on July to date), so the grouping is computed in SQL from the client's
``fiscal_year_start``. For every group whose year-to-date variance is unfavourable, the
shortfall is spread over the fiscal year's remaining months, to the cent, and set
against the make-up actions already planned for those months.

How planned actions count (one rule, used by the app, the command line and the decks):
an action counts when it is open (planned or in progress), is for the measure, and
targets one of the remaining months of its client's fiscal year. At client level every
such action of the client counts, whether or not it names a campaign. At campaign level
each campaign counts its own actions, and a client's other counted actions - those for
the whole client, or for a campaign with no shortfall - are one "whole client" item
(no shortfall of its own), so a client's items always add up to its client-level plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import READS as DIMENSIONS_READS
from portfolio.analytics.dimensions import TOTALS, Director, Scope, lines_query, source_for
from portfolio.analytics.variance import READS as VARIANCE_READS
from portfolio.analytics.variance import measure, percent, percent_hundredths
from portfolio.model import Campaign, Client, MakeupAction, MonthTotal
from portfolio.money import spread
from portfolio.periods import Period, add_months, fiscal_year_of, months_between, year_to_date

#: The tables these figures are read from: a change to any of them may move them
#: (``portfolio.actions.Changes.touches``).
READS = frozenset({"makeup_action"}) | DIMENSIONS_READS | VARIANCE_READS

OPEN_ACTION_STATUSES = ("planned", "in_progress")


class RecoveryItem(NamedTuple):
    """One row of a make-up plan: a client's (or, campaign-level, a campaign's) shortfall
    this year to date, and what open make-up actions should recover of it.

    A named tuple rather than a frozen dataclass: a campaign-level plan of the million-
    line demo has 27,000 items, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) took 0.1 s of the campaign level's 0.2 s.
    """

    client_id: int
    client: str
    campaign_id: int | None
    campaign: str | None
    director: str
    currency: str | None
    measure: str
    ytd_budget: int
    ytd_actual: int
    #: How much the unfavourable variance is, as a positive amount to recover.
    shortfall: int
    remaining_months: tuple[int, ...]
    #: What open make-up actions aimed at the remaining months should recover.
    planned: int
    #: A campaign-level plan's item for a client's actions not tied to a listed campaign.
    whole_client: bool = False
    #: The year to date the shortfall is measured over, named with its months.
    ytd: Period | None = None

    @property
    def per_month(self) -> tuple[int, ...]:
        """``shortfall`` spread over ``remaining_months`` to the cent (``money.spread``);
        empty when the year is over. Made when read: a campaign-level plan has 27,000
        items, and a pane shows a screenful (40 ms of the campaign level's 0.2 s)."""
        return tuple(spread(self.shortfall, len(self.remaining_months)))

    @property
    def shortfall_pct(self) -> Decimal | None:
        return percent(self.shortfall, self.ytd_budget)

    @property
    def uncovered(self) -> int:
        return max(0, self.shortfall - self.planned)

    @property
    def group(self) -> str:
        if self.whole_client:
            return f"{self.client} / {WHOLE_CLIENT}"
        return f"{self.client} / {self.campaign}" if self.campaign else self.client

    @property
    def label(self) -> str:
        """The campaign, or what stands for it: ``whole client`` or the client's name."""
        if self.whole_client:
            return WHOLE_CLIENT
        return self.campaign or self.client

    @property
    def amount_to_make_up(self) -> int:
        """What a new make-up action for this item should recover: what is not covered."""
        return self.uncovered or self.shortfall


#: The label of a campaign-level plan's item for actions not tied to a listed campaign.
WHOLE_CLIENT = "whole client (actions not tied to a listed campaign)"


@dataclass(frozen=True)
class PlanTotal:
    """One measure's plan: to make up, planned, and not covered (never below 0 per client)."""

    shortfall: int
    planned: int
    uncovered: int


def plan_totals(items: list[RecoveryItem]) -> dict[str, PlanTotal]:
    """Measure -> totals over ``items``, spend first; measures are never added together.

    Not covered is worked out per client (its shortfall less all its planned actions),
    so a client-level action covers the client's campaigns.
    """
    out: dict[str, PlanTotal] = {}
    for name in ("spend", "revenue", "sales"):
        mine = [item for item in items if item.measure == name]
        if not mine:
            continue
        by_client: dict[int, list[RecoveryItem]] = {}
        for item in mine:
            by_client.setdefault(item.client_id, []).append(item)
        uncovered = sum(
            max(0, sum(i.shortfall for i in group) - sum(i.planned for i in group))
            for group in by_client.values()
        )
        out[name] = PlanTotal(
            sum(item.shortfall for item in mine), sum(item.planned for item in mine), uncovered
        )
    return out


def fiscal_year_first_month(as_of: int, calendar: bool = False) -> ColumnElement[int]:
    """SQL for the first month of each client's fiscal year containing ``as_of``
    (of the calendar year, January, with ``calendar``)."""
    year, month = divmod(as_of, 100)
    if calendar:
        return literal(year * 100 + 1)
    start = Client.fiscal_year_start
    return case(
        (literal(month) >= start, literal(year * 100) + start),
        else_=literal((year - 1) * 100) + start,
    )


def recovery_plan(
    session: Session,
    *,
    as_of: int,
    measure_name: str = "spend",
    level: str = "client",
    scope: Scope = Scope(),
    calendar: bool = False,
) -> list[RecoveryItem]:
    """Every client (or campaign) with an unfavourable year-to-date variance.

    Year to date is each client's fiscal year to date, or with ``calendar`` January to
    ``as_of`` for everyone (so a page that shows calendar periods means one thing).
    """
    m = measure(measure_name)
    by_campaign = level == "campaign"
    rows = _rows_from_cubes(session, m, by_campaign, as_of, calendar, scope)
    if rows is None:
        rows = _rows_from_sql(session, m, level, as_of, calendar, scope)
    return _plan(session, rows, m, by_campaign, as_of, calendar)


def _rows_from_cubes(
    session: Session, m, by_campaign: bool, as_of: int, calendar: bool, scope: Scope
) -> list | None:
    """The year-to-date rows from the figure cubes lent to ``session``, if any."""
    if not session.info:
        return None
    from portfolio.analytics import cube_recovery
    from portfolio.analytics.cubes import cubes_of

    cubes = cubes_of(session)
    if cubes is None:
        return None
    if by_campaign:
        return cube_recovery.campaign_rows(cubes.campaigns(session), m, as_of, calendar, scope)
    cube = cubes.months(session)
    if cube is None:
        return None
    return cube_recovery.client_rows(cube, m, as_of, calendar, scope)


def _rows_from_sql(
    session: Session, m, level: str, as_of: int, calendar: bool, scope: Scope
) -> list:
    """(client id, name, fiscal start, director, [currency], [campaign id, name], ytd
    budget, ytd actual) of each group with an unfavourable year to date, by name."""
    by_campaign = level == "campaign"
    # A client's year to date is a run of whole months: its monthly totals answer it.
    source = source_for((level,), scope)
    if source is TOTALS:
        budget, actual = func.sum(m.totals[0]), func.sum(m.totals[2])
    else:
        budget, actual = func.sum(m.budget), func.sum(func.coalesce(m.actual, 0))
    keys: list[ColumnElement] = [Client.id, Client.name, Client.fiscal_year_start, Director.name]
    if m.is_money:
        keys.append(Client.currency)
    if by_campaign:
        keys += [Campaign.id, Campaign.name]
    months = source.month.between(fiscal_year_first_month(as_of, calendar), as_of)
    if source is TOTALS:
        query = _from_totals(keys, budget, actual, months, scope, m.higher_is_better)
    else:
        query = (
            lines_query([*keys, budget, actual], [], source)
            .join(Director, Director.id == Client.director_id)
            .where(months)
        )
        query = scope.apply(query).group_by(*keys)
        shortfall_sql = actual - budget if not m.higher_is_better else budget - actual
        query = query.having(shortfall_sql > 0)
    query = query.order_by(Client.name, *keys[-1:] if by_campaign else [])

    return session.connection().execute(query).all()


def _plan(
    session: Session, rows: list, m, by_campaign: bool, as_of: int, calendar: bool
) -> list[RecoveryItem]:
    planned = _planned_actions(session, m.name, as_of)
    items = []
    whole: dict[int, RecoveryItem] = {}
    listed_by_client: dict[int, set[int]] = {}
    calendars: dict[int, tuple[Period, tuple[int, ...]]] = {}
    #: Client -> campaign (None: the whole client) -> its counted actions' amounts,
    #: summed once per client rather than once per campaign row (27,000 on the demo).
    counted_by_client: dict[int, dict[int | None, int]] = {}
    if by_campaign:
        for row in rows:
            listed_by_client.setdefault(row[0], set()).add(row[-4])
    for row in rows:
        client_id, client, fiscal_start, director = row[:4]
        currency = row[4] if m.is_money else None
        campaign_id, campaign = (row[-4], row[-3]) if by_campaign else (None, None)
        ytd_budget, ytd_actual = row[-2], row[-1]
        shortfall = abs(ytd_actual - ytd_budget)
        if calendar:
            fiscal_start = 1
        years = calendars.get(fiscal_start)
        if years is None:  # a handful of year starts for thousands of rows
            year = fiscal_year_of(as_of, fiscal_start)
            years = calendars[fiscal_start] = (
                year_to_date(as_of, fiscal_start),
                tuple(months_between(add_months(as_of, 1), year.last)),
            )
        ytd, remaining = years
        counted = counted_by_client.get(client_id)
        first_of_client = counted is None
        if first_of_client:
            counted = counted_by_client[client_id] = {}
            for action_campaign, month, amount in planned.get(client_id, ()):
                if month in remaining:
                    counted[action_campaign] = counted.get(action_campaign, 0) + amount
        if by_campaign:
            planned_amount = counted.get(campaign_id, 0)
        else:
            planned_amount = sum(counted.values())
        if by_campaign and first_of_client:
            listed = listed_by_client[client_id]
            other = sum(
                amount
                for action_campaign, amount in counted.items()
                if action_campaign not in listed
            )
            if other:
                whole[client_id] = RecoveryItem(
                    client_id,
                    client,
                    None,
                    None,
                    director,
                    currency,
                    m.name,
                    0,
                    0,
                    0,
                    remaining,
                    other,
                    whole_client=True,
                    ytd=ytd,
                )
        items.append(
            RecoveryItem(
                client_id,
                client,
                campaign_id,
                campaign,
                director,
                currency,
                m.name,
                ytd_budget,
                ytd_actual,
                shortfall,
                remaining,
                planned_amount,
                ytd=ytd,
            )
        )
    items.sort(key=lambda item: (-percent_hundredths(item.shortfall, item.ytd_budget), item.group))
    return items + sorted(whole.values(), key=lambda item: item.client)


def _from_totals(keys, budget, actual, months, scope: Scope, higher_is_better: bool) -> Select:
    """Each client's year to date, summed per client first: the totals' index by client
    and month gives each client's months in order, so nothing is sorted to group."""
    per_client = (
        scope.apply(
            lines_query(
                [MonthTotal.client_id, budget.label("budget"), actual.label("actual")], [], TOTALS
            ).where(months)
        )
        .group_by(MonthTotal.client_id)
        .subquery("ytd")
    )
    shortfall = (
        per_client.c.actual - per_client.c.budget
        if not higher_is_better
        else per_client.c.budget - per_client.c.actual
    )
    return (
        select(*keys, per_client.c.budget, per_client.c.actual)
        .select_from(per_client)
        .join(Client, Client.id == per_client.c.client_id)
        .join(Director, Director.id == Client.director_id)
        .where(shortfall > 0)
    )


def _planned_actions(
    session: Session, measure_name: str, as_of: int
) -> dict[int, list[tuple[int | None, int, int]]]:
    """Open make-up actions after ``as_of`` by client: (campaign or None, month, amount)."""
    rows = (
        session.connection()
        .execute(
            select(
                MakeupAction.client_id,
                MakeupAction.campaign_id,
                MakeupAction.target_month,
                MakeupAction.amount,
            ).where(
                and_(
                    MakeupAction.measure == measure_name,
                    MakeupAction.status.in_(OPEN_ACTION_STATUSES),
                    MakeupAction.target_month > as_of,
                )
            )
        )
        .all()
    )
    planned: dict[int, list[tuple[int | None, int, int]]] = {}
    for client_id, campaign_id, month, amount in rows:
        planned.setdefault(client_id, []).append((campaign_id, month, amount))
    return planned
