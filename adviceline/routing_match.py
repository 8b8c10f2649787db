"""Where a phrase occurs in a message: alignment with one extra word or typos, and which
matches other, better matches hide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from adviceline.normalise import NUMBER
from adviceline.routing_index import END, STEM
from adviceline.routing_words import NEGATIONS as NEGATION_WORDS

__all__ = ["FIRM_TYPO", "NEGATIONS", "Match", "Phrase", "align", "hidden"]

Phrase = tuple[str, ...]
# The extra word allowed inside a phrase is never a negation: "donne *pas* 200" is not "donne #",
# and "i *haven't* paid" is not "i paid".
NEGATIONS: Final = frozenset().union(*NEGATION_WORDS.values(), ("isnt", "arent", "wasnt"))
# A corrected typo counts in a short danger phrase only in a word at least this long: "suicdie"
# is plainly "suicide", but "costo" (it cost) is a word of its own, not a typo of "corto".
FIRM_TYPO: Final = 6
# Topics whose phrases count even inside a longer phrase of another topic: "my son paid" is
# still a parent writing, and any hint of danger must be heard.
_NEVER_HIDDEN: Final = frozenset({"danger", "parent"})


@dataclass(frozen=True, slots=True)
class Match:
    """One phrase found in a message, with the words around it that change its meaning."""

    start: int
    end: int
    key: str  # the phrase, tokens joined by spaces
    langs: frozenset[str]
    topics: frozenset[str]
    tags: frozenset[tuple[str, str]]  # (language, topic)
    gap: int = -1  # where an extra word sits inside it, if one does
    typos: int = 0  # corrected tokens
    lead: tuple[str, ...] = ()  # up to five words before it, in the same clause
    after: str = ""  # the word after it, in the same clause
    clause: int = 0  # its clause's mark (normalise.clause_variants): odd in a question
    variant: int = 0  # which of the message's token variants it was found in

    @property
    def size(self) -> float:
        """How much the phrase says: its words, a stem or a number counting half."""
        toks = self.key.split(" ")
        return sum(0.5 if t == NUMBER or t.endswith(STEM) else float(t != END) for t in toks)

    @property
    def gapped(self) -> bool:
        """Matched with an extra word inside."""
        return self.gap >= 0

    def exact(self) -> bool:
        """Matched word for word, with no extra word and no corrected typo."""
        return self.gap < 0 and not self.typos


def hidden(m: Match, nearby: Iterable[Match]) -> bool:
    """Whether other topics' matches outweigh `m`: a longer one covering it ("remove him" hides
    "remove"), or, for a match with an extra word inside, an exact one overlapping it.
    `nearby` are the matches from a phrase length before `m` on, in order of start."""
    for o in nearby:
        if o.start >= m.end:
            return False
        if o.tags & m.tags or o.end <= m.start:
            continue
        exact_over_loose = m.gapped and not o.gapped
        covers = o.start <= m.start and o.end >= m.end
        if m.topics & _NEVER_HIDDEN:
            # Only an exact phrase covering it hides a loose one of these: "hänga ut mig"
            # (expose me) is not "hänga mig" (hang myself). An exact one is hidden only by a
            # longer exact phrase of its own language that goes on from its first word and
            # says what it means: "me corté el pelo" (I cut my hair) is not "me corté".
            if exact_over_loose and covers:
                return True
            if (
                "danger" in m.topics
                and m.exact()
                and o.exact()
                and len(m.key.split(" ")) <= 2
                and o.start == m.start
                and o.end > m.end
                and o.langs & m.langs
            ):
                return True
        elif exact_over_loose and (covers or o.start < m.start or o.end > m.end):
            # An exact phrase competing for some of its words beats a loose match; one lying
            # inside it does not ("sent him bitcoin" stays "sent bitcoin").
            return True
        elif covers and o.end - o.start > m.end - m.start and not m.start <= o.gap < m.end:
            # A longer phrase hides one inside it, but not one that its extra word belongs to:
            # "har (delat) mina bilder" leaves "delat mina bilder" alone.
            return True
    return False


def _cost(want: str, got: str, fix: tuple[str, ...]) -> int | None:
    """0 for the same word (or any number for #, any ending for stem*), 1 for a corrected typo,
    None otherwise."""
    if got == want or (want == NUMBER and got.isdigit()):
        return 0
    if want.endswith(STEM) and got.startswith(want[:-1]):
        return 0
    return 1 if want in fix else None


def align(
    phrase: Phrase, seq: Sequence[str], fixes: Sequence[tuple[str, ...]], i: int
) -> tuple[int, int, int]:
    """Where `phrase` ends if it occurs at `i` (0 if it doesn't), where one extra word sits
    inside it (-1 if none: "sent *him* the money" for "sent the money"), and how many typos it
    needed; never both an extra word and a typo."""
    typos = _cost(phrase[0], seq[i], fixes[i])
    if typos is None:
        return 0, -1, 0
    pos, gap = i, -1
    for want in phrase[1:]:
        if want == END:  # the caller checks that the clause ends here
            break
        step = _cost(want, seq[pos + 1], fixes[pos + 1]) if pos + 1 < len(seq) else None
        if step is None and gap < 0 and pos + 2 < len(seq) and seq[pos + 1] not in NEGATIONS:
            step = _cost(want, seq[pos + 2], fixes[pos + 2])
            gap, pos = (pos + 1, pos + 1) if step is not None else (gap, pos)
        if step is None:
            return 0, -1, 0
        typos, pos = typos + step, pos + 1
    if typos and (gap >= 0 or not _typos_ok(phrase, typos, seq[i])):
        return 0, -1, 0
    return pos + 1, gap, typos


def _typos_ok(phrase: Phrase, typos: int, first: str) -> bool:
    """Whether a phrase matched with `typos` corrected tokens is still trustworthy."""
    if len(phrase) == 1:
        return typos == 1 and len(first) >= 5
    return typos <= len(phrase) // 2 and typos <= 2
