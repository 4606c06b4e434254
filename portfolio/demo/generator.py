"""Write a realistic demo portfolio, the same every time for the same seed and day.

Two calendar years of months (last year and this), actuals for every month before
``today``'s, forecasts for the rest; clients in several currencies and scripts; some
clients in trouble (overspend, revenue shortfall, late requests, falling satisfaction,
renewals due) so that the at-risk list and the recovery plan have something to say.

Rows are generated as tuples and streamed to ``portfolio.storage.bulk`` (executemany
or COPY): at 5,000 clients that is a million budget lines, far beyond what building
ORM objects one by one could do in reasonable time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import os
import random
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from portfolio.demo.names import ClientNamer, Locale, person_names
from portfolio.errors import PortfolioError
from portfolio.files import new_partial, remove_abandoned
from portfolio.model import (
    BudgetLine,
    Campaign,
    CampaignDrop,
    Client,
    ClientRequest,
    Contact,
    Deadline,
    Feedback,
    FxRate,
    MakeupAction,
    MaterialItem,
    Meeting,
    Opportunity,
    SalesObjective,
    TeamMember,
)
from portfolio.model.vocab import CHANNEL
from portfolio.money import exponent
from portfolio.periods import add_months, fiscal_year_of, month_of, months_between
from portfolio.storage import location, totals
from portfolio.storage.bulk import bulk_insert, reset_sequences
from portfolio.storage.database import open_database
from portfolio.storage.failures import explain_os, explain_sqlite

Progress = Callable[[float, str], None]
#: The kind of partial file a demo is built in (``portfolio.files``).
DEMO_KIND = "demo"
T = TypeVar("T")

#: Rough value of one unit of each demo currency in USD, the demo's base currency.
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "PLN": 0.25, "JPY": 0.0067}

PRODUCTS = {
    "insurance": (
        "Term Life 20",
        "Accidental Death",
        "Final Expense",
        "Medicare Supplement",
        "Auto Cross-sell",
        "Hospital Indemnity",
    ),
    "healthcare_benefits": (
        "Open Enrollment",
        "Dental Add-on",
        "Wellness Program",
        "HSA Education",
        "Vision Plan",
    ),
    "banking": (
        "Gold Rewards Card",
        "Premium Membership",
        "Travel Club",
        "Roadside Assistance",
        "Savings Bundle",
    ),
    "election": (
        "Absentee Ballot Mailing",
        "Sample Ballot",
        "Voter Guide",
        "Poll Worker Recruitment",
    ),
    "retail": ("Loyalty Relaunch", "Holiday Catalog", "Spring Sale"),
    "other": ("Brand Awareness", "Member Survey"),
}
#: Average revenue per sale in USD, by vertical (first-year premium, membership fee, ...).
SALE_VALUE = {
    "insurance": 540.0,
    "healthcare_benefits": 320.0,
    "banking": 260.0,
    "election": 0.0,
    "retail": 150.0,
    "other": 200.0,
}
CHANNEL_WEIGHTS = {
    "direct_mail": 35,
    "email": 20,
    "telemarketing": 15,
    "digital": 15,
    "print": 8,
    "social": 5,
    "events": 2,
}
#: Cost per piece in USD and response rate, by channel.
CHANNEL_ECONOMICS = {
    "direct_mail": (0.62, 0.015),
    "email": (0.05, 0.001),
    "telemarketing": (3.4, 0.06),
    "digital": (0.03, 0.0006),
    "print": (0.4, 0.008),
    "social": (0.03, 0.0005),
    "events": (20.0, 0.3),
}
SEASONALITY = (0.85, 0.9, 1.05, 1.05, 1.0, 0.95, 0.85, 0.9, 1.1, 1.15, 1.1, 1.1)
VERTICAL_WEIGHTS = {
    "insurance": 35,
    "healthcare_benefits": 25,
    "banking": 25,
    "election": 8,
    "retail": 7,
}
SLA_HOURS = {"critical": 4, "high": 24, "normal": 72, "low": 168}
STAGE_PROBABILITY = {
    "identified": 10,
    "qualified": 25,
    "proposal": 50,
    "negotiation": 75,
    "won": 100,
    "lost": 0,
}


@dataclass(frozen=True)
class DemoSpec:
    clients: int = 40
    seed: int = 7
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def directors(self) -> int:
        return max(3, round(self.clients / 13))

    @property
    def managers(self) -> int:
        return max(1, self.directors // 6)


@dataclass
class DemoReport:
    target: str
    counts: Counter
    seconds: float


@dataclass
class _ClientPlan:
    id: int
    name: str
    locale: Locale
    vertical: str
    director_id: int
    rep_id: int
    currency: str
    fiscal_year_start: int
    size: float
    spend_bias: float
    revenue_bias: float
    troubled: bool


@dataclass
class _CampaignPlan:
    id: int
    name: str
    channel: str
    months: list[int]
    cost_per_piece: float
    response_rate: float
    conversion: float
    base_spend: float
    drift: float
    revenue_drift: float


def write_demo(
    target: str | Path,
    spec: DemoSpec = DemoSpec(),
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> DemoReport:
    """Write the demo to ``target`` (an SQLite path or a PostgreSQL URL).

    An SQLite demo is built in a partial file beside the target
    (``.NAME.incomplete-demo.HOST-PID-….partial``) and moved into place at the end, so
    an interrupted run leaves no half-written portfolio and an existing file is replaced
    only when ``force`` is given and the new one is complete; the partial files of
    killed runs are removed by the next demo written into that folder.
    """
    if spec.clients < 1:
        raise PortfolioError("--clients must be at least 1")
    started = time.perf_counter()
    url, path = location.resolve(target)
    if path is None:
        database = open_database(target, create=True)
        try:
            with database.engine.begin() as connection:
                if connection.exec_driver_sql("SELECT COUNT(*) FROM client").scalar():
                    raise PortfolioError(
                        f"{database.name} already holds a portfolio; demo data goes into an "
                        "empty database"
                    )
                counts = _generate(connection, spec, progress)
        finally:
            database.close()
        return DemoReport(database.name, counts, time.perf_counter() - started)

    if path.exists() and not force:
        raise PortfolioError(f"{path} already exists; choose another file or pass --force")
    if not path.parent.is_dir():
        raise PortfolioError(f"Cannot write {path}: folder {path.parent} does not exist")
    _remove_abandoned_demos(path.parent)
    try:
        temporary = new_partial(path, DEMO_KIND)
        temporary.unlink()
    except OSError as error:
        raise PortfolioError(str(explain_os(path, error, "write"))) from None
    try:
        try:
            database = open_database(temporary, create=True)
        except PortfolioError as error:
            raise PortfolioError(str(error).replace(str(temporary), str(path))) from None
        database.engine.dispose()
        try:
            with database.engine.connect() as connection:
                # A new private file: no one else reads it until it is moved into place,
                # so the load can skip the journal and fsyncs; WAL is restored at the end.
                connection.exec_driver_sql("PRAGMA journal_mode = DELETE")
                connection.exec_driver_sql("PRAGMA synchronous = OFF")
                connection.commit()
                with connection.begin():
                    counts = _generate(connection, spec, progress)
                connection.exec_driver_sql("PRAGMA journal_mode = WAL")
                connection.commit()
        except DBAPIError as error:
            explained = explain_sqlite(path, error, "write")
            if explained is None:
                raise
            raise explained from None
        finally:
            database.close()
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise PortfolioError(str(explain_os(path, error, "write"))) from None
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    finally:
        _remove_sqlite_files(temporary)
    return DemoReport(str(path), counts, time.perf_counter() - started)


def _remove_abandoned_demos(folder: Path) -> None:
    """Partial demos of killed runs, with SQLite's journal files beside them."""
    for leftover in remove_abandoned(folder, DEMO_KIND):
        _remove_sqlite_files(leftover)


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _generate(connection: Connection, spec: DemoSpec, progress: Progress | None) -> Counter:
    rng = random.Random(spec.seed)
    builder = _Builder(rng, spec)
    counts: Counter = Counter()
    report = progress or (lambda _fraction, _message: None)

    def load(table: Table, columns: tuple[str, ...], rows) -> None:
        counts[table.name] += bulk_insert(connection, table, columns, rows)

    report(0.0, "people")
    load(TeamMember.__table__, builder.TEAM_COLUMNS, builder.team())
    load(FxRate.__table__, builder.FX_COLUMNS, builder.fx_rates())
    clients = builder.plan_clients()
    load(Client.__table__, builder.CLIENT_COLUMNS, builder.client_rows(clients))
    load(Contact.__table__, builder.CONTACT_COLUMNS, builder.contacts(clients))

    report(0.05, "campaigns")
    campaigns: list[tuple] = []
    drops: list[tuple] = []
    plans = [builder.plan_campaigns(client, campaigns, drops) for client in clients]
    load(Campaign.__table__, builder.CAMPAIGN_COLUMNS, campaigns)
    load(CampaignDrop.__table__, builder.DROP_COLUMNS, drops)

    def lines() -> Iterator[tuple]:
        for index, (client, client_plans) in enumerate(zip(clients, plans, strict=True)):
            if index % 250 == 0:
                report(0.1 + 0.75 * index / len(clients), "budget lines")
            yield from builder.budget_lines(client, client_plans)

    # Into an empty portfolio: one grouping of all lines beats a trigger run per line.
    with totals.rebuilt_after(connection):
        load(BudgetLine.__table__, builder.LINE_COLUMNS, lines())

    report(0.88, "service history")
    load(SalesObjective.__table__, builder.OBJECTIVE_COLUMNS, builder.objectives())
    load(MakeupAction.__table__, builder.ACTION_COLUMNS, builder.makeup_actions(clients))
    load(ClientRequest.__table__, builder.REQUEST_COLUMNS, builder.requests(clients))
    load(Feedback.__table__, builder.FEEDBACK_COLUMNS, builder.feedback(clients))
    load(Opportunity.__table__, builder.OPPORTUNITY_COLUMNS, builder.opportunities(clients))
    materials: list[tuple] = []
    load(Deadline.__table__, builder.DEADLINE_COLUMNS, builder.deadlines(clients, materials))
    load(MaterialItem.__table__, builder.MATERIAL_COLUMNS, materials)
    load(Meeting.__table__, builder.MEETING_COLUMNS, builder.meetings(clients))
    reset_sequences(
        connection,
        [
            TeamMember.__table__,
            FxRate.__table__,
            Client.__table__,
            Contact.__table__,
            Campaign.__table__,
            CampaignDrop.__table__,
            BudgetLine.__table__,
            SalesObjective.__table__,
            MakeupAction.__table__,
            ClientRequest.__table__,
            Feedback.__table__,
            Opportunity.__table__,
            Deadline.__table__,
            MaterialItem.__table__,
            Meeting.__table__,
        ],
    )
    report(1.0, "done")
    return counts


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join(part.lower() for part in ascii_name.replace("'", "").split())


