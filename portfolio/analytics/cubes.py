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
change was being made is not kept.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes
from portfolio.analytics.campaign_cube import CampaignCube
from portfolio.analytics.cube_dims import ClientDims
from portfolio.analytics.dimensions import Scope
from portfolio.analytics.month_cube import MonthCube
from portfolio.analytics.variance import Measure, Rollup
from portfolio.periods import Period

#: What the cubes hold comes from these tables (rates are read at each roll-up).
READS = frozenset({"budget_line", "campaign", "client", "team_member"})
_INFO_KEY = "portfolio.figure_cubes"


class FigureCubes:
    def __init__(self) -> None:
        self._generation = 0
        #: One lock per cube: the lines may load while the totals are read again.
        self._locks = {name: threading.Lock() for name in ("dims", "months", "campaigns")}
        self._held: dict[str, tuple[int, object]] = {}

    def changed(self, changes: Changes) -> None:
        """What an action changed: drop the cubes if it touches what they hold."""
        if changes.touches(READS):
            self._generation += 1
            self._held = {}

    def holds(self, name: str) -> bool:
        """Whether cube ``name`` ("dims", "months", "campaigns") is read and current."""
        held = self._held.get(name)
        return held is not None and held[0] == self._generation

    def _get(self, name: str, session: Session, load):
        generation = self._generation
        held = self._held.get(name)
        if held is not None and held[0] == generation:
            return held[1]
        with self._locks[name]:
            held = self._held.get(name)
            if held is not None and held[0] == self._generation:
                return held[1]
            generation = self._generation
            value = load(session)
            if generation == self._generation:
                self._held[name] = (generation, value)
            return value

    def dims(self, session: Session) -> ClientDims:
        return self._get("dims", session, lambda s: ClientDims.load(s.connection()))

    def months(self, session: Session) -> MonthCube | None:
        dims = self.dims(session)
        return self._get("months", session, lambda s: MonthCube.load(s.connection(), dims))

    def campaigns(self, session: Session) -> CampaignCube:
        dims = self.dims(session)
        return self._get("campaigns", session, lambda s: CampaignCube.load(s.connection(), dims))

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


def use_cubes(session: Session, cubes: FigureCubes | None) -> Session:
    """Let the roll-ups read with ``session`` answer from ``cubes``."""
    if cubes is not None:
        session.info[_INFO_KEY] = cubes
    return session


def cubes_of(session: Session) -> FigureCubes | None:
    return session.info.get(_INFO_KEY)
