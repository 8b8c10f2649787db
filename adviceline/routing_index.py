"""The routing index: every language's keywords, phrases and words as normalised token strings.

The index is plain JSON-able data, built once from the language files (compile_terms) and used as
it is by the router, so a packaged bundle loads with one json.loads and no per-phrase work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from adviceline.normalise import accented_words, token_variants

__all__ = [
    "END",
    "STEM",
    "STEM_MIN",
    "Index",
    "Terms",
    "compile_terms",
    "phrase_variants",
    "topic_words",
]

# In a phrase, "word*" matches every word that starts with "word" (at least STEM_MIN letters):
# "threaten*" matches threaten, threatens, threatening, threatened.
STEM: Final = "*"
STEM_MIN: Final = 4
_STAR_WORD: Final = "zzstemzz"  # survives tokenising, unlike "*"
# A phrase ending in "$" matches only where the message's clause ends: "ich kann nicht mehr $"
# is danger, "ich kann nicht mehr schlafen" is not.
END: Final = "$"

# The index: {"languages": [codes], "whole"/"phrases"/"keywords": {"tok tok": ["lang/topic"]},
# "<table>_by_first": {first key: ["tok tok", ...]}, "words": {tok: [langs]},
# "phrase_words": {tok: [langs whose phrases or keywords use it]},
# "accented": {word as written, accents kept: [langs whose terms write it so]},
# "vocab": [every token], "buckets": {first letter: [tokens of 4+ letters]}}.
Index = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Terms:
    """What one language file says about recognising messages."""

    language: str
    keywords: Mapping[str, Sequence[str]]
    phrases: Mapping[str, Sequence[str]]
    words: Sequence[str] = ()
    # The optional [danger_words] table: "strong", "signals", "ignore" lists (routing_danger).
    danger_words: Mapping[str, Sequence[str]] = field(default_factory=dict)


def first_key(tok: str) -> str:
    """Where a phrase is filed by its first token: a stem under its first three letters."""
    return tok[: STEM_MIN - 1] + STEM if tok.endswith(STEM) else tok


def phrase_variants(text: str) -> tuple[tuple[str, ...], ...]:
    """token_variants of a phrase, keeping a trailing * on stems ("threaten*") and a final $."""
    text = text.strip()
    end = (END,) if text.endswith(END) and len(text) > 1 else ()
    text = text[:-1] if end else text
    if STEM not in text:
        return tuple((*seq, *end) for seq in token_variants(text) if seq)
    out = []
    for seq in token_variants(re.sub(r"(?<=\w)\*", f" {_STAR_WORD} ", text)):
        merged: list[str] = []
        for tok in seq:
            if tok == _STAR_WORD and merged and len(merged[-1]) >= STEM_MIN:
                merged[-1] += STEM
            elif tok != _STAR_WORD:
                merged.append(tok)
        if merged:
            out.append((*merged, *end))
    return tuple(out)


def compile_terms(terms: Iterable[Terms]) -> dict[str, Any]:
    """Build the index from every language's terms."""
    tables: dict[str, dict[str, set[str]]] = {"whole": {}, "phrases": {}, "keywords": {}}
    words: dict[str, set[str]] = {}
    accented: dict[str, set[str]] = {}
    languages: set[str] = set()
    terms = tuple(terms)

    def add(table: str, seq: Sequence[str], language: str, topic: str) -> None:
        if seq:
            tables[table].setdefault(" ".join(seq), set()).add(f"{language}/{topic}")

    for term in terms:
        languages.add(term.language)
        for topic, texts in term.keywords.items():
            for text in texts:
                for seq in token_variants(text):
                    add("whole", seq, term.language, topic)
                    # Danger keywords ("SOS") count wherever they appear in a message; others
                    # only when no phrase matched ("PAID pls").
                    add("phrases" if topic == "danger" else "keywords", seq, term.language, topic)
        for topic, texts in term.phrases.items():
            for text in texts:
                for seq in phrase_variants(text):
                    add("phrases", seq, term.language, topic)
        for text in term.words:
            for seq in token_variants(text):
                for tok in seq:
                    words.setdefault(tok, set()).add(term.language)
        texts = [
            *term.words,
            *(t for ts in (*term.keywords.values(), *term.phrases.values()) for t in ts),
        ]
        for text in texts:
            for word in accented_words(text):
                accented.setdefault(word, set()).add(term.language)

    index: dict[str, Any] = {"languages": sorted(languages)}
    vocab: set[str] = set(words)
    for name, table in tables.items():
        index[name] = {key: sorted(tags) for key, tags in table.items()}
        by_first: dict[str, list[str]] = {}
        for key in table:
            toks = key.split(" ")
            vocab.update(toks)
            by_first.setdefault(first_key(toks[0]), []).append(key)
        index[f"{name}_by_first"] = by_first
    index["words"] = {tok: sorted(langs) for tok, langs in words.items()}
    phrase_words: dict[str, set[str]] = {}
    for name in ("phrases", "keywords", "whole"):
        for key, tags in index[name].items():
            for tok in key.split(" "):
                if tok.isalpha() and len(tok) >= 2:
                    phrase_words.setdefault(tok, set()).update(t.split("/")[0] for t in tags)
    index["phrase_words"] = {tok: sorted(langs) for tok, langs in phrase_words.items()}
    index["accented"] = {word: sorted(langs) for word, langs in accented.items()}
    index["vocab"] = sorted(vocab)
    buckets: dict[str, list[str]] = {}
    for tok in index["vocab"]:
        if len(tok) >= 4 and tok.isalpha():
            buckets.setdefault(tok[0], []).append(tok)
    index["buckets"] = buckets
    from adviceline.routing_danger import compile_danger  # it imports this module

    index.update(compile_danger((t.language, t.danger_words) for t in terms))
    return index


def topic_words(index: Index) -> dict[str, dict[str, dict[str, float]]]:
    """Per language, each telling word of its phrases -> its weight per topic: the share of the
    phrases holding it that belong to the topic, halved for a word seen in one phrase only."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    words: Mapping[str, Sequence[str]] = index["words"]
    for key, tags in index["phrases"].items():
        toks = set(key.split(" "))
        for tag in tags:
            lang, topic = tag.split("/")
            if topic == "menu":
                continue
            for tok in toks:
                if len(tok) >= 3 and tok.isalpha() and lang not in words.get(tok, ()):
                    per_topic = counts.setdefault(lang, {}).setdefault(tok, {})
                    per_topic[topic] = per_topic.get(topic, 0) + 1
    weights: dict[str, dict[str, dict[str, float]]] = {}
    for lang, per_word in counts.items():
        for tok, per_topic in per_word.items():
            total = sum(per_topic.values())
            weights.setdefault(lang, {})[tok] = {
                topic: n / total * min(1.0, total / 2) for topic, n in per_topic.items()
            }
    return weights
