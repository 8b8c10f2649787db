"""Text -> (topic, language): whole-message keywords, phrases, typos; danger outranks all."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from adviceline.normalise import MAX_CHARS, NUMBER, token_variants

__all__ = ["PRIORITY", "RESERVED", "Routed", "Router", "Terms", "compile_terms"]

# When one message matches several topics, the first of these wins. Danger always; then who is
# writing (a parent); then what the person asks to do; then what has happened to them.
PRIORITY: Final = (
    "danger",
    "parent",
    "report",
    "remove",
    "evidence",
    "block",
    "paid",
    "blackmail",
    "signs",
    "support",
    "menu",
)
# Twilio acts on these single words itself (opt-out, opt-in, help); they only ever get the menu.
RESERVED: Final = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "start", "yes", "unstop", "help"}
    | {"info"}
)
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
_SURROGATES = re.compile("[\ud800-\udfff]")
# Text that matches no phrase leans to a topic when its words' shares (see _topic_words) add up
# to at least _WORD_MIN and beat the runner-up by _WORD_MARGIN.
_WORD_MIN: Final = 0.75
_WORD_MARGIN: Final = 0.25
# Topics matched by phrases at most this many words shorter than the longest match compete by
# PRIORITY; shorter ones are ignored.
_SLACK = int(__import__("os").environ.get("SLACK", "9"))
# A long message still gets an answer quickly: only this many words are looked at.
_MAX_TOKENS: Final = 400

Tag = tuple[str, str]  # (language, topic)
Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Routed:
    """Where a message goes: a topic id and the language of the reply."""

    topic: str
    language: str


@dataclass(frozen=True, slots=True)
class Terms:
    """What one language file says about recognising messages."""

    language: str
    keywords: Mapping[str, Sequence[str]]
    phrases: Mapping[str, Sequence[str]]
    words: Sequence[str] = ()


@dataclass(slots=True)
class _Index:
    """Token sequences -> tags, looked up by their first token."""

    tags: dict[Phrase, set[Tag]] = field(default_factory=dict)
    by_first: dict[str, list[Phrase]] = field(default_factory=dict)

    def add(self, seq: Phrase, tag: Tag) -> None:
        if not seq:
            return
        if seq not in self.tags:
            self.tags[seq] = set()
            self.by_first.setdefault(seq[0], []).append(seq)
        self.tags[seq].add(tag)

    def dump(self) -> list[Any]:
        return [[list(seq), sorted(map(list, tags))] for seq, tags in self.tags.items()]

    @classmethod
    def load(cls, rows: Iterable[Any]) -> _Index:
        index = cls({tuple(seq): {(lang, topic) for lang, topic in tags} for seq, tags in rows})
        for seq in index.tags:
            index.by_first.setdefault(seq[0], []).append(seq)
        return index


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    phrase: Phrase
    tags: frozenset[Tag]

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(topic for _, topic in self.tags)


def compile_terms(terms: Iterable[Terms]) -> dict[str, Any]:
    """Every language's terms as normalised token sequences (JSON-able; see Router.compiled)."""
    whole, phrases, keywords = _Index(), _Index(), _Index()
    words: dict[str, set[str]] = {}
    languages: set[str] = set()
    for term in terms:
        languages.add(term.language)
        for topic, texts in term.keywords.items():
            for text in texts:
                for seq in token_variants(text):
                    whole.add(seq, (term.language, topic))
                    # Danger keywords ("SOS") count wherever they appear in a message.
                    (phrases if topic == "danger" else keywords).add(seq, (term.language, topic))
        for topic, texts in term.phrases.items():
            for text in texts:
                for seq in token_variants(text):
                    phrases.add(seq, (term.language, topic))
        for text in term.words:
            for seq in token_variants(text):
                for tok in seq:
                    words.setdefault(tok, set()).add(term.language)
    return {
        "languages": sorted(languages),
        "whole": whole.dump(),
        "phrases": phrases.dump(),
        "keywords": keywords.dump(),
        "words": {tok: sorted(langs) for tok, langs in words.items()},
    }


