"""The budget lines as the campaign cube holds them, and how they are brought up to date.

``Lines`` are every budget line's month and nine figures, sorted by campaign and month,
with the monthly totals' stamps (``MonthTotal.stamp``) read *before* them. Every write
that moves a line gives the totals row of its client and month a new random stamp (the
triggers of ``portfolio.storage.totals``), so a row whose stamp is the same now as in
``Lines.stamps`` has the same lines as ``Lines`` holds for it; whatever changed during or
after the read has a new stamp. ``current`` uses that: from lines read before (in memory
after an edit, or on disk from the last start, ``cube_snapshot``) it reads again only
the lines of the client-months whose stamps differ - one client's lines after a cell
edit, in milliseconds - and all of them (0.8 s on the 1,009,884-line demo) only when
there is nothing to start from or too much has changed.

A line moved to another client (its campaign moved) or month changes the stamps of both
rows, old and new, so its old place is dropped and its new one read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from sqlalchemy import Connection

from portfolio.analytics.cube_read import beside, compact, read_columns, read_ranges

T = TypeVar("T")

#: Spend, revenue, sales: the order of the figures (each budget, forecast, actual).
MEASURE_ORDER = ("spend", "revenue", "sales")


def figure_columns(table: str = "") -> list[str]:
    """The nine figures of a line as SQL, in ``Lines.figures`` order (an empty actual
    is 0: the SQL roll-ups count it so)."""
    at = f"{table}." if table else ""
    return [
        f"COALESCE({at}{measure}_{kind}, 0)" if kind == "actual" else f"{at}{measure}_{kind}"
        for measure in MEASURE_ORDER
        for kind in ("budget", "forecast", "actual")
    ]


#: Lines read per statement in a full read: bounds the text SQLite hands over at once.
CHUNK_LINES = 100_000
#: Read everything again, rather than the changed client-months' lines, when more
#: clients than this changed (a statement names them; past this, one scan is cheaper).
MOST_CLIENTS_READ = 2_000
#: ... or when more than this share of the client-months changed (a rebuild: all).
MOST_CHANGED = 0.25


@dataclass(frozen=True)
class Lines:
    #: Campaigns that have lines, ascending id, and each one's client id when read.
    ids: np.ndarray
    clients: np.ndarray
    #: Where each campaign's lines start in ``months`` and ``figures`` (and, last, end).
    starts: np.ndarray
    months: np.ndarray
    #: Spend, revenue, sales x budget, forecast, actual (an empty actual is 0); int32
    #: where the values fit (``compact``), sums are taken in int64.
    figures: tuple[np.ndarray, ...]
    #: The totals' (month, client id, stamp) rows read before the lines, sorted.
    stamps: np.ndarray
    #: How they were made: "read" (every line), "refreshed" (changed client-months
    #: read again), "kept" (nothing had changed), "snapshot" (as loaded from disk,
    #: before ``current`` brings them up to date). For the benchmark and the tests.
    made: str = "read"

    def __len__(self) -> int:
        return len(self.months)

    @property
    def nbytes(self) -> int:
        return self.months.nbytes + sum(values.nbytes for values in self.figures)

    def line_campaigns(self) -> np.ndarray:
        return np.repeat(self.ids, np.diff(self.starts))

    def line_keys(self) -> np.ndarray:
        """Each line's (month, client) as one int64: month << 32 | client id."""
        clients = np.repeat(self.clients.astype(np.int64), np.diff(self.starts))
        return _keys(self.months, clients)


def _keys(months: np.ndarray, clients: np.ndarray) -> np.ndarray:
    return (months.astype(np.int64) << 32) | clients.astype(np.int64)


def read_stamps(connection: Connection) -> np.ndarray:
    """Every totals row's (month, client id, stamp), sorted by month and client."""
    months, clients, stamps = read_columns(
        connection, ["month", "client_id", "stamp"], "month_total"
    )
    order = np.lexsort((clients, months))
    return np.stack([months[order], clients[order], stamps[order]], axis=1)


