"""Who is working: the login, and the team member it is linked to.

Every journal entry names who made the change. A login is the operating-system account
on an SQLite portfolio and the server's login role (``current_user``) on PostgreSQL; a
team member is linked to a login once (``link``: the app asks on first start, a manager
can do it for others). ``PORTFOLIO_USER=NAME`` (a member's name or login) overrides the
login for the command line and tests, so scripts and tests can act as two people
without two accounts. On a team server the override cannot make anyone more than their
login: the server checks every change against the real login (``portfolio.access``)
and journals it under that login, so there the override is refused unless it names
the login's own member, or the login is the database owner.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from portfolio.errors import NotFoundError, ValidationError
from portfolio.model import TeamMember

#: The environment variable that names who is working, for the CLI and tests.
USER_VARIABLE = "PORTFOLIO_USER"


@dataclass(frozen=True)
class User:
    """A login and, once linked, the team member behind it."""

    login: str
    member_id: int | None = None
    name: str | None = None
    #: What the login may do (``vocab.ACCESS``, or ``owner`` for the database owner on
    #: PostgreSQL); None: not known (SQLite) or no access given.
    access: str | None = None

    @property
    def shown(self) -> str:
        """How the status bar and the history name this person."""
        return self.name or self.login

    @property
    def linked(self) -> bool:
        return self.member_id is not None


def os_login() -> str:
    """The operating-system account running Portfolio."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no LOGNAME/USER
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def session_login(session: Session) -> str:
    """The login of this connection: the server role on PostgreSQL; in an offline copy,
    the login of the person who took it (their changes go back to the server as
    theirs); else the operating-system account."""
    if session.get_bind().dialect.name == "postgresql":
        return str(session.scalar(text("SELECT current_user")))
    owner = session.scalar(text("SELECT owner_login FROM offline_copy WHERE id = 1"))
    return owner or os_login()


def _member_named(session: Session, wanted: str) -> TeamMember | None:
    folded = " ".join(wanted.split()).casefold()
    return session.scalars(
        select(TeamMember).where(
            (func.lower(TeamMember.name) == folded) | (TeamMember.login == wanted)
        )
    ).first() or next(
        (m for m in session.scalars(select(TeamMember)) if m.name.casefold() == folded), None
    )


def _server_login(session: Session) -> User:
    """PostgreSQL: the login, whether it owns the database, and its member, in one query."""
    row = session.execute(
        text(
            "SELECT current_user, pg_has_role(current_user, d.datdba, 'MEMBER'), "
            "m.id, m.name, m.access FROM pg_database d "
            "LEFT JOIN team_member m ON m.login = current_user "
            "WHERE d.datname = current_database()"
        )
    ).one()
    login, owner, member_id, name, access = row
    return User(str(login), member_id, name, "owner" if owner else access)


def resolve(session: Session, override: str | None = None) -> User:
    """Who is working in ``session``: ``override`` (a member's name or login) if given,
    else the session's login and the member linked to it.

    Raises ``NotFoundError`` when ``override`` names nobody in a portfolio that has a
    team (a typo must not journal changes under a name that is no one's), and
    ``ValidationError`` when on a team server it names someone the login is not.
    """
    override = override if override is not None else os.environ.get(USER_VARIABLE)
    server = session.get_bind().dialect.name == "postgresql"
    real = _server_login(session) if server else None
    if real is not None and override and override.strip() and real.access != "owner":
        member = _member_named(session, override.strip())
        if member is None or member.id != real.member_id:
            raise ValidationError(
                "user",
                f"{USER_VARIABLE}={override.strip()!r}, but on this server you are logged in "
                f"as {real.login}; the server checks and journals every change as your "
                "login (unset the variable, or log in as that person)",
                label="Who is working",
            )
        return real
    if real is not None and not (override and override.strip()):
        return real
    if override and override.strip():
        member = _member_named(session, override.strip())
        if member is None:
            if session.scalar(select(func.count()).select_from(TeamMember)):
                raise NotFoundError(
                    f"{USER_VARIABLE}={override!r} names no team member of this portfolio"
                )
            return User(login=override.strip())
        return User(
            login=member.login or override.strip(),
            member_id=member.id,
            name=member.name,
            access=member.access,
        )
    login = session_login(session)
    member = session.scalars(select(TeamMember).where(TeamMember.login == login)).first()
    if member is None and session.get_bind().dialect.name == "sqlite":
        # An offline copy works as the team member who took it.
        owner = session.scalar(text("SELECT owner_member_id FROM offline_copy WHERE id = 1"))
        member = session.get(TeamMember, owner) if owner is not None else None
    if member is None:
        return User(login=login)
    return User(login=login, member_id=member.id, name=member.name, access=member.access)


def link(session: Session, member_id: int, login: str) -> User:
    """Link ``login`` to the team member ``member_id`` (and unlink it from anyone else).

    Raises ``ValidationError`` when the member is already linked to another login: a
    person's identity is not taken over by choosing their name.
    """
    member = session.get(TeamMember, member_id)
    if member is None:
        raise NotFoundError(f"Team member {member_id} no longer exists")
    if member.login not in (None, login):
        raise ValidationError(
            "login", f"{member.name} already works as {member.login!r}", label="Login"
        )
    session.execute(
        update(TeamMember)
        .where(TeamMember.login == login, TeamMember.id != member_id)
        .values(login=None, version=TeamMember.version + 1)
    )
    if member.login != login:
        member.login = login
    session.flush()
    return User(login=login, member_id=member.id, name=member.name)


def unlinked_people(session: Session) -> list[tuple[int, str]]:
    """Active team members no login is linked to yet, by name: the first-start choice."""
    query = (
        select(TeamMember.id, TeamMember.name)
        .where(TeamMember.active.is_(True), TeamMember.login.is_(None))
        .order_by(TeamMember.name)
    )
    return [tuple(row) for row in session.execute(query)]
