"""The figure cubes of the open portfolio, shared by every figure page of a workspace.

Made with the first figure page and told every change before any page is
(``FiguresPage`` asks for them before it connects its own refresh), so a page that
reloads after an edit never reads a cube from before it. The cubes themselves (and
NumPy) are imported by the first worker that reads with them, not at start-up.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from portfolio.actions.changes import Changes
from ui.workspace import Workspace

if TYPE_CHECKING:
    from portfolio.analytics.cubes import FigureCubes

_ATTRIBUTE = "_figure_cubes"


class SharedCubes:
    def __init__(self, database) -> None:
        self._database = database
        self._cubes: FigureCubes | None = None
        self._made = threading.Lock()
        self._warming: threading.Thread | None = None

    def changed(self, changes: Changes) -> None:
        if self._cubes is not None:
            self._cubes.changed(changes)

    def warm_campaigns(self, database) -> None:
        """Read the lines' cube on a thread of its own (not the pool the pages' lanes
        share), so that the campaign level is ready when asked for; once at a time."""
        if self._warming is not None and self._warming.is_alive():
            return
        if self._cubes is not None and self._cubes.holds("campaigns"):
            return  # in already (starting a thread to find that out takes 3 ms)

        def run() -> None:
            try:
                with database.session() as session:
                    self.get().campaigns(session)
            except Exception:  # noqa: BLE001 - the page's own read reports what fails
                pass

        self._warming = threading.Thread(target=run, name="figure-cubes", daemon=True)
        self._warming.start()

    def get(self) -> FigureCubes:
        """The cubes (made on first use; call from a worker)."""
        with self._made:
            if self._cubes is None:
                from portfolio.analytics.cube_snapshot import LinesSnapshot
                from portfolio.analytics.cubes import FigureCubes

                # Kept between runs for a file on this computer only (see
                # ``cube_snapshot``: a server's lines are not copied to a laptop).
                path = self._database.path
                self._cubes = FigureCubes(None if path is None else LinesSnapshot.of_file(path))
            return self._cubes


def cubes_for(workspace: Workspace) -> SharedCubes:
    shared = getattr(workspace, _ATTRIBUTE, None)
    if shared is None:
        shared = SharedCubes(workspace.database)
        setattr(workspace, _ATTRIBUTE, shared)
        workspace.changed.connect(shared.changed)
    return shared
