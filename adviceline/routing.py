"""Text -> (topic, language): whole-message keywords, phrases, typos; danger outranks all."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from adviceline.normalise import NUMBER, letter_hints, token_variants
from adviceline.routing_index import STEM, STEM_MIN, Index, Terms, compile_terms, topic_words

__all__ = ["PRIORITY", "RESERVED", "Routed", "Router", "Terms"]

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
# Phrases of these topics count even inside a longer phrase of another topic: "my son paid"
# is still a parent writing, and any hint of danger must be heard.
_NEVER_HIDDEN: Final = frozenset({"danger", "parent"})
# Text that matches no phrase leans to a topic when its words' weights (routing_index.topic_words)
# add up to at least _WORD_MIN and beat the runner-up by _WORD_MARGIN.
_WORD_MIN: Final = 0.75
_WORD_MARGIN: Final = 0.25
# What the sender's country adds to its usual language's score, if the words point to it at all.
_COUNTRY_PRIOR: Final = 0.5
# The extra word allowed inside a phrase is never one of these: "donne *pas* 200" is not "donne #".
# fmt: off
_NEGATIONS: Final = frozenset((
    "not", "no", "never", "dont", "didnt", "doesnt", "cant", "wont", "isnt", "pas", "ne", "jamais",
    "nicht", "nie", "kein", "keine", "niet", "geen", "nooit", "non", "mai", "nao", "nunca", "inte",
    "aldrig", "ej", "nigdy",
))
# fmt: on
# No phrase is longer than this many words (with the one extra word allowed inside it).
_LONGEST: Final = 16
# A long message still gets an answer quickly: only this many words are looked at.
_MAX_TOKENS: Final = 400

Phrase = tuple[str, ...]
_Parsed = tuple[Phrase, frozenset[str], frozenset[str], frozenset[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Routed:
    """Where a message goes: a topic id and the language of the reply."""

    topic: str
    language: str


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    key: str  # the phrase, tokens joined by spaces
    langs: frozenset[str]
    topics: frozenset[str]
    tags: frozenset[tuple[str, str]]  # (language, topic)
    gapped: bool = False  # matched with an extra word inside


class Router:
    """Routes message bodies; built once per process from every language's terms."""

    def __init__(
        self,
        terms: Iterable[Terms] | Index,
        country_language: Mapping[str, str],
        default: str = "en",
    ) -> None:
        """`terms` are Terms, or their compile_terms() index (what a content bundle carries)."""
        self.index: Index = terms if isinstance(terms, Mapping) else compile_terms(terms)
        languages = frozenset(self.index["languages"])
        self.languages = languages
        self.default = default if default in languages else min(languages, default=default)
        self._country_language = {
            code.upper(): lang for code, lang in country_language.items() if lang in languages
        }
        self._vocab = frozenset(self.index["vocab"])
        self._stems: dict[str, list[str]] = {}  # "threaten*" filed under "thr"
        for tok in self._vocab:
            if tok.endswith(STEM):
                self._stems.setdefault(tok[: STEM_MIN - 1], []).append(tok[:-1])
        self._fixes: dict[str, str | None] = {}
        self._tags: dict[str, _Parsed] = {}
        self._topic_words: dict[str, dict[str, dict[str, float]]] | None = None  # on first use

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
        whole_table = self.index["whole"]
        if len(variants[0]) == 1 and variants[0][0] in RESERVED:
            langs = {tag.split("/")[0] for tag in whole_table.get(variants[0][0], ())}
            return Routed("menu", self._pick(dict.fromkeys(langs, 1.0), fallback))
        whole: set[str] = set()
        fixed: set[str] = set()  # whole-message keywords once typos are corrected
        matches: list[_Match] = []
        for seq in variants:
            fixes = [self._fix(tok) for tok in seq]
            whole.update(whole_table.get(" ".join(seq), ()))
            corrected = " ".join(f or t for f, t in zip(fixes, seq, strict=True))
            fixed.update(whole_table.get(corrected, ()))
            matches += self._match("phrases", seq, fixes)
        if not whole and not matches:
            whole = fixed
        if not whole and not matches:
            for seq in variants:
                # Exact only: a keyword alone in free text is a weak sign already.
                matches += self._match("keywords", seq, [None] * len(seq))
        language = self._language(body, variants, whole, matches, fallback)
        # The message's own language decides between topics; other languages' phrases count
        # when none of its own matched ("help me" is Dutch support but English small talk).
        own = {t for m in matches for lang, t in m.tags if lang == language}
        topics = {_tag(t)[1] for t in whole} or own or {t for m in matches for t in m.topics}
        if "danger" in {t for m in matches for t in m.topics}:
            topics = {"danger"}
        topic = next((t for t in PRIORITY if t in topics), None)
        return Routed(topic or self._word_topic(language, variants) or "menu", language)

    def _fix(self, tok: str) -> str | None:
        """The known word a mistyped token stands for, if one is close enough."""
        if tok in self._vocab or len(tok) < 4 or not tok.isalpha():
            return None
        if any(tok.startswith(stem) for stem in self._stems.get(tok[: STEM_MIN - 1], ())):
            return None  # a form of a known stem ("hotar" of "hota*") is no typo
        if tok in self._fixes:
            return self._fixes[tok]
        # The first letter is rarely the typo, and requiring it rules out "said" -> "paid".
        limit = 1 if len(tok) <= 7 else 2
        found = process.extractOne(
            tok, self.index["buckets"].get(tok[0], ()), scorer=OSA.distance, score_cutoff=limit
        )
        fix = found[0] if found else None
        if len(self._fixes) > 20_000:  # bounded: a flood of random words can't grow memory
            self._fixes.clear()
        self._fixes[tok] = fix
        return fix

    def _match(self, table: str, seq: Sequence[str], fixes: Sequence[str | None]) -> list[_Match]:
        """Every phrase of `table` in `seq`, except those inside a longer one of another topic."""
        by_first: Mapping[str, Sequence[str]] = self.index[f"{table}_by_first"]
        found: list[_Match] = []
        for i, tok in enumerate(seq):
            stem = tok[: STEM_MIN - 1] + STEM if len(tok) >= STEM_MIN else None
            for first in (tok, fixes[i], NUMBER if tok.isdigit() else None, stem):
                for key in by_first.get(first, ()) if first else ():
                    phrase, langs, topics, tags = self._parse(table, key)
                    end, gapped = _align(phrase, seq, fixes, i)
                    if end:
                        found.append(_Match(i, end, key, langs, topics, tags, gapped))
        starts = [m.start for m in found]  # ascending: found in order of start
        return [
            m for m in found if not _hidden(m, found[bisect_left(starts, m.start - _LONGEST) :])
        ]

    def _parse(self, table: str, key: str) -> _Parsed:
        """A phrase's tokens, languages, topics and tags (parsed on first use, then kept)."""
        parsed = self._tags.get(table + key)
        if parsed is None:
            tags = frozenset((lang, topic) for lang, topic in map(_tag, self.index[table][key]))
            parsed = (
                tuple(key.split(" ")),
                frozenset(lang for lang, _ in tags),
                frozenset(topic for _, topic in tags),
                tags,
            )
            self._tags[table + key] = parsed
        return parsed

    def _word_topic(self, language: str, variants: Sequence[Sequence[str]]) -> str | None:
        """For text no phrase matched: the topic its telling words lean to, if clearly one."""
        if self._topic_words is None:
            self._topic_words = topic_words(self.index)
        weights = self._topic_words.get(language, {})
        score: dict[str, float] = {}
        # Corrected typos count only in long words here: "game" is not a typo of "gave".
        for tok in {(len(t) > 5 and self._fix(t)) or t for seq in variants for t in seq}:
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
        whole: set[str],
        matches: Sequence[_Match],
        fallback: str,
    ) -> str:
        """The language the message is written in, as far as its words tell."""
        score: dict[str, float] = {}
        words: Mapping[str, Sequence[str]] = self.index["words"]
        for tok in {tok for seq in variants for tok in seq}:
            for lang in words.get(tok, ()):
                score[lang] = score.get(lang, 0.0) + 1.0
        seen: set[str] = set()
        for m in matches:
            if m.key not in seen:
                seen.add(m.key)
                # A stem ("bloqu*") is shared by related languages: it says less.
                weight = m.key.count(" ") + 1 - m.key.count(STEM) / 2
                for lang in m.langs:
                    score[lang] = score.get(lang, 0.0) + weight
        for lang in {tag.split("/")[0] for tag in whole}:
            score[lang] = score.get(lang, 0.0) + 2.0
        for lang, weight in letter_hints(body).items():
            score[lang] = score.get(lang, 0.0) + weight
        if score.get(fallback):  # the sender's country breaks near-ties between languages
            score[fallback] += _COUNTRY_PRIOR
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


