"""The danger safety net: [danger_words] in the language files, on top of the danger phrases."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from adviceline.content import default_content, load_content
from adviceline.content_check import check_content
from adviceline.routing import Router, Terms

MESSAGES = Path(__file__).resolve().parents[1] / "messages"
CONTENT = default_content()

_WORDS = ("i", "my", "the", "a", "is", "he", "of", "and", "to", "me", "so", "just")
_NET = {
    "strong": ["suicid*", "overdos*", "scarif*", "kms", "sleep forever"],
    "signals": ["pills", "dying", "goodbye forever", "bridge"],
    "context": ["tonight", "scared"],
    "ignore": ["dying of laughter", "sleep forever on sundays"],
}


def _router(danger_words: dict[str, list[str]] | None = None) -> Router:
    terms = Terms(
        language="en",
        keywords={"menu": ("MENU",)},
        phrases={"support": ("help me",), "paid": ("i paid",)},
        words=_WORDS,
        **({"danger_words": danger_words} if danger_words is not None else {}),
    )
    return Router([terms], {"GB": "en"})


@pytest.mark.parametrize(
    ("body", "topic"),
    [
        ("i feel so suicidal", "danger"),
        ("i ovredosed", "danger"),  # one typo in a long strong stem
        ("he keeps scaring me", "menu"),  # "scari" is one edit from "scarif", which is short
        ("KMS", "danger"),
        ("i just want to sleep forever", "danger"),
        ("i have the pills. tonight", "danger"),  # a signal and a context word, clauses apart
        ("goodbye forever, the bridge", "danger"),  # two signals
        ("i paid. pills", "paid"),  # one signal beside another topic
        ("i have the pills here", "danger"),  # one signal in a message that says nothing else
        ("pills pills pills", "menu"),  # ... but a few words are small talk ("ok bye")
        ("tonight, so scared", "menu"),  # context words alone, however many
        ("i am dying of laughter tonight", "menu"),  # a signal inside an ignore sequence
        ("i could sleep forever on sundays", "menu"),  # a strong one too
        ("i paid tonight", "paid"),
        ("i paid, so scared tonight", "paid"),
        ("help me", "support"),
    ],
)
def test_strong_words_alone_and_two_signals_together_are_danger(body: str, topic: str) -> None:
    assert _router(_NET).route(body, country="GB").topic == topic


def test_without_a_danger_words_table_routing_is_as_before() -> None:
    router = _router()
    assert router.route("i feel so suicidal tonight", country="GB").topic == "menu"
    assert router.route("i have the pills here", country="GB").topic == "menu"
    assert router.route("i paid", country="GB").topic == "paid"


def test_a_strong_word_that_is_an_ordinary_word_of_the_message_does_not_count() -> None:
    router = _router({"strong": ["the"]})
    assert router.route("the", country="GB").topic == "menu"


def test_the_net_survives_pickling_as_a_bundle_does() -> None:
    router = pickle.loads(pickle.dumps(_router(_NET)))  # noqa: S301 - our own object
    assert router.route("kms", country="GB").topic == "danger"
    built = Router(router.index, {"GB": "en"})  # a bundle's index without the Terms
    assert built.route("pills tonight", country="GB").topic == "danger"


@pytest.mark.parametrize(
    "body",
    [
        "it'll all be over soon, don't worry about me",
        "i keep thinking about ending things",
        "i have a blade in my hand",
        "nobody will even notice when i'm gone",
        "i love you all, please forgive me",
        "he broke into my flat and i'm hiding",
        "lol sewerslide",
        "gonna ctb",
        "i'm in the bath with a blade",
        "done. goodbye world",
        "he's trying to kick the door in",
        "i've been cutting",
        "i wrote my note",
        "a girl followed me home from school",
    ],
)
def test_english_net_hears_danger_the_phrases_miss(body: str) -> None:
    assert CONTENT.route(body, country="GB").topic == "danger"


@pytest.mark.parametrize(
    "body",
    [
        "my mum will kill me if she finds out",
        "i'm dying of embarrassment",
        "i cut my hair and now he's using the pics",
        "he said he'll kill my reputation",
        "he wants a gift card",
        "i'm dead tired of this guy, how do i block him",
        "he's threatening to post my pics tonight",
        "my phone died and now i have 30 messages from him",
        "he says it'll all be over soon if i pay",
        "i paid him and he wants more by tonight",
        "i'm done with him, how do i block him",
        "i sent him a goodbye message and blocked him",
        "he cut off contact after i paid",
        "my friend went live and showed my pics",
        "he hacked my account and broke into my snap",
        "he posted it again, i'm so scared",
        "i'm scared he'll post them tonight",
        "he messaged me again right now",
        "i was living my best life until this",
        "he's outside the law, he's overseas",
        "Goedenavond, ik word afgeperst door iemand die intieme foto's van mij heeft",
        "i want to go to the police but im scared ill get in trouble",
        "this hot girl followed me and is asking for pics, is it a trap",
        "ive been cutting him off since he started asking for pics",
    ],
)
def test_english_net_leaves_everyday_words_alone(body: str) -> None:
    assert CONTENT.route(body, country="GB").topic != "danger"


def test_check_content_checks_the_shape_of_danger_words(tmp_path: Path) -> None:
    for path in MESSAGES.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    en = (tmp_path / "en.toml").read_text(encoding="utf-8")
    start = en.index("[danger_words]")
    end = en.index("[menu_hint]")
    broken = '[danger_words]\nstrong = "kms"\nsignals = [1]\nnever = ["x"]\nignore = ["ab*"]\n\n'
    (tmp_path / "en.toml").write_text(en[:start] + broken + en[end:], encoding="utf-8")
    problems = "\n".join(check_content(tmp_path).problems)
    assert "en: [danger_words] strong must be a list" in problems
    assert "en: [danger_words] signals must be a list" in problems
    assert "en: [danger_words] 'never' is unknown" in problems
    assert "needs 4+ letters before *" in problems
    (tmp_path / "en.toml").write_text(en[:start] + en[end:], encoding="utf-8")
    assert not [p for p in check_content(tmp_path).problems if "danger_words" in p]
    assert load_content(tmp_path).route("kms", country="GB").topic == "danger"  # a phrase too
