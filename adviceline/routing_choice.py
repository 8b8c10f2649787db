"""A topic from matched phrases: danger; then negation, condition and question; then an order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from adviceline.routing_match import Match
from adviceline.routing_words import (
    ALREADY,
    CONDITIONALS,
    CONSEQUENCES,
    CONTRASTS,
    JOINERS,
    NEGATIONS,
    NEGATIONS_AFTER,
    QUESTIONS,
    REGARDLESS,
    words_of,
)

__all__ = ["PRIORITY", "choose"]

# When one message still matches several topics, the first of these wins. Danger always; then
# who is writing (a parent); then what the person asks to do; then what has happened to them.
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
# Topics that a threat's condition never takes away: danger, who is writing, the threat itself.
_KEPT: Final = frozenset({"danger", "parent", "blackmail"})
# How many words before a phrase an "or else" or "threatens to" makes it part of a threat.
_SCOPE: Final = 5
# How far before a phrase a question word may open the question it answers.
_CONTEXT: Final = 5
# Topics that say what is going on rather than what to do: a question about something else
# outranks them ("a girl wants to facetime naked, *is this a scam*?"). Support and the menu
# ("what do i do", "help") never make a message a question of their own.
_SITUATIONS: Final = frozenset({"blackmail", "signs", "support", "menu"})
_GENERIC: Final = frozenset({"support", "menu"})
_ACTIONS: Final = frozenset({"report", "remove", "evidence", "block"})
# A phrase this long says more than a question after it: "he wants 300 or he sends *the pics
# to my friends*, is this a scam?" is blackmail.
_SAYS_MORE: Final = 3.0


def choose(matches: Sequence[Match], language: str) -> str | None:
    """The topic of `matches` read in `language`, or None if they name none."""
    if not matches:
        return None
    if any("danger" in m.topics for m in matches):
        return "danger"
    # The message's own language decides between topics; other languages' phrases count
    # when none of its own matched ("help me" is Dutch support but English small talk).
    own = any(lang == language for m in matches for lang, _ in m.tags)
    found: list[tuple[Match, set[str]]] = [
        (m, {t for lang, t in m.tags if lang == language} if own else set(m.topics))
        for m in matches
    ]
    found = [(m, topics) for m, topics in found if topics]
    _unpaid(found, language)
    _conditions(found, language)
    _demands(found, language)
    _questions(found, language)
    _approaches(found)
    _threatened(found, language)
    _paid_then_posted(found, language)
    left = {topic for _, topics in found for topic in topics}
    return next((t for t in PRIORITY if t in left), None)


def _approaches(found: list[tuple[Match, set[str]]]) -> None:
    """One word that names the subject ("naked") right beside a longer phrase of an approach
    says what the approach wants, not a threat: "a girl wants to facetime naked" is signs."""
    approaches = [m for m, topics in found if "signs" in topics and m.size >= _SAYS_MORE]
    for m, topics in found:
        short = "blackmail" in topics and m.size < _SAYS_MORE - 1
        if short and any(_beside(m, o) for o in approaches):
            topics.discard("blackmail")


def _threatened(found: list[tuple[Match, set[str]]], language: str) -> None:
    """Contact that only describes how a threat comes ("he keeps messaging me saying he'll
    post my pics") is the threat, not a wish to block; "should i block him?" still asks."""
    threats = [m for m, topics in found if "blackmail" in topics and m.size >= 2]
    openers = QUESTIONS.get(language, frozenset())
    contrasts = words_of(CONTRASTS, (language,))
    for m, topics in found:
        # Only contact named before the threat: after it, "je lui réponds ou pas" asks; and
        # not if a "but" or a fear comes between ("quiero bloquearlo pero tengo miedo de que
        # suba las fotos" asks about blocking).
        before = any(
            t.variant == m.variant
            and t.start >= m.end
            and not set(t.lead[-(t.start - m.end) :] if t.start > m.end else ()) & contrasts
            for t in threats
        )
        asked = m.clause % 2 or _opened(m, openers, _CONTEXT) is not None
        if before and topics == {"block"} and not asked:
            topics.discard("block")


def _paid_then_posted(found: list[tuple[Match, set[str]]], language: str) -> None:
    """Paid, and the images went out anyway ("i paid and he posted anyway"): the payment is the
    news; a takedown asked for ("..., how do i get them removed?") still wins."""
    paid = [m for m, topics in found if "paid" in topics]
    openers = QUESTIONS.get(language, frozenset())
    anyway = words_of(REGARDLESS, (language,)) | words_of(CONTRASTS, (language,))
    for m, topics in found:
        if topics != {"remove"} or not any(
            p.variant == m.variant and p.end <= m.start for p in paid
        ):
            continue
        asked = m.clause % 2 or _opened(m, openers, _CONTEXT) is not None
        near = (*m.lead[-3:], *m.key.split(" "), m.after)
        pairs = {" ".join(near[k : k + 2]) for k in range(len(near) - 1)}
        if not asked and (set(near) | pairs) & anyway:
            topics.discard("remove")


def _beside(m: Match, o: Match) -> bool:
    """Whether `m` comes right before or after `o`, at most one word between them."""
    near = 0 <= m.start - o.end <= 1 or 0 <= o.start - m.end <= 1
    return near and m.variant == o.variant and m.clause == o.clause


def _unpaid(found: list[tuple[Match, set[str]]], language: str) -> None:
    """A denied payment ("i haven't paid", "no le he pagado") is a threat not yet paid."""
    for m, topics in found:
        if "paid" in topics and _negated(m, (language, *m.langs)):
            topics.discard("paid")
            topics.add("blackmail")


def _negated(m: Match, languages: Iterable[str]) -> bool:
    langs = tuple(languages)
    if m.after and m.after in words_of(NEGATIONS_AFTER, langs):
        return True
    negations, already = words_of(NEGATIONS, langs), words_of(ALREADY, langs)
    before = m.lead[-3:]
    for k in range(len(before) - 1, -1, -1):
        if before[k] in already:
            return False
        if before[k] in negations:
            return True
    return False


def _conditions(found: list[tuple[Match, set[str]]], language: str) -> None:
    """ "He'll post them if I block him": the block is the threat's condition, not the ask; and
    "she wants 300 or she posts them on my story" is a threat, not a post to take down."""
    conditional = []
    for m, _ in found:
        langs = (language, *m.langs)
        since = _opened(m, words_of(CONDITIONALS, langs), 3)
        conditional.append(
            (since is not None and _first_since(m, found, since))
            # "il me menace *et* j'ai déjà payé": what comes after "and" is no longer the threat.
            or _opened(m, words_of(CONSEQUENCES, langs), _SCOPE, words_of(JOINERS, langs))
            is not None
        )
    if not any(
        "blackmail" in topics and not cond
        for (_, topics), cond in zip(found, conditional, strict=True)
    ):
        return
    for (_, topics), cond in zip(found, conditional, strict=True):
        if cond:
            topics.intersection_update(_KEPT)


def _demands(found: list[tuple[Match, set[str]]], language: str) -> None:
    """What comes before a demand's condition is the threat: "they'll post my pics on my
    story *unless i pay*" is blackmail, not a post to take down."""
    openers = QUESTIONS.get(language, frozenset())
    for o, otopics in found:
        if "blackmail" not in otopics:
            continue
        since = _opened(o, words_of(CONDITIONALS, (language, *o.langs)), 3)
        if since is None:
            continue
        for m, topics in found:
            # A question stays one: "should i report him if i don't pay?"
            asked = m.clause % 2 or _opened(m, openers, _CONTEXT) is not None
            if m.variant == o.variant and m.clause == o.clause and m.end <= since and not asked:
                topics.intersection_update(_KEPT)


def _questions(found: list[tuple[Match, set[str]]], language: str) -> None:
    """What a question asks about outranks what the message only describes."""
    openers = QUESTIONS.get(language, frozenset())
    asked = set()
    for m, topics in found:
        since = _opened(m, openers, _CONTEXT)
        if since is None and m.clause % 2:
            since = -1  # a clause ending in "?": its first phrase is the question
        if topics - _GENERIC and since is not None and _first_since(m, found, since):
            asked.add(id(m))
    if not asked:
        return
    # Asked what to do ("do i need *screenshots* for the police"), the other things to do
    # named go too, unless asked as well ("should i block him *and* report him").
    acts = any(topics & _ACTIONS for m, topics in found if id(m) in asked)
    joiners = JOINERS.get(language, frozenset())
    for m, topics in found:
        # A longer phrase stays ("he wants 300 or he sends *the pics to my friends*, is
        # this a scam?" is blackmail); a word that only names the subject goes.
        if id(m) not in asked and m.size < _SAYS_MORE:
            topics.difference_update(_SITUATIONS)
            if acts and not set(m.lead[-2:]) & joiners:
                topics.difference_update(_ACTIONS)


def _opened(
    m: Match, openers: frozenset[str], scope: int, stops: frozenset[str] | None = None
) -> int | None:
    """Where the nearest opener (one or two words) in the `scope` words before `m`, or at its
    start, begins; None if there is none. With `stops`, only before it ("*threatening to*" is
    the threat itself), and None if one of `stops` comes after it."""
    lead = m.lead[-scope:]
    words = (*lead, *m.key.split(" ")[:2])
    for k in range(len(lead) if stops is None else len(lead) - 1, -1, -1):
        if words[k] in openers or " ".join(words[k : k + 2]) in openers:
            return m.start - (len(lead) - k)
        if stops and words[k] in stops:
            return None
    return None


def _first_since(m: Match, found: Sequence[tuple[Match, set[str]]], since: int) -> bool:
    """Whether `m` is the first phrase of its clause from word `since` on (a phrase before it
    of the same topic, overlapping it, aside: "je le bloque" and "bloque")."""
    mine = next(topics for o, topics in found if o is m)
    return not any(
        o.variant == m.variant
        and o.clause == m.clause
        and since <= o.start < m.start
        and (o.end <= m.start or not topics & mine)
        and topics - _GENERIC
        for o, topics in found
    )
