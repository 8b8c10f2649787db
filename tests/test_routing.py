"""Routing rules: normalising, keywords, phrases, typos, precedence, language; danger first."""

from __future__ import annotations

import json

import pytest

from adviceline.content import default_content
from adviceline.normalise import fold, token_variants, tokens
from adviceline.routing import PRIORITY, RESERVED, Routed, Router, Terms
from adviceline.routing_match import align
from adviceline.topics import LANGUAGES, TOPICS

CONTENT = default_content()


def route(body: str, country: str = "GB", num_media: int = 0) -> tuple[str, str]:
    routed = CONTENT.route(body, country=country, num_media=num_media)
    return routed.topic, routed.language


def test_fold_strips_case_and_accents() -> None:
    assert fold("Ich hab ihm GELD überwiesen") == "ich hab ihm geld uberwiesen"
    assert fold("Już ZAPŁACIŁAM") == "juz zaplacilam"
    assert fold("Straße") == "strasse"


def test_tokens_drop_punctuation_emoji_and_join_apostrophes() -> None:
    assert tokens("I’m SO scared!!! 😭😭 he's got my pics…") == (
        "im", "so", "scared", "hes", "got", "my", "pics",
    )  # fmt: skip
    assert tokens("sent him 50€/£50") == ("sent", "him", "50", "50")
    assert tokens("pleeeease heeelp") == ("please", "help")


def test_token_variants_split_apostrophes_too() -> None:
    assert token_variants("j'ai payé") == (("jai", "paye"), ("j", "ai", "paye"))
    assert token_variants("no apostrophe") == (("no", "apostrophe"),)


def test_tokens_never_raise_on_lone_surrogates_and_controls() -> None:
    assert tokens("\ud83d pay\x00\x1b[31m me \udfff") == ("pay", "31", "m", "me")


@pytest.mark.parametrize(
    ("body", "topic"),
    [
        ("I paid and he wants more", "paid"),
        ("how do I report him", "report"),
        ("how do I report him? he's threatening to post my pics", "report"),
        ("he says he'll post my pics unless I pay", "blackmail"),
        ("he posted my nudes", "remove"),
        ("my son is being blackmailed and he paid", "parent"),
        ("should i delete the chat", "evidence"),
        ("should i block him", "block"),
        ("is this a scam", "signs"),
        ("i feel so alone", "support"),
    ],
)
def test_precedence_between_intents(body: str, topic: str) -> None:
    assert route(body)[0] == topic


@pytest.mark.parametrize(
    "body",
    [
        "kms",
        "KMS lol he posted them",
        "i want to die",
        "gonna unalive myself",
        "I paid him and now I want to end it all",
        "he's outside my house",
        "SOS",
        "want to kill myself, how do i report him",
    ],
)
def test_danger_outranks_everything(body: str) -> None:
    assert route(body)[0] == "danger"


@pytest.mark.parametrize("body", ["reprot", "blakmail", "he is blackmaling me", "i payd him"])
def test_typos_are_tolerated(body: str) -> None:
    assert route(body)[0] in {"report", "blackmail", "paid"}


@pytest.mark.parametrize(
    ("body", "not_topic"),
    [("he wants to play a game", "paid"), ("he said hi", "paid"), ("police academy", "danger")],
)
def test_typo_tolerance_does_not_invent_words(body: str, not_topic: str) -> None:
    assert route(body)[0] != not_topic


@pytest.mark.parametrize("word", sorted(RESERVED))
def test_twilio_reserved_words_only_get_the_menu(word: str) -> None:
    assert route(word)[0] == "menu"
    assert route(word.upper())[0] == "menu"


def test_stop_never_routes_to_block() -> None:
    for body in ("STOP", "stop", "Stop.", " STOP "):
        assert route(body)[0] == "menu"


@pytest.mark.parametrize("body", ["", "   ", "\n\t", "😭😭😭", "🙏", "...", "?!", "\u200b"])
def test_empty_and_emoji_only_get_the_menu(body: str) -> None:
    assert route(body)[0] == "menu"


def test_media_only_gets_the_menu_and_media_with_text_is_routed() -> None:
    assert route("", num_media=2)[0] == "menu"
    assert route("he posted this", num_media=1)[0] == "remove"


@pytest.mark.parametrize(
    ("country", "language"), [("FR", "fr"), ("DE", "de"), ("GB", "en"), ("ZZ", "en"), ("AT", "de")]
)
def test_language_falls_back_to_the_country_then_english(country: str, language: str) -> None:
    expected = language if language in CONTENT.languages else "en"
    assert route("", country=country) == ("menu", expected)
    assert route("SOS", country=country) == ("danger", expected)


def test_language_comes_from_the_message_before_the_country() -> None:
    assert route("he is blackmailing me", country="FR")[1] == "en"
    if "fr" in CONTENT.languages:
        assert route("il me fait du chantage", country="GB")[1] == "fr"


