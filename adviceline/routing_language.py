"""Which of our languages a message is written in, as far as its words, phrases and letters tell."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

from adviceline.normalise import accented_words, letter_hints
from adviceline.routing_index import Index
from adviceline.routing_match import Match

__all__ = ["message_language"]

# What a word seen in a language's phrases adds to that language (shared between languages).
_PHRASE_WORD: Final = 0.5
# What a whole-message keyword adds to each language that has it.
_KEYWORD: Final = 2.0
# What the sender's country adds to its usual language's score, if the words point to it at all.
_COUNTRY_PRIOR: Final = 0.5


def message_language(
    index: Index,
    body: object,
    variants: Sequence[Sequence[str]],
    whole: Iterable[str],
    matches: Sequence[Match],
    fallback: str,
    pick: Callable[[Mapping[str, float], str], str],
) -> str:
    """The language `body` is written in; `fallback` (the sender country's) breaks near-ties and
    answers when nothing tells; `pick` chooses from the scores."""
    score: dict[str, float] = {}

    def add(langs: Iterable[str], weight: float) -> None:
        for lang in langs:
            score[lang] = score.get(lang, 0.0) + weight

    words: Mapping[str, Sequence[str]] = index["words"]
    # A word of some language's phrases hints at that language, a little, shared between the
    # languages that use it ("pense", "bloqueio").
    phrase_words: Mapping[str, Sequence[str]] = index.get("phrase_words", {})
    for tok in {tok for seq in variants for tok in seq}:
        add(words.get(tok, ()), 1.0)
        langs = phrase_words.get(tok, ())
        add(langs, _PHRASE_WORD / max(1, len(langs)))
    seen: set[str] = set()
    for m in matches:
        if m.key not in seen:
            seen.add(m.key)
            add(m.langs, m.size)  # a stem ("bloqu*") is shared by related languages: it says less
    add({tag.split("/")[0] for tag in whole}, _KEYWORD)
    # A word written with its accents as a language writes it: "policía" (es), "polícia" (pt).
    accented: Mapping[str, Sequence[str]] = index.get("accented", {})
    for word in accented_words(body) if isinstance(body, str) else ():
        langs = accented.get(word, ())
        add(langs, 1.0 / max(1, len(langs)))
    for lang, weight in letter_hints(body).items():
        add((lang,), weight)
    if score.get(fallback):  # the sender's country breaks near-ties between languages
        score[fallback] += _COUNTRY_PRIOR
    return pick(score, fallback)
