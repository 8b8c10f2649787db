"""Text -> (topic, language): whole-message keywords, phrases, typos; danger outranks all."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from adviceline.normalise import NUMBER, clause_variants
from adviceline.routing_choice import PRIORITY, choose
from adviceline.routing_danger import DANGER, SIGNAL, DangerNet
from adviceline.routing_index import (
    END,
    STEM,
    STEM_MIN,
    Index,
    Terms,
    compile_terms,
    topic_words,
)
from adviceline.routing_language import message_language
from adviceline.routing_match import FIRM_TYPO, Match, Phrase, align, hidden

__all__ = ["PRIORITY", "RESERVED", "Routed", "Router", "Terms"]

# Twilio acts on these single words itself (opt-out, opt-in, help); they only ever get the menu.
RESERVED: Final = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "start", "yes", "unstop", "help"}
    | {"info"}
)
# Topics that one danger signal outranks: they say nothing of what happened. (Not support:
# "mi vergogno da morire", I'm dying of shame, is support.)
_VAGUE: Final = frozenset({"menu"})
# ... in a message of at least this many words: "ok bye", "lol dead" are small talk.
_VAGUE_WORDS: Final = 4
# Text that matches no phrase leans to a topic when its words' weights (routing_index.topic_words)
# add up to at least _WORD_MIN, beat the runner-up by _WORD_MARGIN and come from two words or
# more: one everyday word ("game", "pictures") says too little.
_WORD_MIN: Final = 0.75
_WORD_MARGIN: Final = 0.25
_WORD_COUNT: Final = 2
# A typo is forgiven in a stem ("blokier" for "blockier*") only if the stem is this long: short
# ones ("hack*") are one edit from too many words ("hacer").
_FIRM_STEM: Final = 6
# At most this many equally close words are tried for a typo.
_FIXES: Final = 4
# No phrase is longer than this many words (with the one extra word allowed inside it).
_LONGEST: Final = 16
# A long message still gets an answer quickly: only this many words are looked at.
_MAX_TOKENS: Final = 400
# How many words before a phrase may turn its meaning ("i have *not* paid", "*if* i block him",
# "*how do i* get it removed").
_CONTEXT: Final = 5

# A phrase's tokens, the plain words it needs, its languages, topics and tags.
_Parsed = tuple[Phrase, frozenset[str], frozenset[str], frozenset[str], frozenset[tuple[str, str]]]
_Variant = tuple[tuple[str, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Routed:
    """Where a message goes: a topic id and the language of the reply."""

    topic: str
    language: str


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
        self._fixes: dict[str, tuple[str, ...]] = {}
        self._tags: dict[str, _Parsed] = {}
        self._topic_words: dict[str, dict[str, dict[str, float]]] | None = None  # on first use
        self._net = DangerNet(self.index)

    def country_language(self, country: str) -> str:
        """The usual language of a country, if we have it, else the default."""
        return self._country_language.get(country.upper(), self.default)

    def route(self, body: str, *, country: str = "ZZ", num_media: int = 0) -> Routed:
        """Topic and language for a message body; never raises on any string."""
        fallback = self.country_language(country if isinstance(country, str) else "ZZ")
        variants: tuple[_Variant, ...] = tuple(
            (seq[:_MAX_TOKENS], marks[:_MAX_TOKENS])
            for seq, marks in clause_variants(body if isinstance(body, str) else "")
        )
        seqs = tuple(seq for seq, _ in variants)
        if not seqs[0]:  # empty, spaces, emoji, media only: the menu
            return Routed("menu", fallback)
        whole_table = self.index["whole"]
        if len(seqs[0]) == 1 and seqs[0][0] in RESERVED:
            langs = {tag.split("/")[0] for tag in whole_table.get(seqs[0][0], ())}
            return Routed("menu", self._pick(dict.fromkeys(langs, 1.0), fallback))
        whole: set[str] = set()
        fixed: set[str] = set()  # whole-message keywords once typos are corrected
        matches: list[Match] = []
        for number, (seq, marks) in enumerate(variants):
            fixes = [self._fix(tok) for tok in seq]
            whole.update(whole_table.get(" ".join(seq), ()))
            corrected = " ".join(f[0] if f else t for f, t in zip(fixes, seq, strict=True))
            fixed.update(whole_table.get(corrected, ()))
            matches += self._match("phrases", seq, marks, fixes, number)
        if not whole and not matches:
            whole = fixed
        if not whole and not matches:
            for number, (seq, marks) in enumerate(variants):
                # Exact only: a keyword alone in free text is a weak sign already.
                matches += self._match("keywords", seq, marks, [()] * len(seq), number)
        language = message_language(self.index, body, seqs, whole, matches, fallback, self._pick)
        if any(_tag(t)[0] == fallback for t in whole):
            # A keyword the country's language shares ("SCREENSHOTS" in en, de, it and nl) is
            # read in that language.
            language = fallback
        matches = self._foreign_words(matches, language, seqs)
        net = self._net.level(seqs, language)
        if net >= DANGER or any("danger" in m.topics for m in matches):
            return Routed("danger", language)
        topics = {_tag(t)[1] for t in whole}
        topic = next((t for t in PRIORITY if t in topics), None) or choose(matches, language)
        topic = topic or self._word_topic(language, seqs) or "menu"
        # One word of danger in a message that asks for nothing else ("i'm in the bath with a
        # blade", "please don't tell anyone but i've been cutting") gets the danger reply rather
        # than the menu.
        vague = topic in _VAGUE and len(seqs[0]) >= _VAGUE_WORDS
        return Routed("danger" if net >= SIGNAL and vague else topic, language)

    def _pick(self, score: Mapping[str, float], fallback: str) -> str:
        """The best-scoring language; in a tie the country's, then the default, then A-Z."""
        score = {lang: s for lang, s in score.items() if lang in self.languages and s > 0}
        if not score:
            return fallback
        best = max(score.values())
        tied = {lang for lang, s in score.items() if s == best}
        return next((lang for lang in (fallback, self.default) if lang in tied), min(tied))

    def _foreign_words(
        self, matches: list[Match], language: str, seqs: Sequence[Sequence[str]]
    ) -> list[Match]:
        """Matches without what another language's phrases say only by accident: a one-word
        phrase that is an ordinary word of the message's language (Swedish "gift", poison, in
        "una gift card"; "para", money, in "para que"; Portuguese "delet*" in "deleted"), or
        danger reached through a typo ("urgente" is no typo of French "urgence"). Other tags
        stay ("gift card" in Italian)."""
        words: Mapping[str, Sequence[str]] = self.index["words"]
        phrase_words: Mapping[str, Sequence[str]] = self.index.get("phrase_words", {})
        own = any(lang == language for m in matches for lang, _ in m.tags)
        out = []
        for m in matches:
            # A one-word stem is judged by the word it met: "delet*" by "deleted".
            word = seqs[m.variant][m.start] if m.key.endswith(STEM) else m.key
            common = " " not in m.key and (
                language in words.get(word, ()) or language in phrase_words.get(word, ())
            )
            if common or (m.typos and "danger" in m.topics):
                # Danger of another language yields always; other topics only when the
                # message's language has phrases of its own ("help me" is Dutch support).
                tags = frozenset(
                    (lang, topic)
                    for lang, topic in m.tags
                    if lang == language or (topic != "danger" and (own or not common))
                )
                if not tags:
                    continue
                if tags != m.tags:
                    langs = frozenset(lang for lang, _ in tags)
                    m = replace(m, tags=tags, langs=langs, topics=frozenset(t for _, t in tags))
            out.append(m)
        return out

    def _fix(self, tok: str) -> tuple[str, ...]:
        """The known words a mistyped token may stand for, if any are close enough."""
        if tok in self._vocab or len(tok) < 4 or not tok.isalpha():
            return ()
        if any(tok.startswith(stem) for stem in self._stems.get(tok[: STEM_MIN - 1], ())):
            return ()  # a form of a known stem ("hotar" of "hota*") is no typo
        if tok in self._fixes:
            return self._fixes[tok]
        # The first letter is rarely the typo, and requiring it rules out "said" -> "paid".
        limit = 1 if len(tok) <= 7 else 2
        # Imported here, once: most messages need no typo lookup, and rapidfuzz costs a cold
        # start ~6 ms.
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(
            tok,
            self.index["buckets"].get(tok[0], ()),
            scorer=OSA.distance,
            score_cutoff=limit,
            limit=_FIXES,
        )
        # Every word as close as the closest: "blokier" is one edit from Polish "blokiem" and
        # from German "blockier*"; the phrase around it tells which.
        best = min((score for _, score, _ in found), default=limit)
        fix = tuple(word for word, score, _ in found if score == best) + self._fix_stem(tok)
        if len(self._fixes) > 20_000:  # bounded: a flood of random words can't grow memory
            self._fixes.clear()
        self._fixes[tok] = fix
        return fix

    def _fix_stem(self, tok: str) -> tuple[str, ...]:
        """The long stem ("blockier*") a mistyped word ("blokier") starts with, one edit off."""
        from rapidfuzz.distance import OSA

        for stem in self._stems.get(tok[: STEM_MIN - 1], ()):
            if len(stem) >= _FIRM_STEM and any(
                OSA.distance(tok[: len(stem) + d], stem, score_cutoff=1) <= 1 for d in (-1, 0, 1)
            ):
                return (stem + STEM,)
        return ()

    def _match(
        self,
        table: str,
        seq: Sequence[str],
        marks: Sequence[int],
        fixes: Sequence[tuple[str, ...]],
        variant: int = 0,
    ) -> list[Match]:
        """Every phrase of `table` in `seq`, except those inside a longer one of another topic."""
        by_first: Mapping[str, Sequence[str]] = self.index[f"{table}_by_first"]
        found: list[Match] = []
        # A phrase can only occur if each of its plain words is in the message, or a typo of it.
        present = {*seq, *(fix for candidates in fixes for fix in candidates)}
        for i, tok in enumerate(seq):
            stem = tok[: STEM_MIN - 1] + STEM if len(tok) >= STEM_MIN else None
            for first in (tok, *fixes[i], NUMBER if tok.isdigit() else None, stem):
                for key in by_first.get(first, ()) if first else ():
                    phrase, needs, langs, topics, tags = self._parse(table, key)
                    if not needs <= present:
                        continue
                    end, gap, typos = align(phrase, seq, fixes, i)
                    if end and phrase[-1] == END:  # align() matched the $ itself only at the end
                        end = end if end == len(seq) or marks[end] != marks[end - 1] else 0
                    if end and "danger" in topics and len(phrase) <= 2:
                        typoed = [seq[k] for k in range(i, end) if typos and fixes[k]]
                        exact = [seq[k] for k in range(i, end) if not (typos and fixes[k])]
                        tags = self._short_danger(tags, gap >= 0, typoed, exact)
                        langs, topics = frozenset(t[0] for t in tags), frozenset(t[1] for t in tags)
                    if end and tags:
                        context = range(max(0, i - _CONTEXT), i)
                        lead = tuple(seq[k] for k in context if marks[k] == marks[i])
                        after = seq[end] if end < len(seq) and marks[end] == marks[i] else ""
                        found.append(
                            Match(
                                *(i, end, key, langs, topics, tags, gap, typos),
                                *(lead, after, marks[i], variant),
                            )
                        )
        starts = [m.start for m in found]  # ascending: found in order of start
        return [m for m in found if not hidden(m, found[bisect_left(starts, m.start - _LONGEST) :])]

    def _short_danger(
        self,
        tags: frozenset[tuple[str, str]],
        gapped: bool,
        typoed: Sequence[str],
        exact: Sequence[str],
    ) -> frozenset[tuple[str, str]]:
        """A danger phrase of one or two words counts only as written, or with a typo in a long
        word, or next to a word that says it already: "kill mysefl" is danger, but "mama mnie
        zabije jak się dowie" is not "zabije się", nor "me costó" (it cost me) "me corto"."""
        words: Mapping[str, Sequence[str]] = self.index["words"]
        telling = bool(exact) and all(len(tok) >= STEM_MIN and tok not in words for tok in exact)
        if gapped or (typoed and not telling and min(map(len, typoed)) < FIRM_TYPO):
            return frozenset(tag for tag in tags if tag[1] != "danger")
        return tags

    def _parse(self, table: str, key: str) -> _Parsed:
        """A phrase's tokens, needed words, languages, topics and tags (parsed once, then kept)."""
        parsed = self._tags.get(table + key)
        if parsed is None:
            tags = frozenset((lang, topic) for lang, topic in map(_tag, self.index[table][key]))
            phrase = tuple(key.split(" "))
            parsed = (
                phrase,
                frozenset(t for t in phrase if t not in (NUMBER, END) and not t.endswith(STEM)),
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
        count: dict[str, int] = {}
        # Corrected typos count only in long words here: "game" is not a typo of "gave".
        for tok in {(len(t) > 5 and self._fix(t)[:1] or (t,))[0] for seq in variants for t in seq}:
            for topic, share in weights.get(tok, {}).items():
                if topic != "danger":  # danger comes from its phrases, never from loose words
                    score[topic] = score.get(topic, 0.0) + share
                    count[topic] = count.get(topic, 0) + 1
        ranked = sorted(score.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < _WORD_MIN or count[ranked[0][0]] < _WORD_COUNT:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < _WORD_MARGIN:
            return None
        return ranked[0][0]


def _tag(tag: str) -> tuple[str, str]:
    """ "en/paid" -> ("en", "paid")."""
    lang, _, topic = tag.partition("/")
    return lang, topic
