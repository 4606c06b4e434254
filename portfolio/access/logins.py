"""Giving team members logins and access: ``portfolio team add-login`` and the rest.

A team member's ``login`` and ``access`` are changed in one journalled transaction;
on PostgreSQL the same transaction brings the login's grants in line
(``portfolio_sync_grants``, migration 0005), so what the table says and what the
server enforces never differ. Only a manager or the database owner may do this: for
anyone else the server refuses the change to the team (and the app says so in words).

Creating a login role on the server needs the CREATEROLE privilege; with a password
given it is sent already encrypted (SCRAM, as ``psql``'s ``\\password`` does), so it
never crosses the wire or lands in a server log in clear. Removing a login takes its
access away in this portfolio; the server's login role stays (other databases may use
it), and the administrator drops it when it is no longer needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portfolio.errors import NotFoundError, ValidationError
from portfolio.identity import User
from portfolio.model import Setting, TeamMember
from portfolio.model.vocab import ACCESS
from portfolio.storage import Database

#: The setting naming the last year whose budgets reps may no longer change.
BUDGET_LOCK_KEY = "budget_locked_year"


@dataclass(frozen=True)
class Login:
    """One team member as ``portfolio team list`` shows them."""

    member: str
    role: str
    login: str | None
    access: str | None
    #: On PostgreSQL: whether the login role exists on the server (None on SQLite).
    on_server: bool | None


def access_value(text_: str) -> str:
    """The stored access for ``manager``, ``director``, ``rep`` or ``viewer`` (or a label)."""
    value = ACCESS.lookup(text_)
    if value is None:
        choices = ", ".join(ACCESS.values)
        raise ValidationError("role", f"{text_!r} is not a role (choose {choices})", label="Role")
    return value


def _member(session: Session, wanted: str) -> TeamMember:
    """A member by name (any case and spacing) or by login."""
    folded = " ".join(wanted.split()).casefold()
    for member in session.scalars(select(TeamMember)):
        if member.name.casefold() == folded or member.login == wanted:
            return member
    raise NotFoundError(f"No team member is named or logs in as {wanted!r}")


def list_logins(db: Database) -> list[Login]:
    """Every team member with their login and access, by name."""

    def read(session: Session) -> list[Login]:
        roles: set[str] | None = None
        if db.is_postgres:
            roles = set(session.scalars(text("SELECT rolname FROM pg_roles WHERE rolcanlogin")))
        members = session.scalars(select(TeamMember).order_by(TeamMember.name))
        return [
            Login(
                m.name,
                m.role,
                m.login,
                m.access,
                None if roles is None or m.login is None else m.login in roles,
            )
            for m in members
        ]

    return db.read(read)


def _login_exists(session: Session, login: str) -> bool:
    found = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :l"), {"l": login})
    return found.first() is not None


def _create_role(session: Session, login: str, password: str) -> None:
    """``CREATE ROLE login LOGIN`` with ``password`` sent SCRAM-encrypted."""
    from psycopg import sql

    driver = session.connection().connection.dbapi_connection
    encrypted = driver.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
    statement = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(login), sql.Literal(encrypted.decode())
    )
    session.connection().exec_driver_sql(statement.as_string(driver))


def _set(
    db: Database,
    member_name: str,
    action: str,
    change,
    *,
    password: str | None = None,
    create_login: str | None = None,
) -> tuple[TeamMember, set[str]]:
    """Apply ``change(session, member) -> {field: value}`` to a member, journalled, and
    sync the grants of every login it touched (the old and the new one)."""
    from portfolio.actions.perform import row_values
    from portfolio.journal.recorder import Recorder

    user: User = db.user

    def work(session: Session) -> tuple[TeamMember, set[str]]:
        if create_login is not None and db.is_postgres and not _login_exists(session, create_login):
            if password is None:
                raise NotFoundError(
                    f"There is no login {create_login!r} on the server; give --password to "
                    f"create it (needs the CREATEROLE privilege), or have the administrator "
                    f"run: CREATE ROLE \"{create_login}\" LOGIN PASSWORD '...'"
                )
            _create_role(session, create_login, password)
        member = _member(session, member_name)
        recorder = Recorder(session)
        touched: set[str] = set()
        values = change(session, member)
        new_login = values.get("login", member.login)
        if new_login is not None:
            for other in session.scalars(
                select(TeamMember).where(TeamMember.login == new_login, TeamMember.id != member.id)
            ):
                before = row_values(other)
                other.login = None
                other.access = None
                session.flush()
                recorder.updated(
                    "team_member",
                    row_values(other),
                    {"login": before["login"], "access": before["access"]},
                )
        before = row_values(member)
        for field, value in values.items():
            setattr(member, field, value)
        session.flush()
        recorder.updated(
            "team_member", row_values(member), {k: before[k] for k in ("login", "access")}
        )
        touched = {login for login in (before["login"], member.login) if login}
        if recorder:
            recorder.write(user, action)
        if db.is_postgres:
            for login in sorted(touched):
                session.execute(text("SELECT portfolio_sync_grants(:l)"), {"l": login})
        return member, touched

    return db.write(work)


def _enforced(db: Database) -> str:
    return "" if db.is_postgres else " (recorded; an SQLite file does not enforce access)"


def add_login(
    db: Database, member: str, login: str, role: str, *, password: str | None = None
) -> str:
    """Link ``login`` to the team member ``member`` with access ``role``; one line back.

    Raises ``NotFoundError`` (no such member; no such login on the server and no
    ``password`` to create it), ``ValidationError`` (an unknown role),
    ``AccessRefusedError`` (the caller is not a manager or the owner).
    """
    access = access_value(role)
    login = login.strip()
    if not login:
        raise ValidationError("login", "is empty", label="Login")
    done, _ = _set(
        db,
        member,
        f"Give {member} access as {ACCESS.label(access).split(' (')[0].lower()} ({login})",
        lambda _s, _m: {"login": login, "access": access},
        password=password,
        create_login=login,
    )
    return f"{done.name} logs in as {login}: {ACCESS.label(access)}{_enforced(db)}"


def set_role(db: Database, member: str, role: str) -> str:
    """Change the access of the member named (or logging in as) ``member``."""
    access = access_value(role)

    def change(_session: Session, found: TeamMember) -> dict:
        if found.login is None:
            raise ValidationError(
                "login", f"{found.name} has no login yet; use add-login", label="Login"
            )
        return {"access": access}

    done, _ = _set(db, member, f"Change access of {member}", change)
    return f"{done.name} ({done.login}): {ACCESS.label(access)}{_enforced(db)}"


def remove_login(db: Database, member: str) -> str:
    """Take the login and access away from the member named (or logging in as) ``member``."""
    old: dict[str, str | None] = {}

    def change(_session: Session, found: TeamMember) -> dict:
        old["login"] = found.login
        return {"login": None, "access": None}

    done, _ = _set(db, member, f"Remove the login of {member}", change)
    if old.get("login") is None:
        return f"{done.name} had no login; nothing to remove"
    kept = " (the server's login role itself is kept)" if db.is_postgres else ""
    return f"{done.name} no longer logs in as {old['login']}{kept}"


def lock_budgets(db: Database, year: int | None) -> str:
    """Lock the budgets of ``year`` and earlier for reps (None: unlock); a setting, so
    only a manager or the owner may change it (the server refuses anyone else)."""

    def work(session: Session) -> None:
        row = session.get(Setting, BUDGET_LOCK_KEY)
        if year is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(Setting(key=BUDGET_LOCK_KEY, value=str(year)))
        else:
            row.value = str(year)

    db.write(work)
    if year is None:
        return "Budgets are no longer locked for account reps"
    return f"Budgets up to {year} are locked for account reps{_enforced(db)}"