class Router:
    """Routes message bodies; built once per process from every language's terms."""

    def __init__(
        self,
        terms: Iterable[Terms] | Mapping[str, Any],
        country_language: Mapping[str, str],
        default: str = "en",
    ) -> None:
        """`terms` are Terms, or their compile_terms() form (what a content bundle carries)."""
        compiled = terms if isinstance(terms, Mapping) else compile_terms(terms)
        self._compiled = compiled
        self._whole = _Index.load(compiled["whole"]).tags
        self._phrases = _Index.load(compiled["phrases"])
        # Keywords inside free text ("PAID pls") count only when no phrase matched.
        self._keywords = _Index.load(compiled["keywords"])
        self._words = {tok: set(langs) for tok, langs in compiled["words"].items()}
        languages = frozenset(compiled["languages"])
        self.languages = languages
        self.default = default if default in languages else min(languages, default=default)
        self._country_language = {
            code.upper(): lang for code, lang in country_language.items() if lang in languages
        }
        vocab = {tok for index in (self._phrases, self._keywords) for seq in index.tags for tok in seq}
        vocab |= {tok for seq in self._whole for tok in seq} | set(self._words)
        self._vocab = frozenset(vocab)
        self._buckets: dict[str, list[str]] = {}
        for tok in sorted(vocab):
            if len(tok) >= 4 and tok.isalpha():
                self._buckets.setdefault(tok[0], []).append(tok)
        self._fixes: dict[str, str | None] = {}
        self._topic_words: dict[str, dict[str, dict[str, float]]] | None = None  # on first use

    def compiled(self) -> Mapping[str, Any]:
        """The normalised terms this router was built from (JSON-able)."""
        return self._compiled

    def country_language(self, country: str) -> str:
        """The usual language of a country, if we have it, else the default."""
        return self._country_language.get(country.upper(), self.default)

    def route(self, body: str, *, country: str = "ZZ", num_media: int = 0) -> Routed:
        """Topic and language for a message body; never raises on any string."""
        fallback = self.country_language(country if isinstance(country, str) else "ZZ")
        variants = token_variants(body if isinstance(body, str) else "")
        variants = tuple(seq[:_MAX_TOKENS] for seq in variants)
        if not variants[0]:  # empty, spaces, emoji, media only: the menu
            return Routed("menu", fallback)
        if len(variants[0]) == 1 and variants[0][0] in RESERVED:
            langs = {lang for lang, _ in self._whole.get(variants[0], ())}
            return Routed("menu", self._pick(dict.fromkeys(langs, 1.0), fallback))
        whole: set[Tag] = set()
        matches: list[_Match] = []
        for seq in variants:
            fixes = [self._fix(tok) for tok in seq]
            whole |= self._whole.get(seq, set())
            whole |= self._whole.get(tuple(f or t for f, t in zip(fixes, seq, strict=True)), set())
            matches += self._match(self._phrases, seq, fixes)
        if not whole and not matches:
            for seq in variants:
                # Exact only: a keyword alone in free text is a weak sign already.
                matches += self._match(self._keywords, seq, [None] * len(seq))
        topics = {topic for _, topic in whole} or _strongest(matches)
        if "danger" in {t for m in matches for t in m.topics}:
            topics = {"danger"}
        language = self._language(body, variants, whole, matches, fallback)
        topic = next((t for t in PRIORITY if t in topics), None)
        return Routed(topic or self._word_topic(language, variants) or "menu", language)

    def _fix(self, tok: str) -> str | None:
        """The known word a mistyped token stands for, if one is close enough."""
        if tok in self._vocab or len(tok) < 4 or not tok.isalpha():
            return None
        if tok in self._fixes:
            return self._fixes[tok]
        # The first letter is rarely the typo, and requiring it rules out "said" -> "paid".
        limit = 1 if len(tok) <= 7 else 2
        found = process.extractOne(
            tok, self._buckets.get(tok[0], ()), scorer=OSA.distance, score_cutoff=limit
        )
        fix = found[0] if found else None
        if len(self._fixes) > 20_000:  # bounded: a flood of random words can't grow memory
            self._fixes.clear()
        self._fixes[tok] = fix
        return fix

    def _match(self, index: _Index, seq: Sequence[str], fixes: Sequence[str | None]) -> list[_Match]:
        """Every phrase of `index` in `seq`, except those inside a longer one of another topic."""
        found: list[_Match] = []
        for i, tok in enumerate(seq):
            for first in (tok, fixes[i], NUMBER if tok.isdigit() else None):
                for phrase in index.by_first.get(first, ()) if first else ():
                    end = _align(phrase, seq, fixes, i)
                    if end is not None:
                        found.append(_Match(i, end, phrase, frozenset(index.tags[phrase])))
        return [
            m
            for m in found
            if "danger" in m.topics
            or not any(
                o.start <= m.start
                and m.end <= o.end
                and o.end - o.start > m.end - m.start
                and not o.topics & m.topics
                for o in found
            )
        ]

    def _word_topic(self, language: str, variants: Sequence[Sequence[str]]) -> str | None:
        """For text no phrase matched: the topic its telling words lean to, if clearly one."""
        if self._topic_words is None:
            self._topic_words = _topic_words(self._phrases, self._words)
        weights = self._topic_words.get(language, {})
        score: dict[str, float] = {}
        for tok in {self._fix(t) or t for seq in variants for t in seq}:
            for topic, share in weights.get(tok, {}).items():
                score[topic] = score.get(topic, 0.0) + share
        ranked = sorted(score.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < _WORD_MIN:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < _WORD_MARGIN:
            return None
        return ranked[0][0]

    def _language(
        self,
        body: object,
        variants: Sequence[Sequence[str]],
        whole: set[Tag],
        matches: Sequence[_Match],
        fallback: str,
    ) -> str:
        """The language the message is written in, as far as its words tell."""
        score: dict[str, float] = {}
        for tok in {tok for seq in variants for tok in seq}:
            for lang in self._words.get(tok, ()):
                score[lang] = score.get(lang, 0.0) + 1.0
        seen: set[Phrase] = set()
        for m in matches:
            if m.phrase not in seen:
                seen.add(m.phrase)
                for lang in {lang for lang, _ in m.tags}:
                    score[lang] = score.get(lang, 0.0) + len(m.phrase)
        for lang in {lang for lang, _ in whole}:
            score[lang] = score.get(lang, 0.0) + 2.0
        if isinstance(body, str):
            text = unicodedata.normalize("NFC", _SURROGATES.sub("", body[:MAX_CHARS]).casefold())
            for ch in set(_HINT_CHARS.findall(text)):
                for lang in _HINTS[ch]:
                    score[lang] = score.get(lang, 0.0) + 1.0 / len(_HINTS[ch])
        return self._pick(score, fallback)

    def _pick(self, score: Mapping[str, float], fallback: str) -> str:
        score = {lang: s for lang, s in score.items() if lang in self.languages and s > 0}
        if not score:
            return fallback
        best = max(score.values())
        tied = {lang for lang, s in score.items() if s == best}
        for lang in (fallback, self.default):
            if lang in tied:
                return lang
        return min(tied)


def _strongest(matches: Sequence[_Match]) -> set[str]:
    """The topics worth choosing from: a parent always; else those matched by a phrase nearly as
    long as the longest (a long phrase is a clearer statement than a stray short one)."""
    strength: dict[str, int] = {}
    for m in matches:
        for topic in m.topics:
            strength[topic] = max(strength.get(topic, 0), len(m.phrase))
    if "parent" in strength:
        return {"parent"}
    top = max(strength.values(), default=0)
    return {topic for topic, n in strength.items() if n >= top - _SLACK}


def _cost(want: str, got: str, fix: str | None) -> int | None:
    """0 for the same word (or any number for #), 1 for a corrected typo, None otherwise."""
    if got == want or (want == NUMBER and got.isdigit()):
        return 0
    return 1 if fix == want else None


def _align(phrase: Phrase, seq: Sequence[str], fixes: Sequence[str | None], i: int) -> int | None:
    """Where `phrase` ends if it occurs at `i`, allowing one extra word inside it ("sent *him*
    the money" for "sent the money"), but not together with a typo; None if it doesn't."""
    typos = _cost(phrase[0], seq[i], fixes[i])
    if typos is None:
        return None
    pos, gaps = i, 0
    for want in phrase[1:]:
        step = _cost(want, seq[pos + 1], fixes[pos + 1]) if pos + 1 < len(seq) else None
        if step is None and gaps == 0 and pos + 2 < len(seq):
            step = _cost(want, seq[pos + 2], fixes[pos + 2])
            gaps, pos = (1, pos + 1) if step is not None else (gaps, pos)
        if step is None:
            return None
        typos, pos = typos + step, pos + 1
    if typos and (gaps or not _typos_ok(phrase, typos, seq[i])):
        return None
    return pos + 1


def _topic_words(index: _Index, stop: Mapping[str, set[str]]) -> dict[str, dict[str, dict[str, float]]]:
    """Per language, each telling word of its phrases -> the share of its phrases per topic."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for seq, tags in index.tags.items():
        for lang, topic in tags:
            if topic == "menu":
                continue
            for tok in set(seq):
                if len(tok) >= 3 and tok != NUMBER and lang not in stop.get(tok, ()):
                    per_topic = counts.setdefault(lang, {}).setdefault(tok, {})
                    per_topic[topic] = per_topic.get(topic, 0) + 1
    return {
        lang: {
            tok: {topic: n / sum(per_topic.values()) for topic, n in per_topic.items()}
            for tok, per_topic in words.items()
        }
        for lang, words in counts.items()
    }


def _typos_ok(phrase: Phrase, typos: int, first: str) -> bool:
    """Whether a phrase matched with `typos` corrected tokens is still trustworthy."""
    if len(phrase) == 1:
        return typos == 1 and len(first) >= 5
    return typos <= len(phrase) // 2 and typos <= 2

