"""``portfolio team add-login|set-role|remove-login|list|lock-budgets``: who may do what.

Run by a manager or the database owner (on PostgreSQL the server refuses anyone else,
in one line). ``portfolio team`` without a task is the team report (``reports``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from portfolio.cli.common import database
from portfolio.cli.output import Column, emit
from portfolio.errors import ValidationError

TASKS = ("add-login", "set-role", "remove-login", "list", "lock-budgets")
#: A password for ``add-login --password -`` read from the environment (scripts, tests).
PASSWORD_VARIABLE = "PORTFOLIO_NEW_LOGIN_PASSWORD"


def add_arguments(team: argparse.ArgumentParser) -> None:
    team.add_argument(
        "task",
        nargs="?",
        choices=TASKS,
        metavar="TASK",
        help="add-login, set-role, remove-login, list or lock-budgets (without: the team report)",
    )
    team.add_argument("--member", metavar="NAME", help="the team member (name or login)")
    team.add_argument("--login", metavar="LOGIN", help="add-login: the server login role")
    team.add_argument(
        "--role",
        metavar="ROLE",
        help="add-login, set-role: manager, director, rep or viewer",
    )
    team.add_argument(
        "--password",
        action="store_true",
        help="add-login: create the login role on the server, asking for its password "
        f"(or reading {PASSWORD_VARIABLE})",
    )
    team.add_argument("--year", type=int, help="lock-budgets: lock budgets up to this year")
    team.add_argument("--off", action="store_true", help="lock-budgets: unlock budgets")


def _need(args: argparse.Namespace, *names: str) -> None:
    for name in names:
        if not getattr(args, name, None):
            raise ValidationError(name, f"is needed for {args.task}", label=f"--{name}")


def _password(login: str) -> str:
    value = os.environ.get(PASSWORD_VARIABLE)
    if value:
        return value
    if not sys.stdin.isatty():
        raise ValidationError(
            "password",
            f"give it on a terminal, or in {PASSWORD_VARIABLE}",
            label="--password",
        )
    first = getpass.getpass(f"Password for the new login {login}: ")
    if first != getpass.getpass("Again: "):
        raise ValidationError("password", "the two entries differ", label="--password")
    return first


def run(args: argparse.Namespace) -> int:
    from portfolio.access import logins

    task = args.task
    with database(args) as db:
        if task == "list":
            rows = [
                {
                    "member": row.member,
                    "role": row.role,
                    "login": row.login or "",
                    "access": row.access or "",
                    "on_server": {None: "", True: "yes", False: "NO"}[row.on_server],
                }
                for row in logins.list_logins(db)
            ]
            columns = [
                Column("member", "Member"),
                Column("role", "Job"),
                Column("login", "Login"),
                Column("access", "Access"),
            ]
            if db.is_postgres:
                columns.append(Column("on_server", "Login on server"))
            emit(rows, columns, args.format, sys.stdout)
            return 0
        if task == "add-login":
            _need(args, "member", "login", "role")
            password = _password(args.login) if args.password else None
            line = logins.add_login(db, args.member, args.login, args.role, password=password)
        elif task == "set-role":
            _need(args, "member", "role")
            line = logins.set_role(db, args.member, args.role)
        elif task == "remove-login":
            _need(args, "member")
            line = logins.remove_login(db, args.member)
        else:
            if not args.off:
                _need(args, "year")
            line = logins.lock_budgets(db, None if args.off else args.year)
    print(line)
    return 0
