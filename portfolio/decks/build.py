"""One client's deck, start to finish: read the figures, lay out the slides, write the file.

The file is written to a temporary name beside the target and moved into place only
when complete (``portfolio.files.atomic_output``), so a failure or a cancel leaves any
earlier deck as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from portfolio.decks.content import DeckContent, gather
from portfolio.decks.fonts import FontBook
from portfolio.decks.options import DeckOptions, format_of
from portfolio.decks.outline import Deck
from portfolio.decks.slides import build_outline
from portfolio.files import atomic_output
from portfolio.jobs import Job, quiet
from portfolio.model import Client
from portfolio.periods import parse_period


@dataclass
class DeckResult:
    path: Path
    client: str
    #: Pages in the PDF, slides in the PowerPoint file.
    pages: int
    warnings: list[str] = field(default_factory=list)


def read_content(
    session: Session, client: Client, options: DeckOptions, *, as_of: int, today: dt.date
) -> DeckContent:
    period = parse_period(options.period, as_of, client.fiscal_year_start)
    return gather(session, client, period=period, as_of=as_of, today=today)


def outline(content: DeckContent, options: DeckOptions) -> Deck:
    return build_outline(content, options.sections, firm=options.branding.firm)


def render(deck: Deck, target: Path, options: DeckOptions, book: FontBook) -> int:
    """Write ``deck`` to ``target`` (a temporary path) in the format its name says."""
    if format_of(target.name.removesuffix(".partial")) == "pptx":
        from portfolio.decks.pptx_deck import PptxDeck

        return PptxDeck(deck, options.branding, book).write(target)
    from portfolio.decks.pdf_deck import PdfDeck

    return PdfDeck(deck, options.branding, book).write(target)


def write_deck(
    session: Session,
    client: Client,
    target: str | Path,
    *,
    options: DeckOptions | None = None,
    as_of: int,
    today: dt.date,
    job: Job | None = None,
) -> DeckResult:
    """Write ``client``'s deck to ``target`` (``.pdf`` or ``.pptx``)."""
    job = job or quiet()
    options = options or DeckOptions()
    target = Path(target).expanduser()
    format_of(target)
    job.step(0.05, f"Reading {client.name}")
    content = read_content(session, client, options, as_of=as_of, today=today)
    job.step(0.35, "Laying out slides")
    deck = outline(content, options)
    book = FontBook(system_fallback=options.system_fonts)
    job.step(0.45, f"Writing {target.name}")
    with atomic_output(target) as temporary:
        pages = render(deck, temporary, options, book)
        job.check()
    job.step(1.0, f"Wrote {target.name}")
    warning = book.warning()
    return DeckResult(target, client.name, pages, [warning] if warning else [])