def changed_keys(before: np.ndarray, now: np.ndarray) -> np.ndarray:
    """The (month << 32 | client) keys of the totals rows added, removed or stamped
    anew between two ``read_stamps``; sorted."""
    keys_before, keys_now = _keys(before[:, 0], before[:, 1]), _keys(now[:, 0], now[:, 1])
    if len(keys_before) == len(keys_now) and np.array_equal(keys_before, keys_now):
        return keys_now[before[:, 2] != now[:, 2]]  # the usual case: no row added
    common, at_before, at_now = np.intersect1d(
        keys_before, keys_now, assume_unique=True, return_indices=True
    )
    stamped_anew = common[before[at_before, 2] != now[at_now, 2]]
    return np.union1d(stamped_anew, np.setxor1d(keys_before, keys_now, assume_unique=True))


def current(
    connection: Connection,
    base: Lines | Callable[[], Lines | None] | None,
    campaigns: Callable[[Connection], list],
) -> tuple[Lines, list]:
    """The lines as ``connection`` sees them now, and ``campaigns(connection)`` (the
    campaign cube's (id, name, client id) rows), read while the lines are.

    Starts from ``base`` where it can (see the module's docstring): lines, or a
    function that gives them or None (a snapshot, read while the campaigns are).
    ``base`` itself is never changed, so a cube still using it stays as it was.
    """
    named = beside(connection, campaigns)
    stamps = read_stamps(connection)
    if callable(base):
        base = base()
    if base is not None:
        changed = changed_keys(base.stamps, stamps)
        if changed.size == 0:
            return _with_stamps(base, stamps, "kept"), named()
        clients = np.unique(changed & 0xFFFFFFFF)
        if clients.size <= MOST_CLIENTS_READ and changed.size <= len(stamps) * MOST_CHANGED:
            listed = named()
            return _refreshed(connection, base, stamps, changed, clients, listed), listed
    return _read_all(connection, stamps, named)


def _with_stamps(lines: Lines, stamps: np.ndarray, made: str) -> Lines:
    return Lines(lines.ids, lines.clients, lines.starts, lines.months, lines.figures, stamps, made)


def _read_all(
    connection: Connection, stamps: np.ndarray, campaigns: Callable[[], list]
) -> tuple[Lines, list]:
    """Every line, read in ranges, and ``campaigns()``."""
    columns = ["campaign_id", "month", *figure_columns()]
    # The campaigns are read beside the lines (``current`` started them).
    parts = read_ranges(connection, columns, "budget_line", CHUNK_LINES, compact)
    named = campaigns()
    # Column by column, each chunk freed once copied, and reordered one column at a
    # time: the peak stays near the cube's own 40 MB rather than three times it.
    columns_read = []
    for index in range(len(columns)):
        pieces = [part[index] for part in parts] or [np.zeros(0, dtype=np.int32)]
        for part in parts:
            part[index] = None
        columns_read.append(np.concatenate(pieces))
        del pieces
    del parts
    line_campaign, months = columns_read[0], columns_read[1]
    figures = columns_read[2:]
    # Lines come in id order, which is campaign and month order when they were made
    # that way (the demo, an import); otherwise sort them.
    step = np.diff(line_campaign)
    if not bool(np.all((step > 0) | ((step == 0) & (np.diff(months) > 0)))):
        order = np.lexsort((months, line_campaign))
        line_campaign, months = line_campaign[order], months[order]
        for index in range(len(figures)):
            figures[index] = figures[index][order]
        del order
    del step
    return _runs(line_campaign, months, figures, stamps, _Known(named), "read"), named


class _Known:
    """The campaigns as ``named`` lists them ((id, name, client id) rows): ids
    ascending, and each one's client id."""

    def __init__(self, named: list) -> None:
        ids = np.array([row[0] for row in named], dtype=np.int64)
        clients = np.array([row[2] for row in named], dtype=np.int64)
        by_id = np.argsort(ids)
        self.ids, self.clients = ids[by_id], clients[by_id]

    def clients_of(self, ids: np.ndarray) -> np.ndarray | None:
        """The client id of each campaign of ``ids``; None if one is not known."""
        if len(ids) == 0:
            return np.zeros(0, dtype=np.int64)
        if len(self.ids) == 0:
            return None
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return self.clients[at] if np.array_equal(self.ids[at], ids) else None


