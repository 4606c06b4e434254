"""The team-server benchmark's child: ``python -m tests.bench.team_tasks run URL DELAY STARTED``.

One fresh process per link: with ``DELAY`` > 0 it starts the delaying proxy
(``tests.bench.proxy``, in a process of its own) in front of the server and talks to
it through the proxy. It
opens the real desktop app (offscreen) on the portfolio and does, in order:

1. start: process start (``STARTED``, the parent's clock) to the Budgets page's first
   rows painted (the last view of a returning user);
2. client page: a client's page shown until every part of it is in (facts, lists,
   chart);
3. cell edit: a forecast typed into a budget line cell, until it is saved and read
   back (``setData`` returns);
4. re-sort: the budget lines re-sorted by spend budget, until the new first rows are
   in;
5. import: a 100-row CSV of forecasts applied as the app does (a job on a worker);
6. deck: a client's review deck written as PDF as the app does (a job on a worker).

For each: seconds, round trips (counted by the proxy) and the longest stall of the
window's event loop while it ran (a 5 ms heartbeat timer; a stall is the longest gap
between two beats). It prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HEARTBEAT_MS = 5


class Heart:
    """Beats every 5 ms on the GUI thread; remembers the longest gap since ``reset``."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.beat)
        self.timer.start()

    def beat(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.beat()
        self.longest = 0.0


def _wait(condition, timeout: float = 120.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("gave up waiting")
        QApplication.processEvents()
        time.sleep(0.001)


def _settings(folder: Path):
    from ui.settings import Settings

    settings = Settings.in_file(folder / "Portfolio.ini")
    settings.set_value("last_view", "budgets")
    return settings


def _forecast_csv(database, folder: Path) -> Path:
    from sqlalchemy import select

    from portfolio.model import BudgetLine, Campaign, Client

    def rows(session):
        return session.execute(
            select(Client.name, Campaign.name, BudgetLine.month, BudgetLine.spend_forecast)
            .join(Campaign, Campaign.client_id == Client.id)
            .join(BudgetLine, BudgetLine.campaign_id == Campaign.id)
            .where(Client.currency == "USD")
            .order_by(BudgetLine.id)
            .limit(100)
        ).all()

    lines = ["Client,Campaign,Month,Spend forecast"]
    for client, campaign, month, forecast in database.read(rows):
        amount = (forecast + 1234) / 100
        lines.append(f'"{client}","{campaign}",{month // 100}-{month % 100:02d},"{amount:.2f}"')
    path = folder / "forecasts.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(url: str, delay: str, started: str) -> dict:
    from sqlalchemy.engine import make_url

    from tests.bench.proxy import RemoteProxy

    delay_s = float(delay)
    proxy = None
    if delay_s > 0:
        # In a process of its own, so its threads do not compete with the app's.
        server = make_url(url)
        proxy = RemoteProxy((server.host or "127.0.0.1", server.port or 5432), delay_s)
        url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)

    def trips() -> int:
        return proxy.round_trips if proxy is not None else 0

    from ui.app import application, open_window

    _app = application()  # kept alive for the run
    folder = Path(tempfile.mkdtemp())
    settings = _settings(folder)
    figures: dict[str, dict] = {}
    heart = Heart()

    def measure(name: str, action, done) -> None:
        heart.reset()
        before = trips()
        begun = time.perf_counter()
        action()
        _wait(done)
        figures[name] = {
            "seconds": time.perf_counter() - begun,
            "round_trips": trips() - before,
            "stall_ms": heart.longest * 1000,
        }

    # 1. start to first rows (stalls count from the window's first showing: before it
    # there is no window to stall)
    before = trips()
    window = open_window(url, settings=settings)
    heart.reset()
    window.start()
    panel = window.current_page().primary_panel()
    _wait(lambda: panel.model.first_rows_in)
    panel.table.viewport().repaint()
    figures["start"] = {
        "seconds": time.time() - float(started),
        "round_trips": trips() - before,
        "stall_ms": heart.longest * 1000,
    }
    _wait(lambda: panel.model.idle and window.workspace.live is not None)
    pause = time.perf_counter() + 1.5  # a person reads the first page (the warm-up runs)
    _wait(lambda: time.perf_counter() > pause)
    workspace = window.workspace
    database = workspace.database

    # 2. a client's page, complete
    from sqlalchemy import func, select

    from portfolio.model import Client, Deadline

    client_id = database.read(
        lambda s: s.scalar(
            select(Deadline.client_id)
            .group_by(Deadline.client_id)
            .order_by(func.count().desc(), Deadline.client_id)
            .limit(1)
        )
    ) or database.read(lambda s: s.scalar(select(func.min(Client.id))))
    page_holder: dict = {}

    def open_client() -> None:
        page_holder["page"] = window.client_page(client_id)

    measure(
        "client_page",
        open_client,
        lambda: page_holder["page"].ready() and page_holder["page"].summary is not None,
    )

    # 3. one cell edit, saved and read back
    window.show_page("budgets")
    _wait(lambda: panel.model.idle)
    column = panel.model.column_of("spend_forecast")
    index = panel.model.index(0, column)
    value = f"{(panel.model.value(0, column) or 0) / 100 + 1:.2f}"
    saved: dict = {}
    measure(
        "cell_edit",
        lambda: saved.setdefault("ok", panel.model.setData(index, value)),
        lambda: "ok" in saved,
    )
    figures["cell_edit"]["saved"] = bool(saved["ok"])

    # 4. re-sort budget lines by spend budget, descending
    from PySide6.QtCore import Qt

    sort_column = panel.model.column_of("spend_budget")
    measure(
        "resort",
        lambda: panel.model.sort(sort_column, Qt.SortOrder.DescendingOrder),
        lambda: panel.model.first_rows_in,
    )

    # 5. a 100-row import, as the app runs it
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions

    csv_path = _forecast_csv(database, folder)
    result: dict = {}
    measure(
        "import_100_rows",
        lambda: window.jobs.start(
            "Importing",
            lambda job: run_import(database, csv_path, ImportOptions(), job),
            lambda done: result.setdefault("import", done),
            show_dialog=False,
        ),
        lambda: "import" in result,
    )

    # 6. a client's review deck (PDF), as the app writes it
    from portfolio.decks.build import write_deck

    today, as_of = workspace.today, workspace.as_of

    def deck(job):
        with database.session() as session:
            client = session.get(Client, client_id)
            return write_deck(session, client, folder / "deck.pdf", as_of=as_of, today=today)

    measure(
        "deck",
        lambda: window.jobs.start(
            "Deck", deck, lambda done: result.setdefault("deck", done), show_dialog=False
        ),
        lambda: "deck" in result,
    )

    window.close()
    connections = proxy.connections if proxy is not None else None
    if proxy is not None:
        proxy.close()
    return {"figures": figures, "connections": connections}


if __name__ == "__main__":
    task, *arguments = sys.argv[1:]
    print(json.dumps(globals()[task](*arguments)))
