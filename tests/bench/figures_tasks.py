"""Work the figures benchmark runs in fresh processes: ``python -m tests.bench.figures_tasks``.

Each task prints one JSON object on its last line. ``app_pages`` opens the desktop app on
Qt's offscreen platform and times each figure page until it says it is ready (its
``ready()``: the figures drawn, its lanes idle); ``raw_query`` times the hand-written SQL
roll-up over the budget lines that a page change stands for; ``write_*`` time a cell
edit and an import with the totals' triggers in place and without them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.common import AS_OF, peak_rss_mb  # noqa: E402

POLL_MS = 1
#: The Variances page's controls, each changed in turn from the page's defaults
#: (spend, client, year to date): (combo attribute, item data) -> a name for the figure.
VARIANCE_CHANGES = (
    ("level", "director"),
    ("level", "vertical"),
    ("level", "campaign"),
    ("level", "client"),
    ("period", "month"),
    ("period", "quarter"),
    ("period", "year"),
    ("period", "ytd"),
    ("measure", "revenue"),
    ("measure", "sales"),
    ("measure", "spend"),
)


def _user_settings(view: str) -> None:
    folder = Path(tempfile.mkdtemp())
    (folder / "Portfolio").mkdir()
    (folder / "Portfolio" / "Portfolio.ini").write_text(f"[v1]\nlast_view={view}\n")
    os.environ["XDG_CONFIG_HOME"] = str(folder)


def _wait(condition, timeout: float = 300.0) -> float:
    """Process events until ``condition()``; the moment it held (perf_counter)."""
    from PySide6.QtWidgets import QApplication

    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("gave up waiting")
        QApplication.processEvents()
        time.sleep(POLL_MS / 1000)
    return time.perf_counter()


def figures_drawn(page) -> bool:
    """The page's figures are on screen and nothing more is computing them.

    Stricter than nothing, looser than ``page.ready()``: that also waits for the lists a
    page holds (make-up actions, team members, a client's campaigns) to count their rows
    and fetch their totals (a list too long for offset paging starts those on purpose
    300 ms after its rows are in).
    """
    if page.key == "variances":
        return (
            page.loaded_once
            and page.chart_loaded
            and not page.lane.busy
            and not page.chart_lane.busy
        )
    if page.key == "team":
        return page.loaded_once and not page.lane.busy
    if page.key == "client":
        return page.summary is not None and not page.lane.busy
    return page.ready()


def app_pages(path: str, cube_first: str = "no", snapshot: str = "kept") -> dict:
    """``portfolio --db PATH`` opening on Overview, then Variances, Team, a client page.

    Each change is made as soon as the page is ready for it; with ``cube_first="yes"``
    the campaign level waits until the lines' cube is in. ``snapshot="none"``: as the
    first start on this file, with no snapshot of its lines (``cube_snapshot``) kept
    from an earlier run; "kept": with the one the last run saved.
    """
    _user_settings("overview")
    _snapshots_in_the_cache(path, keep=snapshot == "kept")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from main import launch_desktop
    from portfolio.cli import main as cli_main

    found: dict = {"changes": {}}

    def probe(window) -> None:
        def exposed() -> bool:
            handle = window.windowHandle()
            return handle is not None and handle.isExposed()

        def measure() -> None:
            shown = _wait(exposed)
            page = window.current_page()
            found["overview_ready"] = _wait(page.ready) - shown
            found["peak_overview_mb"] = peak_rss_mb()

            started = time.perf_counter()
            variances = window.go_to("variances")
            found["variances_first"] = _wait(lambda: figures_drawn(variances)) - started
            _wait(variances.ready)
            for attribute, value in VARIANCE_CHANGES:
                if value == "campaign" and cube_first == "yes":
                    # As a manager who has had the page open a moment: the lines' cube
                    # (read once the first figures are shown) is in.
                    shared = variances.cubes
                    _wait(lambda s=shared: s._cubes is not None and s._cubes.holds("campaigns"))
                combo = getattr(variances, attribute)
                started = time.perf_counter()
                combo.setCurrentIndex(combo.findData(value))
                drawn = _wait(lambda: figures_drawn(variances)) - started
                ready = _wait(variances.ready) - started
                found["changes"][f"{attribute} -> {value}"] = (drawn, ready)
            rows = variances.rollup_model.rowCount()
            started = time.perf_counter()
            variances.rollup_view.selectRow(0)
            found["chart_after_selecting_a_row"] = (
                _wait(lambda: variances.chart_loaded and not variances.chart_lane.busy) - started
            )
            found["variance_rows"] = rows

            started = time.perf_counter()
            team = window.go_to("team")
            found["team_first"] = _wait(lambda: figures_drawn(team)) - started
            found["team_ready"] = _wait(team.ready) - started
            found["peak_after_team_mb"] = peak_rss_mb()

            client_times, client_ready = [], []
            for client_id in (1, 2500, 4999):
                started = time.perf_counter()
                page = window.client_page(client_id)
                client_times.append(_wait(lambda page=page: figures_drawn(page)) - started)
                client_ready.append(_wait(page.ready) - started)
            found["client_page"] = client_times
            found["client_page_ready"] = client_ready
            found["peak_mb"] = peak_rss_mb()
            cubes = variances.cubes._cubes
            found["lines_made"] = cubes._lines.made if cubes._lines is not None else None
            cubes.saved(60)  # for the next run
            window.close()
            QApplication.instance().quit()

        QTimer.singleShot(0, measure)

    # Started as the ``portfolio`` command starts the window (``main.launch_desktop``).
    code = cli_main(["--db", path], launcher=lambda args: launch_desktop(args, on_window=probe))
    found["exit"] = code
    return found


def _snapshots_in_the_cache(path: str, keep: bool) -> Path:
    """Snapshots of the lines go to the benchmark's cache folder; ``keep=False``
    removes this file's first. The snapshot's path."""
    from portfolio.analytics import cube_snapshot
    from tests.bench.common import CACHE

    folder = CACHE / "cubes"
    cube_snapshot.cache_folder = lambda: folder
    snapshot = cube_snapshot.LinesSnapshot.of_file(Path(path), folder)
    if not keep:
        snapshot.path.unlink(missing_ok=True)
    return snapshot.path


def lines_cube(path: str) -> dict:
    """The campaign cube's lines (no Qt), best of 3: read in full; from the snapshot
    when nothing changed; and brought up to date from the last lines after a cell edit
    (in a copy of the demo)."""
    from sqlalchemy import text

    from portfolio.analytics.cube_lines import current
    from portfolio.analytics.cube_snapshot import LinesSnapshot
    from portfolio.storage import open_database

    def named(connection) -> list:
        return connection.execute(text("SELECT id, name, client_id FROM campaign")).all()

    scratch, folder = _scratch(path)
    db = open_database(scratch)
    snapshot = LinesSnapshot(Path(folder) / "lines.npz")
    times: dict[str, float] = {}

    def timed(name: str, work) -> object:
        best, out = float("inf"), None
        for _ in range(3):
            started = time.perf_counter()
            out = work()
            best = min(best, time.perf_counter() - started)
        times[name] = best
        return out

    with db.reading() as session:
        connection = session.connection()
        lines = timed("read in full", lambda: current(connection, None, named)[0])
        snapshot.save(lines)
        kept = timed(
            "from the snapshot, nothing changed",
            lambda: current(connection, snapshot.load(), named)[0],
        )
        assert kept.made == "kept", kept.made
    edits = iter(range(1, 4))

    def edit_then_refresh():
        with db.transaction() as session:
            session.execute(
                text("UPDATE budget_line SET spend_budget = spend_budget + :n WHERE id = 777"),
                {"n": next(edits)},
            )
        with db.reading() as session:
            return current(session.connection(), lines, named)[0]

    # The edit's commit is timed too (about 1 ms): it is what a user waits through.
    refreshed = timed("after a cell edit, from the last lines", edit_then_refresh)
    assert refreshed.made == "refreshed", refreshed.made
    db.close()
    shutil.rmtree(folder, ignore_errors=True)
    return times


#: The hand-written roll-ups over the budget lines a page change stands for: the same
#: groups and sums, no currency conversion (the floor the old code was held to).
RAW_LEVELS = {
    "client": ("c.id, c.name", "c.id"),
    "campaign": ("ca.id, ca.name, c.name", "ca.id, c.id"),
    "director": ("d.id, d.name", "d.id"),
    "vertical": ("c.vertical", "c.vertical"),
    "month": ("bl.month", "bl.month"),
    "year": ("bl.month / 100", "bl.month / 100"),
}


def raw_sql(level: str, measure: str) -> str:
    select, group = RAW_LEVELS[level]
    budget, forecast, actual = (f"bl.{measure}_{kind}" for kind in ("budget", "forecast", "actual"))
    return f"""
SELECT {select}, c.currency, SUM({budget}), SUM({forecast}),
       SUM(CASE WHEN bl.month <= :as_of THEN COALESCE({actual}, 0) ELSE 0 END),
       SUM(CASE WHEN bl.month <= :as_of THEN COALESCE({actual}, 0) ELSE {forecast} END)
FROM budget_line bl JOIN campaign ca ON ca.id = bl.campaign_id
JOIN client c ON c.id = ca.client_id JOIN team_member d ON d.id = c.director_id
WHERE bl.month BETWEEN :first AND :last
GROUP BY {group}, c.currency"""


def raw_query(target: str, level: str, measure: str, first: str, last: str) -> dict:
    """One hand-written roll-up over the budget lines, fetched whole (best of 3)."""
    from sqlalchemy import create_engine, text

    url = target if "://" in target else f"sqlite:///{target}"
    engine = create_engine(url)
    best = float("inf")
    with engine.connect() as connection:
        for _ in range(3):
            started = time.perf_counter()
            rows = connection.execute(
                text(raw_sql(level, measure)),
                {"as_of": AS_OF, "first": int(first), "last": int(last)},
            ).all()
            best = min(best, time.perf_counter() - started)
    return {"seconds": best, "rows": len(rows)}


def core_figures(target: str) -> dict:
    """The core roll-ups each page change runs (no Qt), timed from a warm process."""
    from portfolio.analytics.recovery import recovery_plan
    from portfolio.analytics.team import team_rollup
    from portfolio.analytics.variance import variance_rollup
    from portfolio.periods import parse_period
    from portfolio.storage import open_database

    db = open_database(target)
    times: dict[str, float] = {}

    def timed(name, work) -> None:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - started)
        times[name] = best

    with db.session() as session:
        for period_name in ("ytd", "fy"):
            period = parse_period(period_name, AS_OF)
            for level in ("client", "director", "vertical", "campaign"):
                for measure in ("spend", "revenue"):
                    timed(
                        f"variance {level} {measure} {period_name}",
                        lambda level=level, measure=measure, period=period: variance_rollup(
                            session, by=(level,), period=period, as_of=AS_OF, measure_name=measure
                        ),
                    )
        timed(
            "recovery client spend",
            lambda: recovery_plan(session, as_of=AS_OF, measure_name="spend", calendar=True),
        )
        timed(
            "team fy",
            lambda: team_rollup(session, period=parse_period("fy", AS_OF), as_of=AS_OF),
        )
    db.close()
    return times


def _scratch(target: str) -> tuple[str, Path | None]:
    """A private copy of an SQLite demo to write into (PostgreSQL: rolled back)."""
    if "://" in target:
        return target, None
    folder = Path(tempfile.mkdtemp())
    copy = folder / "scratch.sqlite3"
    shutil.copyfile(target, copy)
    return str(copy), folder


def _without_totals(db) -> None:
    from portfolio.storage import totals

    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DELETE FROM month_total WHERE 1 = 0")  # begin first
        totals.drop_triggers(connection)


def _with_totals(db) -> None:
    from portfolio.storage import totals

    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DELETE FROM month_total WHERE 1 = 0")
        totals.drop_triggers(connection)
        totals.create_triggers(connection)


def _restore(db) -> None:
    """PostgreSQL writes in place: leave the totals exact and kept for the next run."""
    from portfolio.storage import totals

    with db.engine.begin() as connection:
        totals.rebuild(connection)
    _with_totals(db)


def write_edit(target: str, kept: str, edits: str = "200") -> dict:
    """Cell edits as the app makes them (``perform(Edit)``: journal, commit), median."""
    import random
    import statistics

    from sqlalchemy import select

    from portfolio.actions import Action, Edit, perform
    from portfolio.model import BudgetLine
    from portfolio.storage import open_database

    path, folder = _scratch(target)
    db = open_database(path)
    (_with_totals if kept == "yes" else _without_totals)(db)
    with db.session() as session:
        ids = list(session.scalars(select(BudgetLine.id)))
    rng = random.Random(15)
    times = []
    for line_id in rng.sample(ids, int(edits)):
        amount = str(rng.randrange(1, 10**6))  # whole units: JPY has no decimals
        action = Action("Edit", (Edit("budget_line", line_id, {"spend_forecast": amount}),))
        started = time.perf_counter()
        perform(db, action)
        times.append(time.perf_counter() - started)
    if folder is None:
        _restore(db)
    db.close()
    if folder:
        shutil.rmtree(folder)
    return {"seconds": statistics.median(times), "edits": len(times)}


def write_import(target: str, sheet: str, kept: str) -> dict:
    """The benchmark's 100,000-row budget sheet imported, with or without the triggers."""
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.storage import open_database

    path, folder = _scratch(target)
    db = open_database(path)
    (_with_totals if kept == "yes" else _without_totals)(db)
    started = time.perf_counter()
    result = run_import(db, sheet, ImportOptions())
    seconds = time.perf_counter() - started
    if "://" in path:  # PostgreSQL: put the book back for the next run
        from portfolio.imports.importer import undo_import

        undo_import(db)
        _restore(db)
    db.close()
    if folder:
        shutil.rmtree(folder)
    return {"seconds": seconds, "changed": result.plan.changed}


if __name__ == "__main__":
    task = globals()[sys.argv[1]]
    print(json.dumps(task(*sys.argv[2:]), default=str))