def _runs(
    line_campaign: np.ndarray,
    months: np.ndarray,
    figures: list[np.ndarray],
    stamps: np.ndarray,
    known: _Known,
    made: str,
) -> Lines:
    """``Lines`` from lines sorted by campaign and month, each campaign with its client
    as ``known`` gives it.

    Lines of a campaign not ``known`` (deleted while the lines were read) are left
    out: a campaign made later with the same id must not find them. Their client-months
    have new stamps, so the next refresh reads those again anyway.
    """
    kept = np.isin(line_campaign, known.ids)
    if not kept.all():
        line_campaign, months = line_campaign[kept], months[kept]
        figures = [values[kept] for values in figures]
    heads = np.flatnonzero(np.diff(line_campaign)) + 1
    starts = np.concatenate([[0], heads, [len(line_campaign)]]).astype(np.int64)
    if len(line_campaign) == 0:
        starts = np.zeros(1, dtype=np.int64)
    ids = line_campaign[starts[:-1]].astype(np.int64)
    return Lines(ids, known.clients_of(ids), starts, months, tuple(figures), stamps, made)


def _refreshed(
    connection: Connection,
    base: Lines,
    stamps: np.ndarray,
    changed: np.ndarray,
    clients: np.ndarray,
    named: list,
) -> Lines:
    """``base`` without its lines of the ``changed`` client-months, with those lines
    as read now."""
    listed = ", ".join(str(int(client)) for client in clients)
    fresh = read_columns(
        connection,
        ["budget_line.campaign_id", "budget_line.month", "campaign.client_id"]
        + figure_columns("budget_line"),
        "budget_line JOIN campaign ON campaign.id = budget_line.campaign_id "
        f"WHERE campaign.client_id IN ({listed})",
    )
    wanted = np.isin(_keys(fresh[1], fresh[2]), changed)
    fresh = [values[wanted] for values in fresh]
    order = np.lexsort((fresh[1], fresh[0]))
    fresh = [values[order] for values in fresh]
    all_campaigns = base.line_campaigns()
    gone = np.flatnonzero(np.isin(base.line_keys(), changed))
    same_places = len(gone) == len(fresh[0]) and np.array_equal(
        _place(all_campaigns[gone], base.months[gone]), _place(fresh[0], fresh[1])
    )
    known = _Known(named)
    clients = known.clients_of(base.ids)
    if same_places and clients is not None:
        # The same lines with new figures (a cell edit, a paste: the usual change):
        # the figures put in place, nothing moved.
        figures = tuple(
            _put(values, gone, new) for values, new in zip(base.figures, fresh[3:], strict=True)
        )
        return Lines(base.ids, clients, base.starts, base.months, figures, stamps, "refreshed")
    kept = np.ones(len(base.months), dtype=bool)
    kept[gone] = False
    line_campaign = all_campaigns[kept]
    months = base.months[kept]
    figures = [values[kept] for values in base.figures]
    # Both runs sorted by (campaign, month), which is unique: insert the fresh lines
    # where they belong instead of sorting a million lines again.
    at = np.searchsorted(_place(line_campaign, months), _place(fresh[0], fresh[1]))
    line_campaign = np.insert(line_campaign, at, fresh[0].astype(line_campaign.dtype))
    months = np.insert(months, at, fresh[1].astype(months.dtype))
    figures = [_insert(values, at, new) for values, new in zip(figures, fresh[3:], strict=True)]
    return _runs(line_campaign, months, figures, stamps, known, "refreshed")


def _place(campaigns: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Each line's (campaign, month) as one int64, in the lines' order."""
    return (campaigns.astype(np.int64) << 32) | months.astype(np.int64)


def _put(values: np.ndarray, at: np.ndarray, new: np.ndarray) -> np.ndarray:
    """A copy of ``values`` with ``new`` at positions ``at``; int64 if ``new`` does not
    fit int32."""
    if values.dtype != np.int64 and compact(new).dtype != values.dtype:
        out = values.astype(np.int64)
    else:
        out = values.copy()
    out[at] = new
    return out


def _insert(values: np.ndarray, at: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``new`` inserted into ``values`` at ``at``; int64 if ``new`` does not fit int32."""
    if values.dtype != np.int64 and compact(new).dtype != values.dtype:
        values = values.astype(np.int64)
    return np.insert(values, at, new.astype(values.dtype))
