"""Budget vs forecast vs actual by month, with the cumulative lines, from a month roll-up."""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.analytics.variance import VarianceRow
from portfolio.money import SYMBOLS, exponent, format_money
from portfolio.periods import MONTH_NAMES, month_label
from ui.charts.bar_line_chart import ChartData, Series
from ui.theme import colours


def monthly_chart(
    rows: Sequence[VarianceRow],
    months: Sequence[int],
    *,
    as_of: int,
    title: str,
    currency: str | None,
) -> ChartData:
    """Bars per month (budget, forecast, actual for closed months) and cumulative lines.

    The cumulative outlook runs through actuals for closed months and forecasts after,
    so its last point is the full-year outlook, set against the cumulative budget.
    """
    tone = colours()
    by_month = {row.labels[0]: row for row in rows}
    budget, forecast, actual, cumulative_budget, cumulative_outlook = [], [], [], [], []
    running_budget = running_outlook = 0
    for month in months:
        row = by_month.get(month)
        budget.append(row.budget if row else None)
        forecast.append(row.forecast if row else None)
        actual.append(row.actual if row and month <= as_of else None)
        running_budget += row.budget if row else 0
        running_outlook += row.outlook if row else 0
        cumulative_budget.append(running_budget)
        cumulative_outlook.append(running_outlook)
    open_from = next((i for i, month in enumerate(months) if month > as_of), None)
    years = {month // 100 for month in months}
    categories = tuple(
        MONTH_NAMES[m % 100 - 1]
        if len(years) == 1
        else f"{MONTH_NAMES[m % 100 - 1]} {m // 100 % 100:02d}"
        for m in months
    )
    scale, prefix, suffix = 1, "", ""
    if currency:
        scale = 10 ** exponent(currency)
        symbol = SYMBOLS.get(currency)
        prefix, suffix = (symbol.strip(), "") if symbol else ("", f" {currency}")

    def money(value: int) -> str:
        return format_money(value, currency) if currency else f"{value:,}"

    summary = (
        f"{title}. Full-year outlook {money(running_outlook)} against budget "
        f"{money(running_budget)}; actuals to {month_label(as_of)}."
    )
    return ChartData(
        title=title,
        categories=categories,
        bars=(
            Series("Budget", tuple(budget), tone.budget),
            Series("Forecast", tuple(forecast), tone.forecast),
            Series("Actual", tuple(actual), tone.actual),
        ),
        lines=(
            Series("Cumulative budget", tuple(cumulative_budget), tone.cumulative_budget),
            Series("Cumulative outlook", tuple(cumulative_outlook), tone.cumulative),
        ),
        scale=scale,
        unit_prefix=prefix,
        unit_suffix=suffix,
        open_from=open_from,
        note=f"Full year: outlook {money(running_outlook)} vs budget {money(running_budget)}",
        summary=summary,
    )
