"""Text as it is stored: names and keys clean at entry, and one form to match them by.

Names arrive from the app, the command line and spreadsheets with differences nobody
can see: a no-break space copied from a web page or a PDF, two spaces, a trailing
space, an "é" written as "e" plus a combining accent (macOS file names, some PDFs). Left
in, they make a second client that looks exactly like the first. So every single-line
text (names, titles, subjects) is stored in one form:

* Unicode NFC (the composed form the Unicode standard recommends for interchange,
  UAX #15), so "é" is always one character;
* every run of whitespace of any kind (space, tab, no-break U+00A0, narrow no-break
  U+202F, thin U+2009, ideographic U+3000, line breaks ...) folded into one space, and
  the ends trimmed; invisible format characters (zero-width space, word joiner, soft
  hyphen, a stray byte order mark) dropped;
* control characters (C0/C1 other than whitespace), unpaired surrogates and the
  non-characters U+FFFE/U+FFFF refused: no spreadsheet, XML file or terminal carries
  them faithfully.

Multi-line text (notes) keeps its line breaks and tabs, and is NFC too. ``name_key``
is the form names are matched by: the clean form, case-folded.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that take no room and carry no meaning in a name.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_SPACES = re.compile(r"\s+")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_LINE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class TextError(ValueError):
    """The text holds a character that cannot be stored; ``str()`` names it."""


def _refuse_controls(text: str, pattern: re.Pattern[str]) -> None:
    found = pattern.search(text)
    if found is not None:
        char = found.group()
        raise TextError(
            f"holds the control character U+{ord(char):04X} at position {found.start() + 1}; "
            "remove it"
        )


def clean_line(text: str) -> str:
    """``text`` as a stored name or other single-line text; see the module docstring.

    Raises ``TextError`` for a control character (tabs and line breaks are whitespace
    and are folded, not refused).
    """
    if text.isascii() and text.isprintable() and "  " not in text:
        if not text or (text[0] != " " and text[-1] != " "):
            return text  # the common case: nothing to do
    _refuse_controls(text, _FORBIDDEN_LINE)
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    return _SPACES.sub(" ", text).strip()


def clean_block(text: str) -> str:
    """``text`` as stored multi-line text: NFC, line breaks and tabs kept, blank lines at
    the ends dropped. Raises ``TextError`` for other control characters."""
    _refuse_controls(text, _FORBIDDEN)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.strip("\n")


def name_key(text: str) -> str:
    """The form names are compared in: clean, then case-folded (and NFC again, since
    case folding can decompose). Never raises: a stored name with a control character
    (older data) still gets a key."""
    line = _SPACES.sub(" ", unicodedata.normalize("NFC", text.translate(_INVISIBLE))).strip()
    return unicodedata.normalize("NFC", line.casefold())
