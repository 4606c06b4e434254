"""Finding clients and people by the names users type, with suggestions when they miss."""

from __future__ import annotations

import difflib

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.errors import NotFoundError
from portfolio.model import Client, TeamMember
from portfolio.text import name_key


def _match(kind: str, typed: str, candidates: dict[str, int]) -> int:
    if typed in candidates:
        return candidates[typed]
    folded = {name_key(name): ident for name, ident in candidates.items()}
    wanted = name_key(typed)
    if wanted in folded:
        return folded[wanted]
    close = difflib.get_close_matches(typed, list(candidates), n=3, cutoff=0.6)
    hint = f". Did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
    raise NotFoundError(f"No {kind} named {typed!r}{hint}")


def find_client(session: Session, name: str) -> Client:
    """The client called ``name`` (exact, then by ``portfolio.text.name_key``: ignoring
    case, Unicode normal form and every kind of extra space)."""
    exact = session.execute(select(Client).where(Client.name == name)).scalar()
    if exact is not None:
        return exact
    names = dict(session.execute(select(Client.name, Client.id)).all())
    return session.get_one(Client, _match("client", name, names))


def find_member(session: Session, name: str, role: str | None = None) -> TeamMember:
    query = select(TeamMember.name, TeamMember.id)
    if role:
        query = query.where(TeamMember.role == role)
    names = dict(session.execute(query).all())
    kind = role.replace("_", " ") if role else "team member"
    return session.get_one(TeamMember, _match(kind, name, names))
