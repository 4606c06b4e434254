"""A client's figures turned into the deck's slides: what each slide says, in words.

Each section is one function from ``DeckContent`` to slides, or to one line saying
there is nothing to show (the executive summary gathers those lines, so a section
without data never becomes an empty chart or a blank table). Money is formatted in the
client's currency; a variance always says "Favourable" or "Unfavourable" in words,
never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from portfolio.analytics.recovery import plan_totals
from portfolio.analytics.summary import MEASURE_NAMES
from portfolio.analytics.variance import VarianceRow, percent
from portfolio.decks.content import DeckContent
from portfolio.decks.options import SECTIONS
from portfolio.decks.outline import (
    Bullets,
    Cell,
    Chart,
    Column,
    Deck,
    Kpi,
    KpiRow,
    Row,
    Series,
    Slide,
    Table,
    Text,
    TitleSlide,
    Tone,
)
from portfolio.model.vocab import CHANNEL, PRIORITY, REQUEST_CATEGORY
from portfolio.money import format_money, from_minor
from portfolio.periods import month_key, month_label

MEASURE_LABELS = {"spend": "Spend", "revenue": "Revenue", "sales": "Sales"}
#: What a negative variance asks for, per measure. Spend overspent is money to save and
#: revenue short of budget is money to recover: different measures, so a deck totals
#: them apart and never adds one to the other.
MAKEUP_LABELS = {
    "spend": "Spend to save",
    "revenue": "Revenue to recover",
    "sales": "Sales to recover",
}
SHORT_WORDS = {"spend": "over budget", "revenue": "short of budget", "sales": "short of budget"}


@dataclass(frozen=True)
class Nothing:
    """A section with no data: one line for the executive summary instead of slides."""

    line: str


def pct(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:+.2f}%"


def count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def verdict(row: VarianceRow) -> Cell:
    return Cell("Favourable", "good") if row.favourable else Cell("Unfavourable", "bad", True)


def tone_of(row: VarianceRow | None) -> Tone:
    if row is None:
        return "neutral"
    return "good" if row.favourable else "bad"


class SlideWriter:
    """Builds the outline for one client; one method per section."""

    def __init__(self, content: DeckContent) -> None:
        self.c = content
        self.s = content.summary
        self.closed = content.period.last <= content.as_of
        self.outlook_word = "Actual" if self.closed else "Actual + forecast"

    # -- formatting --------------------------------------------------------------------
    def money(self, minor: int | None) -> str:
        return "-" if minor is None else format_money(minor, self.c.currency)

    def plain(self, minor: int | None) -> str:
        """Money without the symbol, for dense tables that state the currency once."""
        return "-" if minor is None else format_money(minor, self.c.currency, symbol=False)

    def amount(self, measure_name: str, value: int | None) -> str:
        return count(value) if measure_name == "sales" else self.money(value)

    def major(self, minor: int | None) -> Decimal | None:
        return None if minor is None else from_minor(minor, self.c.currency)

    @property
    def period_words(self) -> str:
        return self.c.period.label

    # -- sections ----------------------------------------------------------------------
    def summary(self, nothing: list[str]) -> list[Slide]:
        tiles = [self._measure_tile(m) for m in ("spend", "revenue", "sales")]
        year = self.s.year_figures.get("revenue")
        if year is not None:
            tiles.append(
                Kpi(
                    f"Revenue outlook, {self.s.year.label}",
                    self.money(year.outlook),
                    f"Budget {self.money(year.budget)}  ·  {pct(year.variance_pct)} "
                    f"{'Favourable' if year.favourable else 'Unfavourable'}",
                    tone_of(year),
                )
            )
        else:
            tiles.append(Kpi(f"Revenue outlook, {self.s.year.label}", "-", "No revenue planned"))
        tiles += [self._makeup_tile(), self._sla_tile(), self._satisfaction_tile()]
        tiles.append(self._pipeline_tile())
        blocks: list = [KpiRow(tuple(tiles[:4])), KpiRow(tuple(tiles[4:]))]
        highlights = self._highlights()
        if highlights:
            blocks.append(Bullets(tuple(highlights), "Highlights"))
        missing = self.c.missing_shown.note(*MEASURE_NAMES)
        if missing is not None:
            blocks.append(Text((missing,), "Actuals not in yet"))
        if nothing:
            blocks.append(Text(("Nothing to report: " + "; ".join(nothing) + ".",)))
        subtitle = (
            f"{self.period_words}, actuals to {month_label(self.c.as_of)}; "
            f"amounts in {self.c.currency}"
        )
        return [Slide("summary", SECTIONS["summary"], subtitle, tuple(blocks))]

    def _measure_tile(self, measure_name: str) -> Kpi:
        row = self.c.totals.get(measure_name)
        label = f"{MEASURE_LABELS[measure_name]}, {self.period_words}"
        if row is None:
            return Kpi(label, "-", "Nothing planned in this period")
        word = "Favourable" if row.favourable else "Unfavourable"
        return Kpi(
            label,
            self.amount(measure_name, row.outlook),
            f"Budget {self.amount(measure_name, row.budget)}  ·  {pct(row.variance_pct)} {word}",
            tone_of(row),
        )

    def _shortfalls(self) -> dict[str, tuple[int, int, int]]:
        """Measure -> (shortfall, planned, campaigns) over the make-up plan's items.

        One entry per measure, spend first: the amounts are never summed across measures.
        Planned counts every open action of the client by the core's one rule
        (``plan_totals``), client-level actions included.
        """
        totals = plan_totals(self.s.recovery)
        return {
            m: (
                total.shortfall,
                total.planned,
                len(
                    {
                        item.campaign_id
                        for item in self.s.recovery
                        if item.measure == m and not item.whole_client
                    }
                ),
            )
            for m, total in totals.items()
        }

    def _makeup_tile(self) -> Kpi:
        shortfalls = self._shortfalls()
        if not shortfalls:
            return Kpi("To make up, year to date", "Nothing", "No negative variance", "good")
        first, *others = shortfalls
        short, planned, _ = shortfalls[first]
        detail = [f"Actions planned {self.amount(first, planned)}"]
        for other in others:
            detail.append(f"{MAKEUP_LABELS[other]} {self.amount(other, shortfalls[other][0])}")
        return Kpi(
            f"{MAKEUP_LABELS[first]}, year to date",
            self.amount(first, short),
            "  ·  ".join(detail),
            "bad",
        )

    def _sla_tile(self) -> Kpi:
        sla = self.c.sla
        if sla is None or not sla.due:
            return Kpi("SLA compliance", "-", "No requests fell due in the period")
        value = sla.compliance_pct or Decimal(0)
        tone: Tone = "good" if value >= 90 else "bad"
        return Kpi(
            "SLA compliance",
            f"{value:.1f}%",
            f"{sla.met} of {sla.due} met  ·  {sla.escalated} escalated",
            tone,
        )

    def _satisfaction_tile(self) -> Kpi:
        readings = self.s.satisfaction
        if not readings:
            return Kpi("Satisfaction", "-", "No feedback recorded")
        latest = readings[-1]
        scale = 5 if latest["kind"] == "csat" else 10
        same = [r for r in readings[:-1] if r["kind"] == latest["kind"]]
        detail = f"{latest['date'].isoformat()}"
        tone: Tone = "neutral"
        if same:
            before = same[-1]["score"]
            change = latest["score"] - before
            direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
            detail = f"{direction} from {before} ({same[-1]['date'].isoformat()})"
            tone = "good" if change > 0 else "bad" if change < 0 else "neutral"
        return Kpi(
            "Satisfaction, latest",
            f"{latest['kind'].upper()} {latest['score']} / {scale}",
            detail,
            tone,
        )

    def _pipeline_tile(self) -> Kpi:
        opportunities = self.s.opportunities
        if not opportunities:
            return Kpi("Open pipeline", "-", "No open opportunities")
        value = sum(o["value"] for o in opportunities)
        weighted = self._weighted_total()
        return Kpi(
            "Open pipeline",
            self.money(value),
            f"Weighted {self.money(weighted)}  ·  {len(opportunities)} open",
        )

    def _weighted(self, opportunity: dict) -> int:
        value = Decimal(opportunity["value"]) * opportunity["probability"] / 100
        return int(value.to_integral_value())

    def _weighted_total(self) -> int:
        return sum(self._weighted(o) for o in self.s.opportunities)

    def _highlights(self) -> list[str]:
        lines = []
        for m in ("spend", "revenue"):
            row = self.c.totals.get(m)
            if row is None or not row.budget:
                continue
            over = "above" if row.variance > 0 else "below"
            word = "favourable" if row.favourable else "unfavourable"
            lines.append(
                f"{MEASURE_LABELS[m]} is {self.money(abs(row.variance))} {over} budget for "
                f"{self.period_words} ({pct(row.variance_pct)}, {word})."
            )
        for m, (short, planned, campaigns) in self._shortfalls().items():
            lines.append(
                f"{MAKEUP_LABELS[m]} by the end of {self.s.year.label}: "
                f"{self.amount(m, short)}, {SHORT_WORDS[m]} in {campaigns} campaign(s); "
                f"actions planned cover {self.amount(m, planned)}."
            )
        overdue = sum(1 for r in self.s.open_requests if r["overdue"])
        if self.s.open_requests:
            lines.append(f"{len(self.s.open_requests)} open request(s), {overdue} past their SLA.")
        renewal = self.s.facts.get("Renewal")
        if renewal:
            lines.append(f"Contract renewal due {renewal}.")
        return lines

    def monthly(self) -> list[Slide] | Nothing:
        slides = []
        for m in ("spend", "revenue"):
            months = self.c.monthly[m]
            if not any(f.budget or f.forecast or f.actual for f in months):
                continue
            slides.append(self._monthly_slide(m, months))
        if not slides:
            return Nothing(f"no budget lines in {self.period_words}")
        return slides

    def _monthly_slide(self, m: str, months: list) -> Slide:
        labels = tuple(month_label(f.month).split()[0] for f in months)
        if len({f.month // 100 for f in months}) > 1:
            labels = tuple(
                f"{month_label(f.month).split()[0]} {f.month // 100 % 100:02d}" for f in months
            )
        cumulative_budget, cumulative_outlook = [], []
        running_budget = running_outlook = 0
        for f in months:
            running_budget += f.budget
            running_outlook += f.outlook
            cumulative_budget.append(self.major(running_budget))
            cumulative_outlook.append(self.major(running_outlook))
        chart = Chart(
            "bars_and_lines",
            labels,
            (
                Series("Budget", tuple(self.major(f.budget) for f in months), "budget"),
                Series("Forecast", tuple(self.major(f.forecast) for f in months), "forecast"),
                Series("Actual", tuple(self.major(f.actual) for f in months), "actual"),
            ),
            (
                Series("Cumulative budget", tuple(cumulative_budget), "cumulative_budget"),
                Series(
                    "Cumulative actual + forecast", tuple(cumulative_outlook), "cumulative_outlook"
                ),
            ),
            y_title=f"{MEASURE_LABELS[m]} per month ({self.c.currency})",
            y2_title=f"Cumulative ({self.c.currency})",
            value_format=f"money:{self.c.currency}",
        )
        columns = (Column("", 1.4), *(Column(label, 1, "right") for label in labels))
        variance_cells = []
        for f in months:
            if f.actual is None:
                variance_cells.append(Cell("-"))
                continue
            diff = f.actual - f.budget
            good = diff <= 0 if m == "spend" else diff >= 0
            variance_cells.append(Cell(self.plain(diff), "good" if good else "bad"))
        rows = (
            (Cell("Budget", bold=True), *(Cell(self.plain(f.budget)) for f in months)),
            (Cell("Forecast", bold=True), *(Cell(self.plain(f.forecast)) for f in months)),
            (Cell("Actual", bold=True), *(Cell(self.plain(f.actual)) for f in months)),
            (Cell("Actual - budget", bold=True), *variance_cells),
        )
        missing = self.c.missing.note(m)  # the months of this table
        caption = f"Amounts in {self.c.currency}" + (f". {missing}" if missing else "")
        table = Table(columns, rows, caption=caption)
        total = self.c.totals.get(m)
        subtitle = f"{self.period_words}, actuals to {month_label(self.c.as_of)}"
        if total is not None:
            word = "favourable" if total.favourable else "unfavourable"
            subtitle += (
                f"  ·  {self.outlook_word} {self.money(total.outlook)} against budget "
                f"{self.money(total.budget)} ({pct(total.variance_pct)}, {word})"
            )
        return Slide(
            f"monthly_{m}",
            f"{MEASURE_LABELS[m]}: budget, forecast and actual by month",
            subtitle,
            (chart, table),
        )

    def variance(self) -> list[Slide] | Nothing:
        campaigns = [c for c in self.c.campaigns if c.spend or c.revenue]
        if not campaigns:
            return Nothing(f"no campaigns with budget lines in {self.period_words}")

        def order(item) -> tuple:
            spend = item.spend
            return (spend.favourable if spend else True, -(abs(spend.variance) if spend else 0))

        rows = []
        for item in sorted(campaigns, key=order):
            rows.append((Cell(item.campaign), *self._variance_cells(item.spend, item.revenue)))
        footer = [
            (
                Cell("Total", bold=True),
                *self._variance_cells(self.c.totals.get("spend"), self.c.totals.get("revenue")),
            )
        ]
        word = self.outlook_word
        columns = (
            Column("Campaign", 3.2),
            Column("Spend budget", 1.3, "right"),
            Column(f"Spend {word.lower()}", 1.3, "right"),
            Column("Variance", 1.2, "right"),
            Column("%", 0.8, "right"),
            Column("Spend status", 0.3),
            Column("Revenue budget", 1.3, "right"),
            Column(f"Revenue {word.lower()}", 1.3, "right"),
            Column("Variance", 1.2, "right"),
            Column("%", 0.8, "right"),
            Column("Revenue status", 0.3),
        )
        unfavourable = sum(1 for c in campaigns if c.spend and not c.spend.favourable)
        subtitle = (
            f"{self.period_words}; {unfavourable} of {len(campaigns)} campaigns over their "
            f"spend budget; amounts in {self.c.currency}, most overspent first"
        )
        return [
            Slide(
                "variance",
                SECTIONS["variance"],
                subtitle,
                (Table(columns, tuple(rows), tuple(footer)),),
            )
        ]

    def _variance_cells(self, spend: VarianceRow | None, revenue: VarianceRow | None) -> list:
        cells: list[Cell] = []
        for row in (spend, revenue):
            if row is None:
                cells += [Cell("-")] * 5
                continue
            cells += [
                Cell(self.plain(row.budget)),
                Cell(self.plain(row.outlook)),
                Cell(self.plain(row.variance), tone_of(row)),
                Cell(pct(row.variance_pct), tone_of(row)),
                verdict(row),
            ]
        return cells

    def makeup(self) -> list[Slide] | Nothing:
        items, actions = self.s.recovery, self.s.actions
        if not items and not actions:
            return Nothing("no negative variance year to date, so no make-up plan is needed")
        blocks: list = []
        if items:
            remaining = sorted({m for item in items for m in item.remaining_months})
            month_cols = [Column(month_label(m), 1.15, "right") for m in remaining]
            columns = (
                Column("Campaign", 3.0),
                Column("Measure", 0.9),
                Column("To make up", 1.3, "right"),
                Column("% of budget", 0.9, "right"),
                Column("Actions planned", 1.3, "right"),
                Column("Not yet covered", 1.3, "right"),
                *month_cols,
            )
            rows = []
            for item in items:
                per_month = dict(zip(item.remaining_months, item.per_month, strict=True))
                show = self.plain if item.currency else count
                rows.append(
                    (
                        Cell(item.label),
                        Cell(MEASURE_LABELS[item.measure]),
                        Cell("-" if item.whole_client else show(item.shortfall), "bad"),
                        Cell(f"{item.shortfall_pct}%" if item.shortfall_pct is not None else "-"),
                        Cell(show(item.planned)),
                        Cell(show(item.uncovered), "bad" if item.uncovered else "good"),
                        *(Cell(show(per_month[m]) if m in per_month else "") for m in remaining),
                    )
                )
            footer = tuple(self._makeup_total(m, items, remaining) for m in self._shortfalls())
            caption = (
                f"Year-to-date shortfall by campaign, spread evenly over the months left in "
                f"{self.s.year.label}; totals per measure; amounts in {self.c.currency}"
            )
            if not remaining:
                caption += "; the year is over, so nothing is spread"
            blocks.append(Table(columns, tuple(rows), footer, caption))
        if actions:
            rows = [
                (
                    Cell(a["description"]),
                    Cell(a["type"]),
                    Cell(a["owner"] or "-"),
                    Cell(a["target_month"]),
                    Cell(MEASURE_LABELS.get(a["measure"], a["measure"])),
                    Cell(
                        count(a["amount"]) if a["measure"] == "sales" else self.plain(a["amount"]),
                        "neutral",
                    ),
                    Cell(a["status"]),
                )
                for a in actions
            ]
            columns = (
                Column("Action", 4.0),
                Column("Type", 1.2),
                Column("Owner", 1.8),
                Column("Target month", 1.0),
                Column("Measure", 0.9),
                Column("Should recover", 1.3, "right"),
                Column("Status", 1.0),
            )
            blocks.append(
                Table(
                    columns, tuple(rows), caption=f"Make-up actions; amounts in {self.c.currency}"
                )
            )
        else:
            blocks.append(Text(("No make-up actions recorded yet.",)))
        subtitle = (
            f"Unfavourable variances year to date ({self.s.ytd.label}) and how they are made up"
        )
        return [Slide("makeup", SECTIONS["makeup"], subtitle, tuple(blocks))]

    def _makeup_total(self, m: str, items: list, remaining: list[int]) -> tuple[Cell, ...]:
        """The footer row of one measure: its shortfall, plan and months, never mixed."""
        mine = [item for item in items if item.measure == m]
        total = plan_totals(mine)[m]
        show = self.plain if m != "sales" else count
        per_month = dict.fromkeys(remaining, 0)
        for item in mine:
            for month, value in zip(item.remaining_months, item.per_month, strict=True):
                per_month[month] += value
        return (
            Cell(MAKEUP_LABELS[m], bold=True),
            Cell(MEASURE_LABELS[m], bold=True),
            Cell(show(sum(i.shortfall for i in mine)), bold=True),
            Cell(""),
            Cell(show(total.planned), bold=True),
            Cell(show(total.uncovered), bold=True),
            *(Cell(show(per_month[month]), bold=True) for month in remaining),
        )

    def results(self) -> list[Slide] | Nothing:
        results = [r for r in self.c.results if r.pieces or r.responses or r.sales or r.spend]
        this_label, last_label, months, this_year, last_year = self.c.sales_trend
        has_trend = any(v for v in this_year if v) or any(v for v in last_year if v)
        if not results and not has_trend:
            return Nothing(f"no campaign results in {self.period_words}")
        blocks: list = []
        if has_trend:
            blocks.append(
                Chart(
                    "lines",
                    tuple(month_label(m).split()[0] for m in months),
                    (),
                    tuple(
                        Series(
                            f"Sales {label}",
                            tuple(None if v is None else Decimal(v) for v in values),
                            role,
                        )
                        for label, values, role in (
                            (this_label, this_year, "actual"),
                            (last_label, last_year, "previous"),
                        )
                        if any(values)  # a year without sales is left out, not drawn as 0
                    ),
                    y_title="Sales per month",
                    value_format="count",
                    caption=(
                        f"Sales by month, {this_label} against {last_label} (actuals)"
                        if any(last_year)
                        else f"Sales by month, {this_label} (actuals; none in {last_label})"
                    ),
                )
            )
        table: Table | None = None
        if results:
            rows = []
            for r in results:
                persistency = (
                    f"{r.persistency_pct:.1f}% at {r.persistency_months} mo"
                    if r.persistency_pct is not None
                    else "-"
                )
                rows.append(
                    (
                        Cell(r.campaign),
                        Cell(_channel(r.channel)),
                        Cell(count(r.pieces)),
                        Cell(count(r.responses)),
                        Cell("-" if r.response_rate is None else f"{r.response_rate}%"),
                        Cell(count(r.sales)),
                        Cell(self.plain(r.revenue)),
                        Cell(self.plain(r.cost_per_sale)),
                        Cell(
                            "-" if r.roi_pct is None else f"{r.roi_pct:+}%",
                            "neutral" if r.roi_pct is None else "good" if r.roi_pct >= 0 else "bad",
                        ),
                        Cell(persistency),
                    )
                )
            pieces = sum(r.pieces for r in results)
            responses = sum(r.responses for r in results)
            footer = (
                (
                    Cell("Total", bold=True),
                    Cell(""),
                    Cell(count(pieces), bold=True),
                    Cell(count(responses), bold=True),
                    Cell("-" if not pieces else f"{percent(responses, pieces)}%", bold=True),
                    Cell(count(sum(r.sales for r in results)), bold=True),
                    Cell(self.plain(sum(r.revenue for r in results)), bold=True),
                    Cell(""),
                    Cell(""),
                    Cell(""),
                ),
            )
            columns = (
                Column("Campaign", 3.0),
                Column("Channel", 1.2),
                Column("Pieces", 1.0, "right"),
                Column("Responses", 1.0, "right"),
                Column("Resp. rate", 0.9, "right"),
                Column("Sales", 0.9, "right"),
                Column("Revenue", 1.3, "right"),
                Column("Cost per sale", 1.1, "right"),
                Column("ROI", 0.9, "right"),
                Column("Persistency", 1.3, "right"),
            )
            table = Table(
                columns,
                tuple(rows),
                footer,
                f"Results by campaign, {self.period_words} (closed months); "
                f"amounts in {self.c.currency}",
            )
        subtitle = (
            f"Responses, sales, revenue and persistency, actuals to {month_label(self.c.as_of)}"
        )
        slides = []
        if results:
            blocks.insert(0, self._results_tiles(results))
        if blocks:
            slides.append(Slide("results", SECTIONS["results"], subtitle, tuple(blocks)))
        if results:
            slides.append(Slide("results_table", "Results by campaign", subtitle, (table,)))
        return slides

    def _results_tiles(self, results: list) -> KpiRow:
        pieces = sum(r.pieces for r in results)
        responses = sum(r.responses for r in results)
        sales = sum(r.sales for r in results)
        revenue = sum(r.revenue for r in results)
        spend = sum(r.spend for r in results)
        rate = percent(responses, pieces)
        roi = (
            None if not spend else (Decimal(revenue - spend) * 100 / spend).quantize(Decimal("0.1"))
        )
        return KpiRow(
            (
                Kpi("Pieces delivered", count(pieces), f"{len(results)} campaigns"),
                Kpi(
                    "Responses",
                    count(responses),
                    "-" if rate is None else f"{rate}% response rate",
                ),
                Kpi(
                    "Sales",
                    count(sales),
                    "-" if not sales else f"{self.money(_per(spend, sales))} spend per sale",
                ),
                Kpi(
                    "Revenue",
                    self.money(revenue),
                    "-" if roi is None else f"Return on spend {roi:+}%",
                    "neutral" if roi is None else "good" if roi >= 0 else "bad",
                ),
            )
        )

    def service(self) -> list[Slide] | Nothing:
        sla = self.c.sla
        open_requests = self.s.open_requests
        if sla is None and not open_requests:
            return Nothing(f"no client requests in {self.period_words}")
        first, last = self.c.service_window
        blocks: list = []
        if sla is not None:
            compliance = sla.compliance_pct
            blocks.append(
                KpiRow(
                    (
                        Kpi(
                            "SLA compliance",
                            "-" if compliance is None else f"{compliance:.1f}%",
                            f"{sla.met} of {sla.due} requests met their SLA",
                            "neutral"
                            if compliance is None
                            else "good"
                            if compliance >= 90
                            else "bad",
                        ),
                        Kpi(
                            "Breached",
                            count(sla.breached),
                            "resolved late or still open",
                            "bad" if sla.breached else "good",
                        ),
                        Kpi(
                            "Escalated",
                            count(sla.escalated),
                            "requests raised to a manager",
                            "bad" if sla.escalated else "good",
                        ),
                        Kpi(
                            "Open now",
                            count(len(open_requests)),
                            f"{sum(1 for r in open_requests if r['overdue'])} past SLA",
                        ),
                    )
                )
            )
        categories = [row for row in self.c.sla_by_category if row.due or row.open]
        if categories:
            rows = tuple(
                (
                    Cell(row.group),
                    Cell(count(row.due)),
                    Cell(count(row.met)),
                    Cell(count(row.breached), "bad" if row.breached else "neutral"),
                    Cell("-" if row.compliance_pct is None else f"{row.compliance_pct:.1f}%"),
                    Cell(count(row.escalated)),
                    Cell(count(row.open)),
                )
                for row in categories
            )
            columns = (
                Column("Category", 2.0),
                Column("Fell due", 1, "right"),
                Column("Met SLA", 1, "right"),
                Column("Breached", 1, "right"),
                Column("Compliance", 1, "right"),
                Column("Escalated", 1, "right"),
                Column("Open", 1, "right"),
            )
            blocks.append(
                Table(
                    columns,
                    rows,
                    caption=f"Requests by category, {first.isoformat()} to {last.isoformat()}",
                )
            )
        if open_requests:
            rows = tuple(
                (
                    Cell(r["subject"]),
                    Cell(REQUEST_CATEGORY.label(r["category"])),
                    Cell(PRIORITY.label(r["priority"])),
                    Cell(r["due"].strftime("%Y-%m-%d %H:%M")),
                    Cell("Past SLA", "bad", True) if r["overdue"] else Cell("Within SLA", "good"),
                    Cell(str(r["escalation"]) if r["escalation"] else "-"),
                )
                for r in open_requests
            )
            columns = (
                Column("Open request", 4.0),
                Column("Category", 1.2),
                Column("Priority", 1.0),
                Column("SLA due (UTC)", 1.5),
                Column("Status", 1.1),
                Column("Escalation", 0.9, "right"),
            )
            blocks.append(Table(columns, rows, caption="Requests still open"))
        return [
            Slide(
                "service",
                SECTIONS["service"],
                f"Client requests whose SLA fell due {first.isoformat()} to {last.isoformat()}",
                tuple(blocks),
            )
        ]

    def satisfaction(self) -> list[Slide] | Nothing:
        readings = self.s.satisfaction
        if not readings:
            return Nothing("no satisfaction feedback recorded")
        blocks: list = []
        trend: list[Chart] = []
        for kind, scale in (("csat", 5), ("nps", 10)):
            series = [r for r in readings if r["kind"] == kind]
            if not series:
                continue
            if len(series) >= 2:
                trend.append(
                    Chart(
                        "lines",
                        tuple(r["date"].strftime("%b %y") for r in series),
                        (),
                        (
                            Series(
                                f"{kind.upper()} score",
                                tuple(Decimal(r["score"]) for r in series),
                                "actual",
                            ),
                        ),
                        y_title=f"{kind.upper()} (0-{scale})" if kind == "nps" else "CSAT (1-5)",
                        value_format="score",
                        y_min=Decimal(0),
                        y_max=Decimal(scale),
                        caption=f"{kind.upper()} readings over time",
                    )
                )
        if trend:
            blocks.append(Row(tuple(trend)))
        recent = [r for r in readings if r["comment"]][-5:]
        if recent:
            rows = tuple(
                (
                    Cell(r["date"].isoformat()),
                    Cell(r["kind"].upper()),
                    Cell(str(r["score"])),
                    Cell(r["comment"]),
                )
                for r in reversed(recent)
            )
            columns = (
                Column("Date", 1.0),
                Column("Kind", 0.6),
                Column("Score", 0.6, "right"),
                Column("What the client said", 6.0),
            )
            blocks.append(Table(columns, rows, caption="Latest comments"))
        latest = readings[-1]
        return [
            Slide(
                "satisfaction",
                SECTIONS["satisfaction"],
                f"{len(readings)} readings; latest {latest['kind'].upper()} {latest['score']} "
                f"on {latest['date'].isoformat()}",
                tuple(blocks),
            )
        ]

    def opportunities(self) -> list[Slide] | Nothing:
        opportunities = self.s.opportunities
        if not opportunities:
            return Nothing("no open opportunities")
        rows = tuple(
            (
                Cell(o["name"]),
                Cell(o["kind"]),
                Cell(o["stage"]),
                Cell(self.plain(o["value"])),
                Cell(f"{o['probability']}%"),
                Cell(self.plain(self._weighted(o))),
                Cell(o["expected_close"].isoformat() if o["expected_close"] else "-"),
            )
            for o in opportunities
        )
        footer = (
            (
                Cell("Total open", bold=True),
                Cell(""),
                Cell(""),
                Cell(self.plain(sum(o["value"] for o in opportunities)), bold=True),
                Cell(""),
                Cell(self.plain(self._weighted_total()), bold=True),
                Cell(""),
            ),
        )
        columns = (
            Column("Opportunity", 3.5),
            Column("Kind", 1.1),
            Column("Stage", 1.1),
            Column("Value", 1.4, "right"),
            Column("Chance", 0.8, "right"),
            Column("Weighted", 1.4, "right"),
            Column("Expected close", 1.2),
        )
        return [
            Slide(
                "opportunities",
                SECTIONS["opportunities"],
                f"Open cross-sell, up-sell and renewal opportunities; amounts in {self.c.currency}",
                (Table(columns, rows, footer),),
            )
        ]

    def deadlines(self) -> list[Slide] | Nothing:
        deadlines = self.s.deadlines
        if not deadlines:
            return Nothing("no deadlines due in the next 45 days and none overdue")
        rows = []
        for d in deadlines:
            days = (d["due"] - self.c.today).days
            if d["overdue"]:
                status = Cell(f"OVERDUE by {-days} day(s)", "bad", True)
            else:
                status = Cell("Due today" if days == 0 else f"In {days} day(s)")
            materials = d["materials"]
            received = sum(1 for m in materials if m.endswith(": received"))
            summary = f"{received} of {len(materials)} received" if materials else "None listed"
            rows.append(
                (
                    Cell(d["due"].isoformat()),
                    Cell(d["title"]),
                    Cell("Legal" if d["legal"] else "-", "bad" if d["legal"] else "neutral"),
                    status,
                    Cell(
                        summary, "good" if materials and received == len(materials) else "neutral"
                    ),
                    Cell("; ".join(materials) if materials else "-"),
                )
            )
        columns = (
            Column("Due", 0.9),
            Column("Deadline", 3.0),
            Column("Legal", 0.6),
            Column("Status", 1.4),
            Column("Materials", 1.2),
            Column("Material status", 3.4),
        )
        overdue = sum(1 for d in deadlines if d["overdue"])
        return [
            Slide(
                "deadlines",
                SECTIONS["deadlines"],
                f"Open deadlines due in the next 45 days, and any overdue: {overdue} overdue",
                (Table(columns, tuple(rows)),),
            )
        ]

    def next_steps(self) -> list[Slide] | Nothing:
        meeting = self.s.last_meeting
        if meeting is None or not (meeting["next_steps"] or "").strip():
            return Nothing("no next steps recorded at a meeting")
        steps = [line.strip(" -•\t") for line in meeting["next_steps"].splitlines()]
        steps = [line for line in steps if line]
        return [
            Slide(
                "next_steps",
                SECTIONS["next_steps"],
                f"Agreed at {meeting['title']} on {meeting['held_on'].isoformat()}",
                (Bullets(tuple(steps)),),
            )
        ]

    def appendix(self) -> list[Slide] | Nothing:
        details = self.c.details
        if not details:
            return Nothing(f"no budget lines to detail in {self.period_words}")
        rows = []
        for line in details:
            cells = [Cell(line.campaign), Cell(month_key(line.month))]
            for m in ("spend", "revenue", "sales"):
                row = getattr(line, m)
                show = count if m == "sales" else self.plain
                if row is None:
                    cells += [Cell("-")] * 3
                    continue
                actual = row.actual if line.month <= self.c.as_of else None
                cells += [Cell(show(row.budget)), Cell(show(row.forecast)), Cell(show(actual))]
            rows.append(tuple(cells))
        columns = (
            Column("Campaign", 3.0),
            Column("Month", 0.8),
            Column("Spend budget", 1.2, "right"),
            Column("Forecast", 1.2, "right"),
            Column("Actual", 1.2, "right"),
            Column("Revenue budget", 1.25, "right"),
            Column("Forecast", 1.25, "right"),
            Column("Actual", 1.25, "right"),
            Column("Sales budget", 0.9, "right"),
            Column("Forecast", 0.8, "right"),
            Column("Actual", 0.8, "right"),
        )
        return [
            Slide(
                "appendix",
                SECTIONS["appendix"],
                f"Every budget line in {self.period_words}; amounts in {self.c.currency}",
                (Table(columns, tuple(rows)),),
            )
        ]


def _per(amount: int, units: int) -> int:
    return int((Decimal(amount) / units).to_integral_value())


def _channel(value: str) -> str:
    return CHANNEL.label(value)


def build_outline(content: DeckContent, sections: tuple[str, ...], *, firm: str) -> Deck:
    """The deck's slides for the chosen ``sections``; empty sections become one line."""
    writer = SlideWriter(content)
    builders: dict[str, Callable[[], list[Slide] | Nothing]] = {
        "monthly": writer.monthly,
        "variance": writer.variance,
        "makeup": writer.makeup,
        "results": writer.results,
        "service": writer.service,
        "satisfaction": writer.satisfaction,
        "opportunities": writer.opportunities,
        "deadlines": writer.deadlines,
        "next_steps": writer.next_steps,
        "appendix": writer.appendix,
    }
    built: dict[str, list[Slide]] = {}
    nothing: list[str] = []
    for key in sections:
        builder = builders.get(key)
        if builder is None:
            continue
        result = builder()
        if isinstance(result, Nothing):
            nothing.append(f"{SECTIONS[key].lower()}: {result.line}")
        else:
            built[key] = result
    slides: list[Slide] = []
    if "summary" in sections:
        built["summary"] = writer.summary(nothing)
    present = [key for key in sections if key in built]
    if "agenda" in sections:
        items = tuple(SECTIONS[key] for key in present)
        slides.append(Slide("agenda", SECTIONS["agenda"], content.period.label, (Bullets(items),)))
    for key in present:
        slides += built[key]
    title = TitleSlide(
        client=content.client_name,
        period=_period_title(content),
        director=content.director,
        date=content.today.strftime("%d %B %Y").lstrip("0"),
    )
    footer = f"{content.client_name}  ·  {title.period}"
    return Deck(title, slides, footer=footer, firm=firm)


def _period_title(content: DeckContent) -> str:
    label = content.period.label
    if label.startswith("YTD"):
        first, last = content.period.first, content.period.last
        return f"Year to date, {month_label(first)} to {month_label(last)}"
    if "-Q" in label:
        year, quarter = label.split("-Q")
        return f"Quarter {quarter}, {year}"
    if label.isdigit() or label.startswith("FY"):
        return f"Year {label}"
    return label
