"""The danger safety net: words that say danger alone, or two by two, beside the phrases.

Each language file may hold a `[danger_words]` table: `strong` words or word sequences that alone
make a message danger ("suicidal", "kms"), `signals` of which two different ones in a message make
it danger ("pills" and "bridge"), `context` words that make one signal danger but say nothing
alone or together ("pills" and "tonight"; not "scared" and "tonight"), and `ignore` sequences
inside which no entry says anything ("cut my hair"). A single signal is danger
in a message that names no topic otherwise (Router.route). Phrases can't list every way a person
in crisis writes; these words catch much of the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from adviceline.routing_index import STEM, STEM_MIN, first_key, phrase_variants

__all__ = ["DANGER", "DANGER_TABLES", "SIGNAL", "DangerNet", "compile_danger"]

# The lists of a [danger_words] table, as the index files them ("danger_strong"...).
DANGER_TABLES: Final = ("strong", "signals", "context", "ignore")
# A strong word or stem this long is still heard with one typo ("ovredosed" for "overdos*");
# shorter ones only as written ("scarif*" is one edit from "scaring"), and signals never: one
# edit turns "dead" into "deal".
_TYPO_MIN: Final = 7
_STEM_TYPO_MIN: Final = 7
# What level() tells: one signal heard (danger only if the message says nothing else), danger.
SIGNAL: Final = 1
DANGER: Final = 2
# How many signals of one language make a message danger.
_SIGNALS: Final = 2


def compile_danger(
    danger_words: Iterable[tuple[str, Mapping[str, Sequence[str]]]],
) -> dict[str, Any]:
    """Index entries for every language's [danger_words]: {"danger_<list>": {"tok tok": [langs]},
    "danger_<list>_by_first": {first key: ["tok tok", ...]}}; empty tables when none has any."""
    tables: dict[str, dict[str, set[str]]] = {name: {} for name in DANGER_TABLES}
    for language, lists in danger_words:
        for name in DANGER_TABLES:
            for text in lists.get(name, ()):
                for seq in phrase_variants(text):
                    seq = tuple(t for t in seq if t != "$")
                    if seq:
                        tables[name].setdefault(" ".join(seq), set()).add(language)
    index: dict[str, Any] = {}
    for name, table in tables.items():
        index[f"danger_{name}"] = {key: sorted(langs) for key, langs in table.items()}
        by_first: dict[str, list[str]] = {}
        for key in table:
            by_first.setdefault(first_key(key.split(" ")[0]), []).append(key)
        index[f"danger_{name}_by_first"] = by_first
    return index


class DangerNet:
    """Whether a message's words say danger, from the index's danger_* tables."""

    def __init__(self, index: Mapping[str, Any]) -> None:
        self._tables: dict[str, Mapping[str, Sequence[str]]] = {
            name: index.get(f"danger_{name}", {}) for name in DANGER_TABLES
        }
        self._by_first: dict[str, Mapping[str, Sequence[str]]] = {
            name: index.get(f"danger_{name}_by_first", {}) for name in DANGER_TABLES
        }
        self._words: Mapping[str, Sequence[str]] = index.get("words", {})
        self._phrase_words: Mapping[str, Sequence[str]] = index.get("phrase_words", {})
        self._vocab = frozenset(index.get("vocab", ()))
        single = [k for k in self._tables["strong"] if " " not in k]
        self._typo_words = tuple(k for k in single if not k.endswith(STEM) and len(k) >= _TYPO_MIN)
        self._typo_stems = tuple(
            k[:-1] for k in single if k.endswith(STEM) and len(k) - 1 >= _STEM_TYPO_MIN
        )
        self._typos: dict[str, tuple[str, ...]] = {}

    def __bool__(self) -> bool:
        return any(self._tables.values())

    def says_danger(self, variants: Sequence[Sequence[str]], language: str) -> bool:
        """Whether a strong word (not an ordinary word of `language`), or two different signals
        of one language, or a signal and a context word, outside that language's ignore
        sequences, occur in any of the token `variants`."""
        return self.level(variants, language) >= DANGER

    def level(self, variants: Sequence[Sequence[str]], language: str) -> int:
        """DANGER as says_danger; SIGNAL if only one signal is heard (danger for a message
        that says nothing else); else 0."""
        heard = 0
        for seq in variants:
            ignored = self._find("ignore", seq)
            for start, end, key, langs in self._find("strong", seq, typos=True):
                kept = [
                    lang
                    for lang in langs
                    if not any(
                        lang in ilangs and istart <= start and end <= iend
                        for istart, iend, _, ilangs in ignored
                    )
                ]
                if kept and (" " in key or language not in self._words.get(key, ())):
                    return DANGER
            signals = self._find("signals", seq)
            if not signals:
                continue
            per_lang: dict[str, list[tuple[int, int, str]]] = {}
            for start, end, key, langs in (*signals, *self._find("context", seq)):
                # a context word is filed as "+key": it counts only beside a signal
                mark = key if (start, end, key, langs) in signals else f"+{key}"
                # another language's ordinary word says nothing here: Dutch "die" and "door"
                common = " " not in key and (
                    language in self._words.get(key, ())
                    or language in self._phrase_words.get(key, ())
                )
                for lang in langs:
                    if (lang == language or not common) and not any(
                        lang in ilangs and istart <= start and end <= iend
                        for istart, iend, _, ilangs in ignored
                    ):
                        per_lang.setdefault(lang, []).append((start, end, mark))
            if any(_counts(found) for found in per_lang.values()):
                return DANGER
            if any(not m.startswith("+") for found in per_lang.values() for _, _, m in found):
                heard = SIGNAL
        return heard

    def _find(
        self, name: str, seq: Sequence[str], *, typos: bool = False
    ) -> list[tuple[int, int, str, Sequence[str]]]:
        """(start, end, key, languages) of every entry of list `name` in `seq`."""
        by_first = self._by_first[name]
        table = self._tables[name]
        if not by_first:
            return []
        found: list[tuple[int, int, str, Sequence[str]]] = []
        for i, tok in enumerate(seq):
            before = len(found)
            stem = tok[: STEM_MIN - 1] + STEM if len(tok) >= STEM_MIN else ""
            for first in (tok, stem):
                for key in by_first.get(first, ()) if first else ():
                    want = key.split(" ")
                    end = i + len(want)
                    if end <= len(seq) and all(
                        _same(w, t) for w, t in zip(want, seq[i:end], strict=True)
                    ):
                        found.append((i, end, key, table[key]))
            if typos and len(found) == before and len(tok) >= _STEM_TYPO_MIN:
                for key in self._typo(tok):
                    found.append((i, i + 1, key, table[key]))
        return found

    def _typo(self, tok: str) -> tuple[str, ...]:
        """The strong single words or stems `tok` is one edit from (same first letter)."""
        if tok in self._typos:
            return self._typos[tok]
        fix: tuple[str, ...] = ()
        if tok.isalpha() and tok not in self._vocab and tok not in self._words:
            from rapidfuzz.distance import OSA

            fix = tuple(
                w
                for w in self._typo_words
                if w[0] == tok[0] and OSA.distance(tok, w, score_cutoff=1) <= 1
            ) + tuple(
                s + STEM
                for s in self._typo_stems
                if s[0] == tok[0]
                and any(OSA.distance(tok[: len(s) + d], s, score_cutoff=1) <= 1 for d in (-1, 0, 1))
            )
        if len(self._typos) > 20_000:  # bounded: a flood of random words can't grow memory
            self._typos.clear()
        self._typos[tok] = fix
        return fix


def _same(want: str, got: str) -> bool:
    return got == want or (want.endswith(STEM) and got.startswith(want[:-1]))


def _counts(found: Sequence[tuple[int, int, str]]) -> bool:
    """Two different signals, or a signal and a context word ("+word"), none overlapping."""
    signals = [f for f in found if not f[2].startswith("+")]
    if _distinct(signals) >= _SIGNALS:
        return True
    context = [f for f in found if f[2].startswith("+")]
    return any(c[1] <= s[0] or s[1] <= c[0] for s in signals for c in context)


def _distinct(found: Sequence[tuple[int, int, str]]) -> int:
    """How many different entries occur without overlapping one already counted."""
    keys: set[str] = set()
    taken: list[tuple[int, int]] = []
    for start, end, key in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if key in keys or any(s < end and start < e for s, e in taken):
            continue
        keys.add(key)
        taken.append((start, end))
    return len(keys)
