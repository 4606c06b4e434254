"""Fonts for decks: the bundled Unicode font first, a system font for scripts it lacks.

Client names come in every script the book holds. The bundled DejaVu Sans
(``resources/fonts``, with its licence) covers Latin with every accent, Polish, Greek and
Cyrillic, and is embedded (subset) in each PDF, so names render the same on any machine
and can be copied out as text. For characters it lacks (Japanese, say) the text is split
into *runs* by which font covers each character, and those runs use a TrueType system
font that covers them when one is installed. reportlab only reads TrueType outlines, so
CFF fonts (Noto Sans CJK's ``.ttc``/``.otf``) are skipped. A character no font covers is
drawn as a visible replacement mark and reported as a warning, never dropped silently.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from portfolio.errors import PortfolioError
from resources import FONTS

FONT_DIR = FONTS
REGULAR = "PortfolioSans"
BOLD = "PortfolioSans-Bold"
REPLACEMENT = "\ufffd"

#: TrueType files that cover Japanese (and more), tried before asking fontconfig, in the
#: order of preference: Debian/Ubuntu packages, macOS, Windows.
KNOWN_FALLBACKS = (
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/msgothic.ttc",
    "C:/Windows/Fonts/meiryo.ttc",
)

#: Characters layout needs but that are no one's text: never worth a fallback font.
_INVISIBLE = {"\n", "\r", "\t", "\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"}


class FontError(PortfolioError):
    pass


@dataclass
class _Face:
    name: str
    covers: frozenset[int] | dict[int, int]


_lock = threading.Lock()
_registered: dict[str, _Face] = {}


def _register(name: str, path: Path | str, subfont: int = 0) -> _Face | None:
    """Register a TrueType file under ``name`` once per process; None if unreadable."""
    with _lock:
        face = _registered.get(name)
        if face is not None:
            return face
        try:
            font = TTFont(name, str(path), subfontIndex=subfont)
        except (TTFError, OSError, ValueError, KeyError, IndexError):
            return None
        pdfmetrics.registerFont(font)
        face = _Face(name, font.face.charToGlyph)
        _registered[name] = face
        return face


def bundled_faces() -> tuple[_Face, _Face]:
    """The bundled regular and bold faces; a missing file is an installation problem."""
    faces = []
    for name, filename in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        path = FONT_DIR / filename
        face = _register(name, path)
        if face is None:
            raise FontError(f"The bundled font {path} is missing or damaged; reinstall Portfolio")
        faces.append(face)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR)
    return faces[0], faces[1]


def _fontconfig_files(character: str) -> list[str]:
    """TrueType files fontconfig says cover ``character`` (none where it is absent)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        result = subprocess.run(
            [fc_list, "--format", "%{file}|%{fontformat}\n", f":charset={ord(character):x}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    files = []
    for line in result.stdout.splitlines():
        path, _, kind = line.partition("|")
        if kind.strip() == "TrueType" and path.lower().endswith((".ttf", ".ttc")):
            files.append(path)
    return sorted(set(files))


@dataclass
class FontBook:
    """Chooses a font for every character and remembers what it could not show.

    ``system_fallback=False`` uses the bundled font alone (for tests, and to see what a
    machine without a Japanese font would print). One book per deck: its ``missing``
    set becomes that deck's warning.
    """

    system_fallback: bool = True
    extra_fonts: tuple[str, ...] = ()
    missing: set[str] = field(default_factory=set)
    fallbacks: list[_Face] = field(default_factory=list)
    _tried: set[str] = field(default_factory=set)
    _fontconfig_misses: int = 0
    _char_face: dict[str, _Face | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.regular, self.bold = bundled_faces()

    # -- choosing fonts -------------------------------------------------------------
    def _load_fallback(self, path: str) -> _Face | None:
        if path in self._tried:
            return None
        self._tried.add(path)
        if not Path(path).is_file():
            return None
        face = _register(f"PortfolioFallback-{Path(path).stem}", path)
        if face is not None:
            self.fallbacks.append(face)
        return face

    def face_for(self, character: str) -> _Face | None:
        """The face that draws ``character``; None when no font available covers it."""
        if character in self._char_face:
            return self._char_face[character]
        code = ord(character)
        found: _Face | None = None
        if code in self.regular.covers or character in _INVISIBLE:
            found = self.regular
        else:
            found = next((face for face in self.fallbacks if code in face.covers), None)
            if found is None and (self.system_fallback or self.extra_fonts):
                candidates = list(self.extra_fonts)
                if self.system_fallback:
                    candidates += KNOWN_FALLBACKS
                    # Asking fontconfig costs a process; a machine that had nothing for
                    # three characters will not have anything for the next hundred.
                    if self._fontconfig_misses < 3:
                        found_files = _fontconfig_files(character)
                        candidates += found_files
                        if not any(p not in self._tried for p in found_files):
                            self._fontconfig_misses += 1
                for path in candidates:
                    face = self._load_fallback(path)
                    if face is not None and code in face.covers:
                        found = face
                        break
        self._char_face[character] = found
        return found

    def runs(self, text: str, *, bold: bool = False) -> list[tuple[str, str]]:
        """``text`` split into ``(font name, text)`` runs; uncovered characters replaced.

        Every character takes the first font that covers it, the bundled one first, so
        Latin text beside a Japanese name keeps the deck's typeface; a space both fonts
        cover stays in the current run, so a Japanese name with a space is one run.
        """
        primary = self.bold if bold else self.regular
        out: list[tuple[str, str]] = []
        current: str | None = None
        buffer: list[str] = []
        for character in text:
            face = self.face_for(character)
            if face is None:
                self.missing.add(character)
                face, character = self.regular, REPLACEMENT
            name = primary.name if face is self.regular else face.name
            if (
                current is not None
                and name != current
                and character.isspace()
                and ord(character) in _covers(current)
            ):
                name = current
            if name != current and buffer:
                out.append((current or primary.name, "".join(buffer)))
                buffer = []
            current = name
            buffer.append(character)
        if buffer:
            out.append((current or primary.name, "".join(buffer)))
        return out

    def markup(self, text: object, *, bold: bool = False) -> str:
        """User text as safe Paragraph markup: escaped, and fonts switched per run.

        Everything a user typed goes through here before it reaches a ``Paragraph``, so
        ``<b>Acme & Sons</b>`` prints literally and ``<img src=...>`` fetches nothing.
        Line breaks are kept as ``<br/>``.
        """
        value = "" if text is None else str(text)
        primary = BOLD if bold else REGULAR
        parts = []
        for name, run in self.runs(value, bold=bold):
            safe = escape(run).replace("\r\n", "\n").replace("\n", "<br/>")
            parts.append(safe if name == primary else f'<font face="{name}">{safe}</font>')
        return "".join(parts)

    def single_font(self, text: str, *, bold: bool = False) -> tuple[str, str]:
        """One font for a whole string (chart labels cannot switch fonts mid-string).

        The bundled font when it covers everything, else the first fallback that does;
        what no single font covers is drawn with replacement marks.
        """
        primary = self.bold if bold else self.regular
        for character in text:
            self.face_for(character)  # loads a fallback that covers it, if any
        faces = [primary, *self.fallbacks]
        for face in faces:
            if all(ord(c) in face.covers or c in _INVISIBLE for c in text):
                return face.name, text
        shown = "".join(c if ord(c) in primary.covers else self._missing(c) for c in text)
        return primary.name, shown

    def _missing(self, character: str) -> str:
        self.missing.add(character)
        return REPLACEMENT

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        return sum(
            pdfmetrics.stringWidth(run, name, size) for name, run in self.runs(text, bold=bold)
        )

    def warning(self) -> str | None:
        """One line naming what could not be shown, or None."""
        if not self.missing:
            return None
        shown = " ".join(sorted(self.missing)[:12])
        more = "" if len(self.missing) <= 12 else f" and {len(self.missing) - 12} more"
        return (
            f"{len(self.missing)} character(s) have no installed font ({shown}{more}); they "
            f"are drawn as {REPLACEMENT}. Install a TrueType font that covers them "
            "(on Debian: fonts-ipafont-gothic for Japanese)"
        )


def _covers(name: str) -> Iterable[int]:
    face = _registered.get(name)
    return face.covers if face is not None else ()


def draw_runs(
    canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    book: FontBook,
    *,
    bold: bool = False,
    align: str = "left",
) -> float:
    """Draw ``text`` on a reportlab canvas run by run; returns its width."""
    runs = book.runs(text, bold=bold)
    total = sum(pdfmetrics.stringWidth(run, name, size) for name, run in runs)
    if align == "right":
        x -= total
    elif align == "centre":
        x -= total / 2
    for name, run in runs:
        canvas.setFont(name, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, name, size)
    return total