class _Builder:
    """Generates each table's rows; ids are assigned here so no RETURNING is needed."""

    TEAM_COLUMNS = ("id", "name", "email", "role", "manager_id", "active")
    FX_COLUMNS = ("id", "currency", "quote", "month", "rate")
    CLIENT_COLUMNS = (
        "id",
        "name",
        "vertical",
        "status",
        "director_id",
        "rep_id",
        "contract_start",
        "contract_end",
        "renewal_date",
        "pricing_model",
        "compensation_terms",
        "currency",
        "fiscal_year_start",
        "notes",
    )
    CONTACT_COLUMNS = ("id", "client_id", "name", "title", "email", "phone", "is_primary")
    CAMPAIGN_COLUMNS = (
        "id",
        "client_id",
        "name",
        "product",
        "channel",
        "status",
        "start_date",
        "end_date",
        "persistency_pct",
        "persistency_months",
        "post_mortem",
    )
    DROP_COLUMNS = ("id", "campaign_id", "drop_date", "pieces")
    LINE_COLUMNS = (
        "id",
        "campaign_id",
        "month",
        "spend_budget",
        "spend_forecast",
        "spend_actual",
        "revenue_budget",
        "revenue_forecast",
        "revenue_actual",
        "sales_budget",
        "sales_forecast",
        "sales_actual",
        "pieces",
        "responses",
    )
    OBJECTIVE_COLUMNS = ("id", "director_id", "month", "currency", "revenue_objective")
    ACTION_COLUMNS = (
        "id",
        "client_id",
        "campaign_id",
        "measure",
        "action_type",
        "description",
        "owner_id",
        "target_month",
        "amount",
        "status",
    )
    REQUEST_COLUMNS = (
        "id",
        "client_id",
        "category",
        "priority",
        "subject",
        "detail",
        "owner_id",
        "status",
        "opened_at",
        "sla_due_at",
        "resolved_at",
        "escalation_level",
    )
    FEEDBACK_COLUMNS = ("id", "client_id", "received_on", "kind", "score", "comment")
    OPPORTUNITY_COLUMNS = (
        "id",
        "client_id",
        "name",
        "kind",
        "stage",
        "value",
        "probability",
        "expected_close",
        "owner_id",
        "notes",
    )
    DEADLINE_COLUMNS = (
        "id",
        "client_id",
        "campaign_id",
        "title",
        "due_date",
        "legally_required",
        "owner_id",
        "completed_on",
        "notes",
    )
    MATERIAL_COLUMNS = ("id", "deadline_id", "name", "quantity", "status", "status_on")
    MEETING_COLUMNS = ("id", "client_id", "held_on", "title", "attendees", "notes", "next_steps")

    def __init__(self, rng: random.Random, spec: DemoSpec) -> None:
        self.rng = rng
        self.spec = spec
        self.today = spec.today
        self.as_of = add_months(month_of(spec.today), -1)
        self.first_month = (spec.today.year - 1) * 100 + 1
        self.last_month = spec.today.year * 100 + 12
        self.months = months_between(self.first_month, self.last_month)
        self.ids: Counter = Counter()
        self.directors: list[int] = []
        self.reps_of: dict[int, list[int]] = {}
        self.names: dict[int, str] = {}
        self.fx: dict[tuple[str, int], float] = {}
        #: Revenue budget in USD by director and month, for their sales objectives.
        self.director_revenue: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        self.campaigns_of: dict[int, list[tuple[int, str, int, int, str]]] = defaultdict(list)

    # Random draws. ``random.randint``/``choice``/``choices`` cost a microsecond or more
    # each; these do the same from one ``random()`` call, which matters a million times.
    def between(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def pick(self, values: Sequence[T]) -> T:
        return values[int(self.rng.random() * len(values))]

    def weighted(self, values: Sequence[T], cumulative: Sequence[float]) -> T:
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # people ---------------------------------------------------------------------------
    def team(self) -> Iterator[tuple]:
        spec = self.spec
        count = spec.managers + spec.directors * 3
        names = person_names(self.rng, count)
        emails: set[str] = set()

        def email(name: str) -> str:
            base = _slug(name)
            candidate = f"{base}@example.com"
            number = 2
            while candidate in emails:
                candidate = f"{base}{number}@example.com"
                number += 1
            emails.add(candidate)
            return candidate

        managers = []
        for _ in range(spec.managers):
            member = self.next_id("team")
            self.names[member] = names[member - 1]
            managers.append(member)
            yield (member, names[member - 1], email(names[member - 1]), "manager", None, True)
        for index in range(spec.directors):
            director = self.next_id("team")
            self.names[director] = names[director - 1]
            self.directors.append(director)
            manager = managers[index % len(managers)]
            yield (
                director,
                names[director - 1],
                email(names[director - 1]),
                "account_director",
                manager,
                True,
            )
        for director in self.directors:
            self.reps_of[director] = []
            for _ in range(2):
                rep = self.next_id("team")
                self.names[rep] = names[rep - 1]
                self.reps_of[director].append(rep)
                yield (rep, names[rep - 1], email(names[rep - 1]), "account_rep", director, True)

    def fx_rates(self) -> Iterator[tuple]:
        for currency, usd in USD_PER_UNIT.items():
            if currency == "USD":
                continue
            level = usd
            for month in self.months:
                level *= 1 + (self.rng.random() - 0.5) * 0.03
                rate = Decimal(str(level)).quantize(Decimal("0.00000001"))
                self.fx[(currency, month)] = float(rate)
                yield (self.next_id("fx"), currency, "USD", month, rate)

    # clients --------------------------------------------------------------------------
    def plan_clients(self) -> list[_ClientPlan]:
        rng = self.rng
        namer = ClientNamer(rng)
        plans = []
        for index in range(self.spec.clients):
            locale = namer.pick_locale(index)
            if locale.key == "us":
                vertical = (
                    "election"
                    if index == 5
                    else rng.choices(
                        list(VERTICAL_WEIGHTS), weights=list(VERTICAL_WEIGHTS.values())
                    )[0]
                )
            else:
                vertical = self.pick(ClientNamer.verticals_for(locale))
            director = self.directors[index % len(self.directors)]
            troubled = index % 7 == 3 or rng.random() < 0.06
            spend_bias = rng.gauss(0.0, 0.04)
            revenue_bias = rng.gauss(0.0, 0.05)
            if troubled:
                if rng.random() < 0.5:
                    spend_bias = 0.12 + rng.random() * 0.15
                else:
                    revenue_bias = -(0.15 + rng.random() * 0.15)
            plans.append(
                _ClientPlan(
                    id=self.next_id("client"),
                    name=namer.name(locale, vertical),
                    locale=locale,
                    vertical=vertical,
                    director_id=director,
                    rep_id=self.pick(self.reps_of[director]),
                    currency=locale.currency,
                    fiscal_year_start=1 if rng.random() < 0.8 else self.pick((4, 7, 10)),
                    size=math.exp(rng.gauss(0.0, 0.5)),
                    spend_bias=spend_bias,
                    revenue_bias=revenue_bias,
                    troubled=troubled,
                )
            )
        return plans

    def client_rows(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        rng = self.rng
        terms = {
            "fixed_fee": "Monthly retainer, invoiced in advance",
            "per_piece": "Per piece mailed, invoiced at each drop",
            "per_sale": "Fee per sale, paid monthly in arrears",
            "revenue_share": "Share of first-year revenue, paid quarterly",
            "hybrid": "Retainer plus a bonus per sale above target",
        }
        for client in clients:
            soon = rng.random() < 0.15 or client.troubled and rng.random() < 0.3
            renewal = self.today + dt.timedelta(
                days=self.between(5, 85) if soon else self.between(120, 900)
            )
            start = (
                renewal.replace(year=renewal.year - 3)
                if not (renewal.month == 2 and renewal.day == 29)
                else dt.date(renewal.year - 3, 2, 28)
            )
            status = rng.choices(("active", "onboarding", "paused"), weights=(88, 6, 6))[0]
            pricing = self.pick(tuple(terms))
            notes = "Prefers quarterly reviews on site." if rng.random() < 0.3 else None
            yield (
                client.id,
                client.name,
                client.vertical,
                status,
                client.director_id,
                client.rep_id,
                start,
                renewal,
                renewal,
                pricing,
                terms[pricing],
                client.currency,
                client.fiscal_year_start,
                notes,
            )

    def contacts(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        titles = ("Marketing Director", "VP Marketing", "Procurement Lead", "Product Manager")
        for client in clients:
            for position, name in enumerate(person_names(self.rng, self.between(2, 3))):
                yield (
                    self.next_id("contact"),
                    client.id,
                    name,
                    titles[position % len(titles)],
                    f"{_slug(name)}@client{client.id}.example",
                    None,
                    position == 0,
                )

    # campaigns and budget lines -----------------------------------------------------
    def plan_campaigns(
        self, client: _ClientPlan, campaigns: list[tuple], drops: list[tuple]
    ) -> list[_CampaignPlan]:
        """Decide the client's campaigns, adding their rows and drops to the lists given."""
        rng = self.rng
        rand = rng.random
        usd_rate = USD_PER_UNIT[client.currency]
        products = PRODUCTS[client.vertical]
        channels = (
            ("direct_mail", "print") if client.vertical == "election" else tuple(CHANNEL_WEIGHTS)
        )
        cumulative = list(accumulate(CHANNEL_WEIGHTS[c] for c in channels))
        used_names: set[str] = set()
        plans = []
        for _ in range(self.between(6, 14)):
            campaign_id = self.next_id("campaign")
            channel = self.weighted(channels, cumulative)
            product = self.pick(products)
            duration = 24 - self.between(0, 8)
            offset = self.between(0, 24 - duration)
            campaign_months = self.months[offset : offset + duration]
            wave = 1
            name = f"{product} {CHANNEL.label(channel)}"
            while name in used_names:
                wave += 1
                name = f"{product} {CHANNEL.label(channel)} {wave}"
            used_names.add(name)
            cost_per_piece, response_rate = CHANNEL_ECONOMICS[channel]
            plan = _CampaignPlan(
                id=campaign_id,
                name=name,
                channel=channel,
                months=campaign_months,
                cost_per_piece=cost_per_piece / usd_rate,
                response_rate=response_rate,
                conversion=0.15 + rand() * 0.2,
                base_spend=18_000 * client.size * (0.6 + rand() * 0.8) / usd_rate,
                drift=client.spend_bias * 0.6 + (rand() - 0.5) * 0.04,
                revenue_drift=client.revenue_bias * 0.6 + (rand() - 0.5) * 0.04,
            )
            plans.append(plan)
            first, last = campaign_months[0], campaign_months[-1]
            start = dt.date(first // 100, first % 100, 1)
            end_next = add_months(last, 1)
            end = dt.date(end_next // 100, end_next % 100, 1) - dt.timedelta(days=1)
            if end < self.today:
                status = "completed"
            elif start > self.today:
                status = "planned"
            else:
                status = "active" if rand() > 0.04 else "on_hold"
            persistent = client.vertical in ("insurance", "banking") and first <= add_months(
                self.as_of, -6
            )
            campaigns.append(
                (
                    campaign_id,
                    client.id,
                    name,
                    product,
                    channel,
                    status,
                    start,
                    end,
                    Decimal(f"{70 + rand() * 25:.2f}") if persistent else None,
                    13 if persistent else None,
                    "Response beat plan in the second drop; creative B outperformed."
                    if status == "completed" and rand() < 0.5
                    else None,
                )
            )
            self.campaigns_of[client.id].append((campaign_id, name, first, last, channel))
            if channel in ("direct_mail", "print", "email"):
                for month in campaign_months[::3]:
                    drops.append(
                        (
                            self.next_id("drop"),
                            campaign_id,
                            dt.date(month // 100, month % 100, 5 + self.between(0, 15)),
                            int(plan.base_spend / plan.cost_per_piece),
                        )
                    )
        return plans

    def budget_lines(self, client: _ClientPlan, plans: list[_CampaignPlan]) -> Iterator[tuple]:
        """The monthly lines of ``plans``: the hot loop of a big demo, kept lean.

        Budgets and forecasts depend only on the campaign and the month of the year, so
        they are worked out once per campaign for the twelve months; the per-line work
        is the random noise on the actuals.
        """
        rand = self.rng.random
        as_of = self.as_of
        unit = 10 ** exponent(client.currency)
        usd_rate = USD_PER_UNIT[client.currency]
        sale_value = SALE_VALUE[client.vertical] / usd_rate
        spend_bias = 1 + client.spend_bias
        sales_bias = 1 + client.revenue_bias
        revenue_by_month = self.director_revenue[client.director_id]
        line_id = self.ids["line"]
        for plan in plans:
            # Re-forecasts made during the year moved half-way towards where the
            # campaign is heading; forecasts for open months carry the full drift.
            closed_spend_drift = 1 + plan.drift * 0.5
            closed_revenue_drift = 1 + plan.revenue_drift * 0.5
            by_month_of_year = []
            for season in SEASONALITY:
                spend = int(plan.base_spend * season / 100 + 0.5) * 100
                sales = int(
                    spend / plan.cost_per_piece * plan.response_rate * plan.conversion + 0.5
                )
                revenue = int(sales * sale_value + 0.5)
                by_month_of_year.append(
                    (
                        spend * unit,
                        revenue * unit,
                        sales,
                        int(spend * closed_spend_drift + 0.5) * unit,
                        int(revenue * closed_revenue_drift + 0.5) * unit,
                        revenue * usd_rate,
                    )
                )
            # Actuals: spend = budget * (bias +- 5%); pieces from the cost per piece;
            # responses at the channel's rate +-15%; sales by conversion; revenue +-3%.
            spend_low = spend_bias - 0.05
            pieces_per_minor = 1 / (plan.cost_per_piece * unit)
            responses_low = plan.response_rate * 0.85
            responses_span = plan.response_rate * 0.3
            sales_per_response = plan.conversion * sales_bias
            revenue_low = sale_value * unit * 0.97
            revenue_span = sale_value * unit * 0.06
            for month in plan.months:
                (
                    spend_budget,
                    revenue_budget,
                    sales_budget,
                    spend_fc_closed,
                    revenue_fc_closed,
                    usd,
                ) = by_month_of_year[month % 100 - 1]
                revenue_by_month[month] += usd
                line_id += 1
                if month <= as_of:
                    spend_actual = int(spend_budget * (spend_low + rand() * 0.1))
                    pieces = int(spend_actual * pieces_per_minor + 0.5)
                    responses = int(pieces * (responses_low + rand() * responses_span) + 0.5)
                    sales_actual = int(responses * sales_per_response + 0.5)
                    yield (
                        line_id,
                        plan.id,
                        month,
                        spend_budget,
                        spend_fc_closed,
                        spend_actual,
                        revenue_budget,
                        revenue_fc_closed,
                        int(sales_actual * (revenue_low + rand() * revenue_span)),
                        sales_budget,
                        sales_budget,
                        sales_actual,
                        pieces,
                        responses,
                    )
                else:
                    yield (
                        line_id,
                        plan.id,
                        month,
                        spend_budget,
                        int(spend_budget * (1 + plan.drift)),
                        None,
                        revenue_budget,
                        int(revenue_budget * (1 + plan.revenue_drift)),
                        None,
                        sales_budget,
                        int(sales_budget * (1 + plan.revenue_drift) + 0.5),
                        None,
                        None,
                        None,
                    )
        self.ids["line"] = line_id

    def objectives(self) -> Iterator[tuple]:
        for director, by_month in sorted(self.director_revenue.items()):
            for month, revenue in sorted(by_month.items()):
                objective = round(revenue * 1.03 / 1000) * 1000
                yield (self.next_id("objective"), director, month, "USD", objective * 100)

    # recovery, service, pipeline, deadlines, meetings -------------------------------
    def makeup_actions(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        for client in clients:
            if not client.troubled:
                continue
            year = fiscal_year_of(self.as_of, client.fiscal_year_start)
            remaining = months_between(add_months(self.as_of, 1), year.last) or [
                add_months(self.as_of, 1)
            ]
            measure = "spend" if client.spend_bias > 0.1 else "revenue"
            unit = 10 ** exponent(client.currency)
            campaigns = self.campaigns_of[client.id]
            options = (
                ("spend_cut", "Pause the lowest-responding list segments"),
                ("repriced_offer", "Re-priced offer to lapsed responders"),
                ("extra_drop", "Extra drop to the best-performing segment"),
                ("new_channel", "Test an email follow-up to non-responders"),
            )
            for number in range(self.between(1, 2)):
                action_type, description = options[
                    (0 if measure == "spend" else 1 + number) % len(options)
                ]
                campaign = self.pick(campaigns) if campaigns else None
                yield (
                    self.next_id("action"),
                    client.id,
                    campaign[0] if campaign else None,
                    measure,
                    action_type,
                    description,
                    client.rep_id,
                    self.pick(remaining),
                    round(client.size * 6000 / USD_PER_UNIT[client.currency]) * unit,
                    self.pick(("planned", "in_progress")),
                )

    def requests(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        rng = self.rng
        now = dt.datetime.combine(self.today, dt.time(9, 0))
        subjects = {
            "billing": (
                "Invoice query for last drop",
                "Credit note for reprint",
                "PO number missing",
            ),
            "technical": ("Response file format changed", "Landing page tracking broken"),
            "renewal": ("Renewal terms for next contract", "Pricing review before renewal"),
            "retention": ("Client considering another vendor", "Escalation from CMO"),
            "service": ("Proof approval delayed", "Change of mailing list", "Rush job request"),
        }
        categories = tuple(subjects)
        priorities = tuple(SLA_HOURS)
        for client in clients:
            for _ in range(self.between(4, 12)):
                category = self.weighted(categories, (25, 45, 55, 63, 100))
                priority = self.weighted(priorities, (5, 25, 80, 100))
                opened = now - dt.timedelta(minutes=self.between(60, 365 * 24 * 60))
                due = opened + dt.timedelta(hours=SLA_HOURS[priority])
                late_share = 0.45 if client.troubled else 0.03
                resolved = None
                status = self.pick(("open", "in_progress", "waiting"))
                if opened < now - dt.timedelta(days=10) or rng.random() < 0.5:
                    factor = (
                        1.2 + rng.random() * 2
                        if rng.random() < late_share
                        else 0.1 + rng.random() * 0.85
                    )
                    candidate = opened + dt.timedelta(hours=SLA_HOURS[priority] * factor)
                    if candidate < now:
                        resolved = candidate.replace(microsecond=0)
                        status = self.pick(("resolved", "closed"))
                escalation = 0
                if (resolved and resolved > due) or (resolved is None and due < now):
                    escalation = self.between(1, 2)
                yield (
                    self.next_id("request"),
                    client.id,
                    category,
                    priority,
                    self.pick(subjects[category]),
                    None,
                    client.rep_id,
                    status,
                    opened.replace(microsecond=0),
                    due.replace(microsecond=0),
                    resolved,
                    escalation,
                )

    def feedback(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        rng = self.rng
        comments = (
            "Very responsive team.",
            "Reporting arrived late this quarter.",
            "Great creative, results on plan.",
            "Concerned about rising cost per sale.",
            "Account team knows our business.",
            None,
        )
        for client in clients:
            level = 3.6 + rng.random() * 1.2
            for quarter in range(8):
                day = self.today - dt.timedelta(days=(7 - quarter) * 91 + self.between(0, 20))
                if client.troubled and quarter >= 6:
                    level -= 0.8 + rng.random() * 0.4
                score = max(1, min(5, round(level + (rng.random() - 0.5))))
                yield (self.next_id("feedback"), client.id, day, "csat", score, self.pick(comments))
            for half in range(4):
                day = self.today - dt.timedelta(days=(3 - half) * 182 + 30)
                nps = max(0, min(10, round(level * 2 + (rng.random() - 0.5) * 2)))
                yield (self.next_id("feedback"), client.id, day, "nps", nps, None)

    def opportunities(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        rng = self.rng
        for client in clients:
            unit = 10 ** exponent(client.currency)
            names: set[str] = set()
            for _ in range(self.between(1, 4)):
                kind = self.pick(("cross_sell", "up_sell", "renewal"))
                product = self.pick(PRODUCTS[client.vertical])
                name = {
                    "cross_sell": f"Cross-sell {product}",
                    "up_sell": f"Expand {product}",
                    "renewal": "Contract renewal",
                }[kind]
                if name in names:
                    continue
                names.add(name)
                stage = self.weighted(tuple(STAGE_PROBABILITY), (20, 45, 65, 80, 92, 100))
                value = (
                    round(
                        client.size
                        * (20_000 + rng.random() * 180_000)
                        / USD_PER_UNIT[client.currency]
                        / 100
                    )
                    * 100
                )
                close = self.today + dt.timedelta(days=self.between(-120, 240))
                yield (
                    self.next_id("opportunity"),
                    client.id,
                    name,
                    kind,
                    stage,
                    value * unit,
                    STAGE_PROBABILITY[stage],
                    close,
                    client.director_id,
                    None,
                )

    def deadlines(self, clients: list[_ClientPlan], materials: list[tuple]) -> Iterator[tuple]:
        rng = self.rng
        items = (
            "Outer envelopes",
            "Reply envelopes",
            "Letter inserts",
            "Address stickers",
            "Brochures",
            "Ballot stock",
        )
        for client in clients:
            election = client.vertical == "election"
            for campaign_id, name, first, last, channel in self.campaigns_of[client.id]:
                if channel not in ("direct_mail", "print", "email"):
                    continue
                if not first <= month_of(self.today) <= add_months(last, 1):
                    continue
                due = self.today + dt.timedelta(days=self.between(-20, 60))
                deadline_id = self.next_id("deadline")
                title = (
                    f"{name}: ballots mailed (statutory)"
                    if election
                    else f"{name}: mail drop"
                    if channel != "email"
                    else f"{name}: send"
                )
                completed = (
                    due - dt.timedelta(days=1) if due < self.today and rng.random() < 0.85 else None
                )
                yield (
                    deadline_id,
                    client.id,
                    campaign_id,
                    title,
                    due,
                    election,
                    client.rep_id,
                    completed,
                    None,
                )
                if channel == "email":
                    continue
                for item in rng.sample(items[:5] if not election else items, 3):
                    days_left = (due - self.today).days
                    status = (
                        "received"
                        if days_left < 7 or rng.random() < 0.3
                        else self.pick(("needed", "approved", "ordered"))
                    )
                    materials.append(
                        (
                            self.next_id("material"),
                            deadline_id,
                            item,
                            self.between(5, 200) * 1000,
                            status,
                            self.today - dt.timedelta(days=self.between(1, 20)),
                        )
                    )

    def meetings(self, clients: list[_ClientPlan]) -> Iterator[tuple]:
        steps = (
            "Send revised forecast by Friday; agree test cells for next drop.",
            "Share response analysis by segment; schedule creative review.",
            "Confirm renewal pricing; propose email follow-up test.",
        )
        for client in clients:
            for quarter in range(4):
                held = self.today - dt.timedelta(days=(3 - quarter) * 91 + self.between(5, 40))
                yield (
                    self.next_id("meeting"),
                    client.id,
                    held,
                    "Quarterly business review",
                    f"{self.names[client.director_id]}, {self.names[client.rep_id]}",
                    "Reviewed results against budget and the year's outlook.",
                    self.pick(steps),
                )
