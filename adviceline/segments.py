"""How many SMS segments Twilio bills for a text, and in which encoding (GSM-7 or UCS-2).

The rules follow Twilio's segment calculator, github.com/TwilioDevEd/message-segment-calculator:
- GSM-7 when every character is in the GSM 03.38 basic set or its extension table; the extension
  characters (form feed ^ { } \\ [ ~ ] | €) are an escape pair, two septets, never split across
  parts. 160 septets fit one segment; a longer text is sent in parts of 153 (a 6-byte header).
- Any other character (emoji, curly quotes, dashes, ç, ł, ã, ...) makes the WHOLE text UCS-2,
  counted in UTF-16 code units: 70 in one segment, else parts of 67. A character made of several
  code units (emoji: a surrogate pair; ZWJ sequences, flags, skin tones, combining accents) is
  never split across parts.
- The empty text counts as 1 segment of GSM-7 (the calculator's answer; Twilio itself refuses an
  SMS with neither body nor media). Twilio's 1,600-character limit is not the counter's business.
- Twilio's optional Smart Encoding (replacing curly quotes and the like) is not applied: the line's
  texts avoid those characters instead.
Stdlib only and quick: the reply path counts every SMS it sends.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "Encoding",
    "Segments",
    "count_segments",
    "non_gsm7",
]

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (127 characters: every position but ESC) and its extension table.
GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")
_GSM7: Final = GSM7_BASIC | GSM7_EXTENSION

# One segment is 140 octets; a part of a longer message gives 6 of them to the header.
_GSM7_SINGLE, _GSM7_PART = 160, 153  # septets
_UCS2_SINGLE, _UCS2_PART = 70, 67  # UTF-16 code units

_ZWJ: Final = "\u200d"


@dataclass(frozen=True, slots=True)
class Segments:
    """A text's billing: `units` are septets (GSM-7) or UTF-16 code units (UCS-2)."""

    encoding: Encoding
    segments: int
    units: int
    characters: int  # user-perceived characters (grapheme clusters)


def count_segments(text: str) -> Segments:
    """The encoding and number of segments Twilio bills for `text` sent as one SMS."""
    if _GSM7.issuperset(text):
        return _gsm7(text)
    return _ucs2(text)


def non_gsm7(text: str) -> str:
    """The distinct characters of `text` that force UCS-2, in order of appearance."""
    return "".join(dict.fromkeys(ch for ch in text if ch not in _GSM7))


def _gsm7(text: str) -> Segments:
    escapes = sum(text.count(ch) for ch in GSM7_EXTENSION)
    units = len(text) + escapes
    if units <= _GSM7_SINGLE:
        return Segments("GSM-7", 1, units, len(text))
    if not escapes:
        return Segments("GSM-7", -(-units // _GSM7_PART), units, len(text))
    segments, used = 1, 0
    for ch in text:
        size = 2 if ch in GSM7_EXTENSION else 1
        if used + size > _GSM7_PART:  # an escape pair moves whole to the next part
            segments, used = segments + 1, 0
        used += size
    return Segments("GSM-7", segments, units, len(text))


def _ucs2(text: str) -> Segments:
    if max(text) < "\u0300":  # Latin letters only (ł ç ã ...): one code unit, one character each
        n = len(text)
        return Segments("UCS-2", 1 if n <= _UCS2_SINGLE else -(-n // _UCS2_PART), n, n)
    clusters = _cluster_sizes(text)
    units = sum(clusters)
    if units <= _UCS2_SINGLE:
        return Segments("UCS-2", 1, units, len(clusters))
    segments, used = 1, 0
    for size in clusters:
        if used + size > _UCS2_PART and used:  # a cluster is never split across parts
            segments, used = segments + 1, 0
        used += size
    return Segments("UCS-2", segments, units, len(clusters))


def _cluster_sizes(text: str) -> list[int]:
    """UTF-16 length of each user-perceived character (a stdlib approximation of UAX #29)."""
    sizes: list[int] = []
    prev = ""
    regional_run = 0  # regional indicators pair up into flags
    for ch in text:
        cp = ord(ch)
        width = 2 if cp > 0xFFFF else 1
        regional = 0x1F1E6 <= cp <= 0x1F1FF
        joins = bool(sizes) and (
            prev == _ZWJ
            or _extends(ch, cp)
            or (regional and regional_run % 2 == 1)
            or (0xD800 <= ord(prev) <= 0xDBFF and 0xDC00 <= cp <= 0xDFFF)  # a split pair
        )
        if joins:
            sizes[-1] += width
        else:
            sizes.append(width)
        regional_run = regional_run + 1 if regional else 0
        prev = ch
    return sizes


def _extends(ch: str, cp: int) -> bool:
    """True for characters that attach to the one before: marks, joiners, modifiers, tags."""
    if cp < 0x300:
        return False  # fast path: nothing below the combining diacritics extends
    return (
        cp in (0x200C, 0x200D)
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # tag sequences (subdivision flags)
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")  # combining marks, variation selectors
    )
