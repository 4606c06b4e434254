"""``portfolio demo PATH``: write a demo portfolio."""

from __future__ import annotations

import argparse

from portfolio.cli.common import parse_day, progress_printer


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="write a realistic demo portfolio",
        description="Write a deterministic demo portfolio (same seed and day, same data).",
    )
    parser.add_argument(
        "path", metavar="PATH|URL", help="new SQLite file, or an empty database URL"
    )
    parser.add_argument("--clients", type=int, default=40, help="number of clients (default 40)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="the day the demo is built around (default today)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from portfolio.demo import DemoSpec, write_demo

    spec = DemoSpec(clients=args.clients, seed=args.seed)
    if args.today:
        spec = DemoSpec(
            clients=args.clients, seed=args.seed, today=parse_day(args.today, "--today")
        )
    report = write_demo(
        args.path, spec, force=args.force, progress=progress_printer("Writing demo")
    )
    counts = report.counts
    print(
        f"Wrote {report.target}: {counts['client']:,} clients, {counts['campaign']:,} campaigns, "
        f"{counts['budget_line']:,} budget lines in {report.seconds:.1f} s"
    )
    return 0
