"""The clients as the figure cubes see them: one array entry per client, in id order.

What a roll-up groups or filters clients by (director, vertical, currency, fiscal year
start) as small integer codes, and what it shows (names) as lists, so that a cube turns
a ``Scope`` into a mask and an axis into group numbers without asking the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import Connection, select

from portfolio.analytics.dimensions import Scope
from portfolio.model import Client, TeamMember


@dataclass(frozen=True)
class ClientDims:
    ids: np.ndarray  # int64, ascending
    names: list[str]
    #: Codes into ``currencies``, ``directors`` and ``verticals``.
    currency: np.ndarray
    currencies: list[str]
    director: np.ndarray
    director_ids: list[int]
    director_names: list[str]
    vertical: np.ndarray
    verticals: list[str]
    fiscal_start: np.ndarray

    @cached_property
    def client_rank(self) -> np.ndarray:
        """Each client's place when sorted by name (then id): the order roll-ups list."""
        return _rank(self.names, self.ids.tolist())

    @cached_property
    def director_rank(self) -> np.ndarray:
        return _rank(self.director_names, self.director_ids)

    @cached_property
    def client_keys(self) -> list[tuple[int]]:
        return [(client_id,) for client_id in self.ids.tolist()]

    @cached_property
    def client_labels(self) -> list[tuple[str]]:
        return [(name,) for name in self.names]

    @classmethod
    def load(cls, connection: Connection) -> ClientDims:
        rows = connection.execute(
            select(
                Client.id,
                Client.name,
                Client.currency,
                Client.director_id,
                TeamMember.name,
                Client.vertical,
                Client.fiscal_year_start,
            )
            .join(TeamMember, TeamMember.id == Client.director_id)
            .order_by(Client.id)
        ).all()
        currencies = sorted({row[2] for row in rows})
        verticals = sorted({row[5] for row in rows})
        directors = sorted({(row[3], row[4]) for row in rows})
        currency_code = {value: code for code, value in enumerate(currencies)}
        vertical_code = {value: code for code, value in enumerate(verticals)}
        director_code = {pair[0]: code for code, pair in enumerate(directors)}
        return cls(
            np.array([row[0] for row in rows], dtype=np.int64),
            [row[1] for row in rows],
            np.array([currency_code[row[2]] for row in rows], dtype=np.int64),
            currencies,
            np.array([director_code[row[3]] for row in rows], dtype=np.int64),
            [pair[0] for pair in directors],
            [pair[1] for pair in directors],
            np.array([vertical_code[row[5]] for row in rows], dtype=np.int64),
            verticals,
            np.array([row[6] for row in rows], dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, client_ids: np.ndarray) -> np.ndarray:
        """Positions of ``client_ids`` (all known) in this table."""
        return np.searchsorted(self.ids, client_ids)

    def mask(self, scope: Scope) -> np.ndarray | None:
        """Which clients ``scope`` keeps; None when it says more than clients can answer
        (campaigns, or extra SQL conditions)."""
        if scope.campaign_ids or scope.extra:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if scope.client_ids:
            keep &= np.isin(self.ids, np.array(scope.client_ids, dtype=np.int64))
        if scope.director_ids:
            codes = [c for c, d in enumerate(self.director_ids) if d in set(scope.director_ids)]
            keep &= np.isin(self.director, np.array(codes, dtype=np.int64))
        if scope.verticals:
            codes = [c for c, v in enumerate(self.verticals) if v in set(scope.verticals)]
            keep &= np.isin(self.vertical, np.array(codes, dtype=np.int64))
        if scope.fiscal_year_starts:
            starts = np.array(scope.fiscal_year_starts, dtype=np.int64)
            keep &= np.isin(self.fiscal_start, starts)
        return keep


def _rank(names: list[str], ids: list[int]) -> np.ndarray:
    order = sorted(range(len(names)), key=lambda i: (names[i], ids[i]))
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(names), dtype=np.int64)
    return rank