@pytest.mark.parametrize("language", sorted(CONTENT.languages))
def test_each_language_danger_phrase_routes_to_danger(language: str) -> None:
    terms = CONTENT.languages[language].terms
    failures = [p for p in terms.phrases["danger"] if route(p)[0] != "danger"]
    failures += [k for k in terms.keywords["danger"] if route(k)[0] != "danger"]
    assert failures == []


@pytest.mark.parametrize("language", sorted(CONTENT.languages))
def test_each_language_danger_wins_over_every_other_topic(language: str) -> None:
    terms = CONTENT.languages[language].terms
    others = [terms.phrases[t][0] for t in TOPICS if t != "danger" and terms.phrases.get(t)]
    failures = [
        (other, danger)
        for danger in terms.phrases["danger"]
        for other in others
        for body in (f"{other} {danger}", f"{danger}. {other}")
        if route(body)[0] != "danger"
    ]
    assert failures == []


@pytest.mark.parametrize("language", sorted(CONTENT.languages))
def test_each_language_keywords_route_to_their_topic(language: str) -> None:
    terms = CONTENT.languages[language].terms
    failures = [
        (topic, keyword)
        for topic, keywords in terms.keywords.items()
        for keyword in keywords
        if tokens(keyword) and " ".join(tokens(keyword)) not in RESERVED
        if route(keyword)[0] != topic
    ]
    assert failures == []


def test_priority_lists_every_topic_once() -> None:
    assert sorted(PRIORITY) == sorted(TOPICS)
    assert set(CONTENT.languages) <= set(LANGUAGES)


def test_router_from_compiled_terms_routes_the_same() -> None:
    terms = [
        Terms(
            "en",
            {"paid": ["PAID"], "menu": ["MENU"]},
            {"paid": ["i paid", "sent #", "sent money"]},
            ["the"],
        ),
        Terms("de", {"paid": ["BEZAHLT"]}, {"paid": ["ich habe bezahlt"]}, ["ich", "habe"]),
    ]
    built = Router(terms, {"DE": "de"})
    again = Router(json.loads(json.dumps(built.index)), {"DE": "de"})
    for body in ("i paid", "sent 40", "ich habe bezahlt", "BEZAHLT", "xyz", "sent", "money sent"):
        assert built.route(body, country="DE") == again.route(body, country="DE")
    assert built.route("sent 40").topic == "paid"
    # No phrase matched, but two of its telling words did; one word alone says too little.
    assert built.route("money sent").topic == "paid"
    assert built.route("sent").topic == "menu"
    assert built.route("xyz").topic == "menu"
    assert built.route("xyz", country="DE").language == "de"


def _router(phrases: dict[str, list[str]]) -> Router:
    return Router([Terms("en", {"menu": ["MENU"], "paid": ["PAID"]}, phrases, ["the"])], {})


def test_stems_match_every_ending_and_are_no_typos() -> None:
    router = _router({"blackmail": ["threaten*", "he blackmail* me"], "menu": ["hola"]})
    for body in ("threatening", "he threatens", "he blackmailed me", "he is blackmailing me"):
        assert router.route(body).topic == "blackmail", body
    assert router.route("thr").topic == "menu"
    assert router.route("threat").topic == "menu"  # shorter than the stem


def test_one_extra_word_may_sit_inside_a_phrase() -> None:
    router = _router({"paid": ["sent the money"], "danger": ["hang myself"]})
    assert router.route("i sent him the money").topic == "paid"
    assert router.route("i will hang myself").topic == "danger"
    phrase, fixes = ("sent", "the", "money"), [()] * 5
    assert align(phrase, ("sent", "him", "the", "money"), fixes, 0) == (4, 1, 0)
    assert align(phrase, ("sent", "him", "all", "the", "money"), fixes, 0) == (0, -1, 0)
    assert align(("donne", "#"), ("donne", "pas", "200"), fixes, 0) == (0, -1, 0)  # negation


def test_a_loose_match_loses_only_to_an_exact_phrase_competing_for_its_words() -> None:
    router = _router(
        {"paid": ["sent bitcoin", "donne #"], "blackmail": ["bitcoin", "si je lui donne"]}
    )
    assert router.route("i sent him bitcoin").topic == "paid"
    assert router.route("si je lui donne vite 200").topic == "blackmail"
    assert router.route("je lui donne vite 200").topic == "paid"


def test_an_exact_phrase_hides_a_danger_phrase_matched_with_an_extra_word() -> None:
    router = _router({"danger": ["hanga mig"], "blackmail": ["hanga ut mig"]})
    assert router.route("han vill hanga ut mig").topic == "blackmail"
    assert router.route("jag ska hanga mig").topic == "danger"
    assert router.route("hanga ut mig och hanga mig").topic == "danger"


def test_a_typo_corrected_keyword_does_not_beat_an_exact_phrase() -> None:
    router = Router(
        [
            Terms("en", {"menu": ["MENU"]}, {}, ["the"]),
            Terms("es", {"menu": ["HOLA"]}, {}, ["el"]),
            Terms("sv", {"menu": ["MENY"]}, {"blackmail": ["hota*"]}, ["jag"]),
        ],
        {},
    )
    assert router.route("hota") == Routed("blackmail", "sv")
    assert router.route("hloa").topic == "menu"
