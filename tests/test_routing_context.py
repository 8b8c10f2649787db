"""Routing rules that read the words around a phrase: negation, conditions, questions, clause
ends; and the limits on short danger phrases, foreign one-word phrases and loose words."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adviceline.content import default_content
from adviceline.normalise import clause_variants, token_variants
from adviceline.routing import Routed, Router, Terms
from adviceline.routing_index import phrase_variants

CONTENT = default_content()
PHRASES = {
    "danger": ["kill myself", "end it", "me corte", "cant go on $", "suicide", "kms"],
    "paid": ["i paid", "paid him", "sent #"],
    "blackmail": ["post them", "wants money", "sextortion", "naked"],
    "block": ["block him", "if i block"],
    "remove": ["get it removed", "take it down", "video of me"],
    "signs": ["is this a scam", "signs", "hacked"],
    "support": ["what do i do", "scared", "me corte el pelo"],
    "report": ["report him"],
}


def _router(**more: list[str]) -> Router:
    phrases = {t: [*PHRASES.get(t, []), *more.get(t, [])] for t in {*PHRASES, *more}}
    words = ["the", "my", "i", "he", "and", "is", "a", "if"]
    return Router([Terms("en", {"menu": ["MENU"], "paid": ["PAID"]}, phrases, words)], {})


ROUTER = _router()


def topic(body: str, router: Router = ROUTER) -> str:
    return router.route(body).topic


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("i paid him 50", "paid"),
        ("i havent paid him yet", "blackmail"),
        ("i have not paid him", "blackmail"),
        ("i didnt, i paid him", "paid"),  # the negation belongs to another clause
        ("no, i already paid him", "paid"),
        ("not sure what to do, i paid him", "paid"),
    ],
)
def test_a_denied_payment_is_a_threat_not_yet_paid(body: str, expected: str) -> None:
    assert topic(body) == expected


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("no le he pagado nada pero me amenaza", "es"),
        ("ich habe nicht bezahlt aber er droht mir", "de"),
        ("je lui ai rien payé mais il me menace", "fr"),
        ("non ho pagato niente e lui continua a minacciarmi", "it"),
        ("ik heb niet betaald maar hij blijft dreigen", "nl"),
        ("nie zapłaciłem mu ale dalej grozi", "pl"),
        ("não paguei nada mas ele continua a ameaçar", "pt"),
        ("jag har inte betalat men han fortsätter hota", "sv"),
        ("i haven't paid yet but he says i have 2 hours", "en"),
    ],
)
def test_denied_payments_in_every_language(body: str, language: str) -> None:
    assert CONTENT.route(body, country="ZZ") == Routed("blackmail", language)


def test_a_condition_of_a_threat_is_not_the_question() -> None:
    assert topic("he says he will post them if i block him") == "blackmail"
    assert topic("what happens if i block him") == "block"  # no threat: blocking is the ask
    assert topic("should i block him and report him") == "report"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a girl wants to facetime naked is this a scam", "signs"),
        ("what are the signs of sextortion", "signs"),
        ("sextortion. what are the signs", "signs"),
        ("naked, video of me, how do i get it removed?", "remove"),
        # A threat spelled out says more than the question after it.
        ("he wants money or he will post them to everyone, is this a scam", "blackmail"),
        # Support and the menu never make a question of their own.
        ("he wants money, what do i do", "blackmail"),
    ],
)
def test_what_a_question_asks_outranks_what_it_mentions(body: str, expected: str) -> None:
    router = _router(blackmail=["post them to everyone"])
    assert topic(body, router) == expected


def test_a_question_clause_without_a_question_word() -> None:
    router = _router(signs=["normal"], blackmail=["sends naked"])
    assert topic("she sends naked first, normal?", router) == "signs"
    assert topic("she sends naked first, normal", router) == "blackmail"


def test_short_danger_phrases_count_only_as_written() -> None:
    assert topic("i will end it") == "danger"
    assert topic("i will end all of it") != "danger"  # "end * it": no word may sit inside
    assert topic("endd it") != "danger"  # no typo in a short word of a short danger phrase
    assert topic("i want to kill myself") == "danger"
    assert topic("suicdie") == "danger"  # a long word's typo still counts
    assert topic("kill mysefl") == "danger"  # the word left as written says it already


def test_a_longer_phrase_of_the_same_language_can_say_what_a_short_danger_one_means() -> None:
    assert topic("me corte") == "danger"
    assert topic("me corte el pelo") == "support"
    assert topic("me corte el pelo y me corte") == "danger"


def test_a_phrase_ending_in_dollar_matches_only_at_the_end_of_a_clause() -> None:
    assert phrase_variants("cant go on $") == (("cant", "go", "on", "$"),)
    assert topic("i cant go on") == "danger"
    assert topic("i cant go on. he wants money") == "danger"
    assert topic("i cant go on 😭") == "danger"
    assert topic("i cant go on like this with him") != "danger"


def test_a_foreign_one_word_phrase_that_is_a_word_of_the_message_is_ignored() -> None:
    router = Router(
        [
            Terms("en", {"menu": ["MENU"]}, {"paid": ["gift card"]}, ["the", "i", "a"]),
            Terms("sv", {"menu": ["MENY"]}, {"danger": ["gift"], "paid": ["swish"]}, ["jag"]),
        ],
        {},
    )
    assert router.route("i bought a gift card") == Routed("paid", "en")
    assert router.route("jag tog gift").topic == "danger"
    assert router.route("gift").topic == "danger"  # alone it tells no other language


def test_a_gapped_phrase_does_not_hide_the_phrase_its_extra_word_belongs_to() -> None:
    router = _router(blackmail=["has my pics"], remove=["shared my pics"])
    assert topic("someone has shared my pics", router) == "remove"
    router = _router(evidence=["proof for the police"], report=["police"])
    assert topic("what proof for the police", router) == "evidence"


def test_loose_words_need_two_and_never_make_danger() -> None:
    router = _router(paid=["sent money", "paypal money"], danger=["tonight bridge", "bridge jump"])
    assert topic("money paypal yesterday", router) == "paid"
    assert topic("money yesterday", router) == "menu"
    assert topic("bridge tonight", router) == "menu"


def test_a_typo_in_a_long_stem_is_forgiven() -> None:
    router = _router(block=["blockier*"])
    assert topic("wie blokier ich ihn", router) == "block"
    assert topic("hacer", _router(signs=["hack*"])) == "menu"  # short stems need the word


def test_router_pickles_and_routes_the_same() -> None:
    again = pickle.loads(pickle.dumps(ROUTER.index))  # noqa: S301 - our own data
    router = Router(again, {})
    for body in ("i havent paid him", "me corte el pelo", "is this a scam", "kms"):
        assert router.route(body) == ROUTER.route(body)


@given(st.text(max_size=200))
def test_clause_variants_carry_the_same_tokens_as_token_variants(text: str) -> None:
    variants = clause_variants(text)
    assert tuple(seq for seq, _ in variants) == token_variants(text)
    assert all(len(seq) == len(marks) for seq, marks in variants)


def test_clause_marks_number_clauses_and_flag_questions() -> None:
    assert clause_variants("no, ya le pagué, ¿y ahora?") == (
        (("no", "ya", "le", "pague", "y", "ahora"), (0, 2, 2, 2, 7, 7)),
    )


def test_a_one_word_mention_is_no_threat_beside_a_longer_phrase_of_an_approach() -> None:
    router = _router(signs=["wants to facetime"], blackmail=["post them to everyone"])
    assert topic("a girl wants to facetime naked", router) == "signs"
    assert topic("naked, wants to facetime, will post them to everyone", router) == "blackmail"


def test_accents_written_as_in_a_language_tell_it_from_its_neighbour() -> None:
    router = Router(
        [
            Terms("es", {"menu": ["HOLA"]}, {"report": ["policía"]}, ["el"]),
            Terms("pt", {"menu": ["OLA"]}, {"report": ["polícia"]}, ["o"]),
        ],
        {"PT": "pt", "ES": "es"},
    )
    assert router.route("policía", country="PT") == Routed("report", "es")
    assert router.route("polícia", country="ES") == Routed("report", "pt")
    assert router.route("policia", country="PT") == Routed("report", "pt")


def test_asked_what_to_do_the_other_things_named_go_unless_asked_too() -> None:
    router = _router(evidence=["screenshots"], report=["the police", "report him"])
    assert topic("do i need screenshots for the police", router) == "evidence"
    assert topic("i have screenshots for the police", router) == "report"  # no question
    assert topic("should i block him and report him", router) == "report"  # both asked


def test_what_follows_or_else_or_threatens_to_is_the_threat() -> None:
    router = _router(blackmail=["threatening to", "threatened me"], remove=["on reddit", "posted"])
    assert topic("he wants money or he puts it on reddit", router) == "blackmail"
    assert topic("he is threatening to put it on reddit", router) == "blackmail"
    assert topic("he threatened me and then posted it on reddit", router) == "remove"
    assert topic("it is on reddit", router) == "remove"


def test_danger_reached_through_a_typo_of_another_language_does_not_count() -> None:
    router = Router(
        [
            Terms("fr", {"menu": ["MENU"]}, {"danger": ["urgence"]}, ["je", "suis"]),
            Terms("es", {"menu": ["HOLA"]}, {"support": ["necesito ayuda"]}, ["necesito", "yo"]),
        ],
        {},
    )
    assert router.route("necesito ayuda urgente") == Routed("support", "es")
    assert router.route("je suis en urgence").topic == "danger"
    assert router.route("je suis en urgense").topic == "danger"  # a typo in its own language


def test_contact_named_before_a_threat_is_the_threat_not_a_wish_to_block() -> None:
    router = _router(block=["keeps messaging me"], blackmail=["post my pics"])
    assert topic("he keeps messaging me saying he will post my pics", router) == "blackmail"
    assert topic("he keeps messaging me", router) == "block"
    assert topic("he says he will post my pics, should i block him?", router) == "block"
    router = _router(block=["block him"], blackmail=["post my pics"])
    assert topic("i want to block him but i am scared he will post my pics", router) == "block"


def test_what_comes_before_a_demands_condition_is_the_threat() -> None:
    router = _router(blackmail=["unless i pay"], remove=["on my story"])
    assert topic("they will put my pics on my story unless i pay", router) == "blackmail"
    assert topic("how do i take it down unless i pay", router) == "remove"  # asked
    assert topic("it is on my story", router) == "remove"


def test_a_foreign_stem_is_judged_by_the_word_it_met() -> None:
    router = Router(
        [
            Terms("en", {"menu": ["MENU"]}, {"remove": ["deleted from"]}, ["the", "i", "a"]),
            Terms("pt", {"menu": ["OLA"]}, {"evidence": ["delet*"]}, ["eu", "o"]),
        ],
        {},
    )
    assert router.route("i want the deleted").topic != "evidence"  # "deleted" is an en word
    assert router.route("eu deleto o chat") == Routed("evidence", "pt")


def test_a_keyword_the_countrys_language_shares_is_read_in_that_language() -> None:
    for country, language in (("US", "en"), ("DE", "de"), ("NL", "nl"), ("IT", "it")):
        assert CONTENT.route("screenshots", country=country) == Routed("evidence", language)
    assert CONTENT.route("BEWEISE", country="US").language == "de"


def test_paid_and_posted_anyway_is_about_the_payment_unless_a_takedown_is_asked() -> None:
    router = _router(remove=["he posted"])
    assert topic("i paid and he posted anyway", router) == "paid"
    assert topic("i paid but he posted", router) == "paid"
    assert topic("i paid but he posted, how do i get it removed", router) == "remove"
    assert topic("he posted", router) == "remove"