def _hidden(m: _Match, nearby: Iterable[_Match]) -> bool:
    """Whether other topics' matches outweigh `m`: a longer one covering it ("remove him" hides
    "remove"), or, for a match with an extra word inside, an exact one overlapping it.
    `nearby` are the matches from a phrase length before `m` on, in order of start."""
    for o in nearby:
        if o.start >= m.end:
            return False
        if o.topics & m.topics or o.end <= m.start:
            continue
        exact_over_loose = m.gapped and not o.gapped
        covers = o.start <= m.start and o.end >= m.end
        if m.topics & _NEVER_HIDDEN:
            # Only an exact phrase covering it hides a loose one of these: "hänga ut mig"
            # (expose me) is not "hänga mig" (hang myself); nothing hides an exact one.
            if exact_over_loose and covers:
                return True
        elif exact_over_loose and (o.start < m.start or o.end > m.end):
            # An exact phrase competing for some of its words beats a loose match; one lying
            # inside it does not ("sent him bitcoin" stays "sent bitcoin").
            return True
        elif covers and o.end - o.start > m.end - m.start:
            return True
    return False


def _tag(tag: str) -> tuple[str, str]:
    """ "en/paid" -> ("en", "paid")."""
    lang, _, topic = tag.partition("/")
    return lang, topic


