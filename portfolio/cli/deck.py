"""``portfolio deck``: a client's review deck as PDF or PowerPoint, or a director's whole book.

Every ``portfolio`` start builds the whole parser, the desktop app's included, so this
module imports only what ``register`` needs; the deck engine (reportlab, python-pptx,
the process pool) is imported when a deck is actually written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portfolio.cli.common import as_of, as_of_parent, database, db_parent, progress_printer, today
from portfolio.decks.options import FORMATS, SECTIONS, Branding, DeckOptions, parse_sections


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "deck",
        parents=[db_parent(), as_of_parent()],
        help="a client review deck (PDF or PowerPoint), or one per client of a director",
        description=(
            "Write a client review deck from live data: --client NAME -o OUT.pdf|OUT.pptx, "
            "or every client of a director: --director NAME --out-dir DIR."
        ),
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--client", metavar="NAME", help="the client (with -o)")
    who.add_argument("--director", metavar="NAME", help="every client of this director")
    parser.add_argument("-o", "--out", metavar="FILE", help="OUT.pdf or OUT.pptx (with --client)")
    parser.add_argument("--out-dir", metavar="DIR", help="folder for the decks (with --director)")
    parser.add_argument(
        "--format", choices=FORMATS, default="pdf", help="with --out-dir (default pdf)"
    )
    parser.add_argument(
        "--period", default="ytd", help="ytd, fy, 2026, 2026-Q3 or 2026-07 (default ytd)"
    )
    parser.add_argument(
        "--sections",
        metavar="LIST",
        help=f"comma-separated, in any order (default all): {', '.join(SECTIONS)}",
    )
    parser.add_argument("--firm", default="Portfolio", help="firm name on the slides")
    parser.add_argument("--accent", default=None, metavar="#RRGGBB", help="accent colour")
    parser.add_argument("--logo", metavar="PNG|JPG", help="firm logo for the title and footer")
    parser.add_argument(
        "--no-system-fonts",
        action="store_true",
        help="use only the bundled font (characters it lacks show as replacement marks)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="processes for --director (all cores)"
    )
    parser.set_defaults(run=run)


def _usage(message: str) -> int:
    print(f"portfolio deck: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from portfolio.decks.book import director_clients, write_book
    from portfolio.decks.build import write_deck
    from portfolio.jobs import Job
    from portfolio.lookup import find_client, find_member

    if args.client and not args.out:
        return _usage("--client needs -o OUT.pdf or -o OUT.pptx")
    if args.client and args.out_dir:
        return _usage("--out-dir goes with --director; use -o with --client")
    if args.director and not args.out_dir:
        return _usage("--director needs --out-dir DIR")
    if args.director and args.out:
        return _usage("-o goes with --client; use --out-dir with --director")
    branding = Branding(
        firm=args.firm,
        accent=args.accent or Branding().accent,
        logo=Path(args.logo) if args.logo else None,
    )
    options = DeckOptions(
        period=args.period,
        sections=parse_sections(args.sections),
        branding=branding,
        system_fonts=not args.no_system_fonts,
    )
    month, day = as_of(args), today(args)
    if args.client:
        with database(args) as db, db.session() as session:
            client = find_client(session, args.client)
            result = write_deck(
                session,
                client,
                args.out,
                options=options,
                as_of=month,
                today=day,
                job=Job(progress_printer("Deck")),
            )
        for warning in result.warnings:
            print(f"portfolio: warning: {result.client}: {warning}", file=sys.stderr)
        print(f"Wrote {result.path} ({result.pages} pages)")
        return 0

    with database(args) as db:
        with db.session() as session:
            director = find_member(session, args.director, "account_director")
        clients = director_clients(db, director.id)
        entries = write_book(
            db,
            clients,
            args.out_dir,
            options=options,
            extension=args.format,
            as_of=month,
            today=day,
            workers=args.jobs,
            job=Job(progress_printer(f"Decks for {director.name}")),
        )
    failed = [entry for entry in entries if entry.error]
    for entry in entries:
        for warning in entry.warnings:
            print(f"portfolio: warning: {entry.client}: {warning}", file=sys.stderr)
    for entry in failed:
        print(f"portfolio: {entry.client}: deck not written: {entry.error}", file=sys.stderr)
    written = len(entries) - len(failed)
    print(f"Wrote {written} of {len(entries)} decks for {director.name} to {args.out_dir}")
    return 1 if failed else 0
