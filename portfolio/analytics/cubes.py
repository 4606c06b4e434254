"""The figure cubes of one open portfolio: loaded when first asked, dropped on change.

A program that shows figures (the desktop app) keeps one ``FigureCubes`` per open
database, tells it every ``Changes`` an action returns (``changed``), and lends it to
the sessions its figure pages read with (``use_cubes``). ``variance_rollup``,
``variance_rollups`` and ``recovery_plan`` then answer from the cubes whatever they
can, exactly as SQL would, and ask SQL the rest. Without ``use_cubes`` nothing changes:
the command line, the decks and the exports read the database as before.

The cubes are read by the worker that first needs them (never the GUI thread): the
monthly totals in 0.2 s, the lines (only for the campaign level) in 0.8 s on the
million-line demo (two ranges at a time, ``cube_read.read_ranges``). A change to what
they hold drops them, and the next roll-up reads them again: a cube loaded while a
change was being made is not kept. The lines are not read again in full: the last ones
read stay as the base of the next, which reads only the client-months changed since
(``cube_lines``); given a ``LinesSnapshot``, the first lines of a run come from the
last run's, saved on disk (``cube_snapshot``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes
from portfolio.analytics.campaign_cube import CampaignCube
from portfolio.analytics.cube_dims import ClientDims
from portfolio.analytics.cube_lines import Lines
from portfolio.analytics.cube_snapshot import LinesSnapshot
from portfolio.analytics.dimensions import Scope
from portfolio.analytics.month_cube import MonthCube
from portfolio.analytics.variance import Measure, Rollup
from portfolio.periods import Period

#: What the cubes hold comes from these tables (rates are read at each roll-up).
READS = frozenset({"budget_line", "campaign", "client", "team_member"})
_INFO_KEY = "portfolio.figure_cubes"
#: No cube held (a cube may itself be None: no totals to read).
_NONE = object()
#: How many times a cube is made again when the data changes while it is made.
_ATTEMPTS = 3


class FigureCubes:
    def __init__(self, snapshot: LinesSnapshot | None = None) -> None:
        """``snapshot``: where the lines are kept between runs (None: not kept)."""
        self._generation = 0
        #: One lock per cube: the lines may load while the totals are read again.
        self._locks = {name: threading.Lock() for name in ("dims", "months", "campaigns")}
        self._held: dict[str, tuple[int, object]] = {}
        self._snapshot = snapshot
        #: The lines read last, the base of the next read (kept across changes: their
        #: stamps tell what changed since). Set under the "campaigns" lock.
        self._lines: Lines | None = None
        self._saving: threading.Thread | None = None

    def changed(self, changes: Changes) -> None:
        """What an action changed: drop the cubes if it touches what they hold."""
        if changes.touches(READS):
            self._generation += 1
            self._held = {}

    def holds(self, name: str) -> bool:
        """Whether cube ``name`` ("dims", "months", "campaigns") is read and current."""
        return self._current(name) is not _NONE

    def _current(self, name: str):
        """Cube ``name`` if it is held for this generation, else ``_NONE``."""
        held = self._held.get(name)
        return held[1] if held is not None and held[0] == self._generation else _NONE

    def _get(self, name: str, session: Session, load, since: int | None = None):
        """Cube ``name``: the one held for this generation, else ``load(session)``.

        ``since``: the generation the caller's inputs (the client dimensions) were read
        in. What is loaded is kept only if no change came since then: a cube made from
        dimensions older than the change (a client moved to another director while
        waiting for this lock) would otherwise be kept as current.
        """
        current = self._current(name)
        if current is not _NONE:
            return current
        with self._locks[name]:
            current = self._current(name)
            if current is not _NONE:
                return current
            generation = self._generation if since is None else since
            value = load(session)
            if generation == self._generation:
                self._held[name] = (generation, value)
            return value

    def _on_dims(self, name: str, session: Session, load):
        """Cube ``name`` made from the client dimensions by ``load(session, dims)``,
        both of one generation: read again (a few times at most) while changes come in
        meanwhile, so the caller too gets figures made from one state of the data."""
        for _attempt in range(_ATTEMPTS):
            since = self._generation
            dims = self.dims(session)
            value = self._get(name, session, lambda s, dims=dims: load(s, dims), since)
            if since == self._generation:
                return value
        return value  # still changing: the page that shows it reloads for the change

    def dims(self, session: Session) -> ClientDims:
        return self._get("dims", session, lambda s: ClientDims.load(s.connection()))

    def months(self, session: Session) -> MonthCube | None:
        return self._on_dims("months", session, lambda s, d: MonthCube.load(s.connection(), d))

    def campaigns(self, session: Session) -> CampaignCube:
        return self._on_dims("campaigns", session, self._load_campaigns)

    def _load_campaigns(self, session: Session, dims: ClientDims) -> CampaignCube:
        """Under the "campaigns" lock: the cube from the last lines, or the snapshot's."""
        base, snapshot, from_disk = self._lines, self._snapshot, False

        def from_the_snapshot() -> Lines | None:
            # Read while the campaigns are (``cube_lines.current``).
            nonlocal from_disk
            lines = snapshot.load()
            from_disk = lines is not None
            return lines

        if base is None and snapshot is not None:
            base = from_the_snapshot
        cube = CampaignCube.load(session.connection(), dims, base)
        self._lines = cube.lines
        # Saved when read in full, or when the snapshot was behind: not after every
        # edit (45 MB a time), since the next run reads what changed since anyway.
        if self._snapshot is not None and (
            cube.lines.made == "read" or (from_disk and cube.lines.made == "refreshed")
        ):
            self._saving = threading.Thread(
                target=self._snapshot.save, args=(cube.lines,), name="cube-snapshot", daemon=True
            )
            self._saving.start()
        return cube

    def saved(self, timeout: float | None = None) -> None:
        """Wait until the snapshot being written, if any, is written."""
        saving = self._saving
        if saving is not None:
            saving.join(timeout)

    def rollups(
        self,
        session: Session,
        by: Sequence[str],
        period: Period,
        as_of: int,
        measures: Sequence[Measure],
        scope: Scope = Scope(),
        currency: str | None = None,
    ) -> dict[str, Rollup] | None:
        """Measure name -> roll-up as ``variance_rollup`` gives it; None to ask SQL."""
        if tuple(by) == ("campaign",):
            return self.campaigns(session).rollups(by, period, as_of, measures, scope, currency)
        if scope.campaign_ids:
            if tuple(by) != ("month",) or len(scope.campaign_ids) != 1 or currency:
                return None
            if scope != Scope(campaign_ids=scope.campaign_ids):
                return None
            cube = self.campaigns(session)
            return {
                m.name: cube.campaign_months(scope.campaign_ids[0], period, as_of, m)
                for m in measures
            }
        cube = self.months(session)
        if cube is None:
            return None
        return cube.rollups(session, by, period, as_of, measures, scope, currency)

    def missing(
        self,
        session: Session,
        period: Period,
        as_of: int,
        scope: Scope = Scope(),
        every_month: bool = False,
    ):
        """``missing_actuals`` from the monthly totals' cube; None to ask SQL."""
        cube = self.months(session)
        return None if cube is None else cube.missing(period, as_of, scope, every_month)


def use_cubes(session: Session, cubes: FigureCubes | None) -> Session:
    """Let the roll-ups read with ``session`` answer from ``cubes``."""
    if cubes is not None:
        session.info[_INFO_KEY] = cubes
    return session


def cubes_of(session: Session) -> FigureCubes | None:
    return session.info.get(_INFO_KEY)
