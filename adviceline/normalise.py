"""Text to comparable tokens: case, accents, punctuation, emoji, numbers; never raises."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Final

__all__ = [
    "MAX_CHARS",
    "NUMBER",
    "accented_words",
    "clause_variants",
    "fold",
    "letter_hints",
    "token_variants",
    "tokens",
]

# Twilio concatenates at most 1,600 characters; anything longer is not a real message.
MAX_CHARS: Final = 2000
# In a phrase, this token stands for any number: "sent #" matches "sent 50" and "sent 1000".
NUMBER: Final = "#"

_SURROGATES = re.compile("[\ud800-\udfff]")
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc\u0060\u00b4]")
# Letters and digits are words; a change between them splits ("50eur" -> "50", "eur").
_WORDS = re.compile(r"[^\W\d_]+|\d+|#")
_LETTER_WORDS = re.compile(r"[^\W\d_]+")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
# Where one clause of a message ends and the next begins: "no, ya le pagué" is two clauses.
_CLAUSE_ENDS = re.compile("([.,;:!?\n\u2026\u2013\u2014\u00bf\u00a1\uff1f]+)")
# Letters that hint at a language when the words don't; each hint is worth at most one word.
_HINTS: Final[Mapping[str, tuple[str, ...]]] = {
    **dict.fromkeys("ąćęłńśźż", ("pl",)),
    **dict.fromkeys("ß", ("de",)),
    **dict.fromkeys("å", ("sv",)),
    **dict.fromkeys("ñ¿¡", ("es",)),
    **dict.fromkeys("ãõ", ("pt",)),
    **dict.fromkeys("ìò", ("it",)),
    **dict.fromkeys("œîû", ("fr",)),
    **dict.fromkeys("äö", ("de", "sv")),
    **dict.fromkeys("ü", ("de",)),
    **dict.fromkeys("çê", ("fr", "pt")),
    **dict.fromkeys("èà", ("fr", "it")),
    **dict.fromkeys("ù", ("fr", "it")),
    **dict.fromkeys("áíú", ("es", "pt")),
    **dict.fromkeys("éó", ("es", "pt", "fr", "it")),
    **dict.fromkeys("ëï", ("nl", "fr")),
}
_HINT_CHARS = re.compile("[" + "".join(_HINTS) + "]")
# Letters that carry no combining mark in Unicode, so NFKD alone leaves them alone.
_LETTERS = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d"}
)


def fold(text: str) -> str:
    """Case-fold and strip accents: "Ich hab GELD überwiesen" -> "ich hab geld uberwiesen"."""
    text = _SURROGATES.sub(" ", text[:MAX_CHARS])
    if text.isascii():  # most phrases and many messages: nothing to decompose
        return text.lower()
    text = text.casefold().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split(folded: str) -> tuple[str, ...]:
    # "pleeease" -> "please", "sooo" -> "so": stretched letters are emphasis, not spelling.
    folded = _REPEATS.sub(r"\1", folded)
    return tuple(_WORDS.findall(folded))


def tokens(text: str) -> tuple[str, ...]:
    """Words of `text`, folded, with apostrophes joining ("don't" -> "dont", "j'ai" -> "jai")."""
    return _split(_APOSTROPHES.sub("", fold(text)))


def token_variants(text: str) -> tuple[tuple[str, ...], ...]:
    """The word sequences to match: apostrophes joining and, if different, splitting."""
    folded = fold(text)
    joined = _split(_APOSTROPHES.sub("", folded))
    split = _split(_APOSTROPHES.sub(" ", folded))
    return (joined,) if split == joined else (joined, split)


def clause_variants(text: str) -> tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]:
    """token_variants, each with a mark per token: the number of its clause, times two, plus one
    if the clause ends in a question mark ("ya le pagué, ¿y ahora?" -> 0 0 0 3 3)."""
    pieces = _CLAUSE_ENDS.split(_SURROGATES.sub(" ", text[:MAX_CHARS]))
    out: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
    for apostrophe in ("", " "):
        toks: list[str] = []
        marks: list[int] = []
        for number in range(0, len(pieces), 2):
            end = pieces[number + 1] if number + 1 < len(pieces) else ""
            words = _split(_APOSTROPHES.sub(apostrophe, fold(pieces[number])))
            toks += words
            marks += [number + ("?" in end)] * len(words)
        if not out or tuple(toks) != out[0][0]:
            out.append((tuple(toks), tuple(marks)))
    return tuple(out)


def accented_words(text: str) -> frozenset[str]:
    """The words of `text` that carry an accent or a letter outside a-z, lower case, accents kept:
    "policía" and "polícia" tell Spanish from Portuguese where "policia" cannot."""
    if text.isascii():
        return frozenset()
    text = unicodedata.normalize("NFC", _SURROGATES.sub(" ", text[:MAX_CHARS]).casefold())
    return frozenset(w for w in _LETTER_WORDS.findall(text) if len(w) > 1 and not w.isascii())


def letter_hints(text: object) -> dict[str, float]:
    """Languages that the accented letters of `text` point to, each letter worth at most 1."""
    if not isinstance(text, str):
        return {}
    text = unicodedata.normalize("NFC", _SURROGATES.sub("", text[:MAX_CHARS]).casefold())
    hints: dict[str, float] = {}
    for ch in set(_HINT_CHARS.findall(text)):
        for lang in _HINTS[ch]:
            hints[lang] = hints.get(lang, 0.0) + 1.0 / len(_HINTS[ch])
    return hints
