"""Which text encoding a CSV file is in, told from its bytes, or refused as undecidable.

1. A byte order mark names the encoding: UTF-8, UTF-16 (Excel's "Unicode Text" save,
   tab-separated) or UTF-32.
2. Bytes that are valid UTF-8 are UTF-8: other encodings almost never produce valid
   UTF-8 by chance.
3. Otherwise the file comes from an 8-bit code page. Every one of them decodes every
   byte, so decoding is no test; what differs is the letters. Each code page Excel and
   LibreOffice commonly write (``LEGACY``) decodes the words that hold non-ASCII bytes,
   and a decoding is kept only if each such word reads like a word: letters of one
   script (Grünwald, not Grьnwald or Grόnwald), no symbol glued to the front of a letter
   (Łódzkie, not £ódzkie). If the kept decodings all give the same text, that is the
   text; if they differ (é and è are one byte in Western and another letter in
   Central European), the file is refused with each candidate and how it would read,
   rather than guessed into wrong letters.

Why not a statistical detector such as charset-normalizer: it ranks guesses by how
text in a language usually looks, which on the few dozen names of a typical sheet
put cp775 first for a Western European file; an import must instead know when it
cannot know, and say so.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: 8-bit code pages tried, with their names for people.
LEGACY = {
    "cp1252": "Windows-1252 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "mac_roman": "Mac OS Roman",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CHUNK = 1 << 20
#: Distinct non-ASCII words judged (more add nothing but time).
MAX_WORDS = 5000
_WORD = re.compile(rb"[^\s,;|\"'()]*[\x80-\xff][^\s,;|\"'()]*")
#: Symbols a word may hold; none of them may stand right before a letter, except
#: opening marks.
_SYMBOLS = set("€£¥¢©®™°±µ·×÷–—‘’‚“”„…•‰§¶«»¿¡¼½¾¹²³ªº")
_OPENING = set("¿¡«‘‚“„")


class EncodingUnknown(ValueError):
    """The file's encoding cannot be told apart; ``str()`` lists the candidates."""


@dataclass(frozen=True)
class Encoding:
    #: A Python codec name.
    codec: str
    #: Said to the user when it is not UTF-8 (or ``None``).
    note: str | None = None


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte order mark at the start of ``head`` names, if any."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    return None


def detect(path: Path) -> Encoding:
    """The encoding of the text file ``path``; raises ``EncodingUnknown`` when it is one
    of several 8-bit code pages that would read its letters differently."""
    with path.open("rb") as handle:
        codec = bom_encoding(handle.read(4))
    if codec is not None:
        return Encoding(codec)
    if _is_utf8(path):
        return Encoding("utf-8-sig")
    words = _legacy_words(path)
    readings: dict[str, list[str]] = {}
    for candidate in LEGACY:
        decoded = [word.decode(candidate, "replace") for word in words]
        if all(_plausible(word) for word in decoded):
            readings[candidate] = decoded
    distinct = {tuple(decoded) for decoded in readings.values()}
    if len(distinct) == 1:
        chosen = next(iter(readings))
        return Encoding(chosen, f"{path.name} is not UTF-8; read as {LEGACY[chosen]}")
    candidates = readings or {
        codec: [w.decode(codec, "replace") for w in words] for codec in LEGACY
    }
    example = _telling_word(candidates)
    groups: dict[tuple, list[str]] = {}
    for codec, decoded in candidates.items():
        groups.setdefault(tuple(decoded), []).append(LEGACY[codec])
    listed = "; ".join(
        " or ".join(names) + (f" ({decoded[example]!r})" if example is not None else "")
        for decoded, names in groups.items()
    )
    raise EncodingUnknown(
        f"{path.name} is not UTF-8 and its encoding cannot be told apart: it could be "
        f"{listed}. Save it as CSV UTF-8 (Excel: Save As > CSV UTF-8), or name the "
        "encoding (--encoding)"
    )


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _legacy_words(path: Path) -> list[bytes]:
    """The distinct words of ``path`` that hold non-ASCII bytes (at most ``MAX_WORDS``)."""
    found: dict[bytes, None] = {}
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            for match in _WORD.finditer(chunk):
                found.setdefault(match.group(), None)
                if len(found) >= MAX_WORDS:
                    return list(found)
    return list(found)


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def _plausible(token: str) -> bool:
    """Whether every word of ``token`` (split at any space, the no-break one included)
    reads like a word: letters of one script, known symbols."""
    scripts: set[str] = set()
    previous = ""
    for char in token:
        if char.isspace():
            if len(scripts) > 1:
                return False
            scripts, previous = set(), ""
            continue
        category = unicodedata.category(char)
        if category.startswith("L"):
            scripts.add(_script(char))
            if previous in _SYMBOLS and previous not in _OPENING:
                return False
        elif char.isascii() or category.startswith("M"):
            pass
        elif char not in _SYMBOLS:
            return False
        previous = char
    return len(scripts) <= 1


def _telling_word(candidates: dict[str, list[str]]) -> int | None:
    """The index of the first word the candidates read differently."""
    readings = list(candidates.values())
    if not readings:
        return None
    for index in range(len(readings[0])):
        if len({decoded[index] for decoded in readings}) > 1:
            return index
    return None