def _cost(want: str, got: str, fix: str | None) -> int | None:
    """0 for the same word (or any number for #, any ending for stem*), 1 for a corrected typo,
    None otherwise."""
    if got == want or (want == NUMBER and got.isdigit()):
        return 0
    if want.endswith(STEM) and got.startswith(want[:-1]):
        return 0
    return 1 if fix == want else None


def _align(
    phrase: Phrase, seq: Sequence[str], fixes: Sequence[str | None], i: int
) -> tuple[int, bool]:
    """Where `phrase` ends if it occurs at `i` (0 if it doesn't), and whether one extra word sits
    inside it ("sent *him* the money" for "sent the money"); never both a gap and a typo."""
    typos = _cost(phrase[0], seq[i], fixes[i])
    if typos is None:
        return 0, False
    pos, gaps = i, 0
    for want in phrase[1:]:
        step = _cost(want, seq[pos + 1], fixes[pos + 1]) if pos + 1 < len(seq) else None
        if step is None and gaps == 0 and pos + 2 < len(seq) and seq[pos + 1] not in _NEGATIONS:
            step = _cost(want, seq[pos + 2], fixes[pos + 2])
            gaps, pos = (1, pos + 1) if step is not None else (gaps, pos)
        if step is None:
            return 0, False
        typos, pos = typos + step, pos + 1
    if typos and (gaps or not _typos_ok(phrase, typos, seq[i])):
        return 0, False
    return pos + 1, gaps > 0


def _typos_ok(phrase: Phrase, typos: int, first: str) -> bool:
    """Whether a phrase matched with `typos` corrected tokens is still trustworthy."""
    if len(phrase) == 1:
        return typos == 1 and len(first) >= 5
    return typos <= len(phrase) // 2 and typos <= 2
