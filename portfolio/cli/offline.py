"""``portfolio checkout`` and ``portfolio sync``: take a book offline and bring it back.

``checkout`` copies a director's book (or named clients) from the team portfolio into a
new laptop file that works like any portfolio with no network. ``sync`` sends the
changes made there and brings the server's, merging field by field; a field changed on
both sides is a conflict, kept in the copy until resolved (``--resolve mine|theirs``,
or ``ask`` to choose one by one).
"""

from __future__ import annotations

import argparse
import sys

from portfolio.cli.common import database, db_parent

RESOLVE = ("mine", "theirs", "ask")


def register(commands: argparse._SubParsersAction) -> None:
    checkout = commands.add_parser(
        "checkout",
        parents=[db_parent()],
        help="copy a book from the team portfolio to a laptop file, to work offline",
        description="Copy a director's book (or named clients), with everything under "
        "them, the team and the reference data, from the team portfolio (--db) into a "
        "new SQLite file that works offline; bring it back with portfolio sync.",
    )
    whose = checkout.add_mutually_exclusive_group(required=True)
    whose.add_argument("--director", metavar="NAME", help="a director's whole book")
    whose.add_argument(
        "--client", metavar="NAME", action="append", help="a client (repeat for several)"
    )
    checkout.add_argument(
        "-o", "--output", required=True, metavar="BOOK.sqlite3", help="the new file"
    )
    checkout.set_defaults(run=run_checkout)

    sync = commands.add_parser(
        "sync",
        help="send an offline copy's changes and bring the server's",
        description="Sync an offline copy with the team portfolio it came from: changes "
        "made on one side only are taken; a field changed on both sides is a conflict, "
        "kept in the copy until resolved.",
    )
    sync.add_argument("book", metavar="BOOK.sqlite3", help="the offline copy")
    sync.add_argument(
        "--resolve",
        choices=RESOLVE,
        help="settle conflicts: mine, theirs, or ask for each (default: keep them); "
        "theirs also lets go of changes the server refused (its values come back)",
    )
    sync.add_argument(
        "--server",
        metavar="PATH|URL",
        help="reach the team portfolio here instead of where it was checked out from",
    )
    sync.set_defaults(run=run_sync)


def run_checkout(args: argparse.Namespace) -> int:
    from portfolio.cli.common import progress_printer
    from portfolio.jobs import Job
    from portfolio.lookup import find_client, find_member
    from portfolio.naming import counted
    from portfolio.sync.book import Scope
    from portfolio.sync.checkout import checkout

    with database(args) as server:
        with server.session() as session:
            if args.director:
                scope = Scope(director_id=find_member(session, args.director).id)
            else:
                scope = Scope(client_ids=tuple(find_client(session, n).id for n in args.client))
        done = checkout(server, scope, args.output, Job(progress_printer("Checking out")))
    print(
        f"Checked out {counted(done.clients, 'client')} ({counted(done.rows, 'row')}) "
        f"to {done.path}. "
        f"Work on it with --db {done.path}; bring it back with: portfolio sync {done.path}"
    )
    return 0


def ask(conflict) -> str | None:
    """Ask on the terminal: mine, theirs, or leave it for later."""
    print(f"\nConflict: {conflict}")
    if conflict.kind == "field":
        print(f"  base: {conflict.base}\n  mine: {conflict.mine}\n  theirs: {conflict.theirs}")
    while True:
        try:
            answer = input("  [m]ine, [t]heirs or [l]ater? ").strip().casefold()
        except EOFError:  # no more answers (a pipe ran out): the rest wait for later
            print()
            return None
        if answer in ("m", "mine"):
            return "mine"
        if answer in ("t", "theirs"):
            return "theirs"
        if answer in ("l", "later", ""):
            return None
        print(f"  {answer!r} is not an answer: type m, t or l (or Enter for later).")


def run_sync(args: argparse.Namespace) -> int:
    from portfolio.cli.common import progress_printer
    from portfolio.jobs import Job
    from portfolio.storage import open_database
    from portfolio.sync.merge import resolver
    from portfolio.sync.run import open_server, preview, sync

    local = open_database(args.book)
    try:
        server = open_server(local, args.server)
        try:
            if args.resolve == "ask":
                choices = {}
                for conflict in preview(local, server).conflicts:
                    choice = ask(conflict)
                    if choice is not None:
                        choices[conflict.key] = choice
                resolve = resolver(choices)
            else:
                resolve = resolver(default=args.resolve)
            report = sync(local, server, resolve=resolve, job=Job(progress_printer("Syncing")))
        finally:
            server.close()
    finally:
        local.close()
    for line in report.lines():
        print(line)
    if report.conflicts or report.refused:
        hints = []
        if report.conflicts:
            hints.append(
                f"settle conflicts with: portfolio sync {args.book} --resolve mine|theirs|ask"
            )
        if report.refused:
            hints.append(
                "a change the server refused can be changed here and synced again, or let "
                f"go with: portfolio sync {args.book} --resolve theirs"
            )
        print("Some changes wait in the copy; " + "; ".join(hints), file=sys.stderr)
        return 1
    return 0
