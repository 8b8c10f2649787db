"""Property tests: routing and rendering never raise, whatever arrives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adviceline.content import default_content
from adviceline.normalise import token_variants
from adviceline.segments import count_segments
from adviceline.topics import CHANNELS, TOPICS

CONTENT = default_content()
# Every code point, lone surrogates and control characters included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=300)
HOSTILE = st.sampled_from(
    ["<", "&", '"', "'", "\x00", "\u202e", "\ud800", "{emergency}", "%s", "😭", "ł", "\r\n", "#"]
)
COUNTRY = st.one_of(st.sampled_from(["GB", "US", "FR", "ZZ", "AT", "gb", ""]), ANY_TEXT)


@settings(max_examples=300, deadline=None, database=None)
@given(body=ANY_TEXT, country=COUNTRY, num_media=st.integers(0, 10))
def test_route_never_raises_and_answers_a_known_topic(
    body: str, country: str, num_media: int
) -> None:
    routed = CONTENT.route(body, country=country, num_media=num_media)
    assert routed.topic in TOPICS
    assert routed.language in CONTENT.languages


@settings(max_examples=100, deadline=None, database=None)
@given(parts=st.lists(st.one_of(HOSTILE, ANY_TEXT), max_size=40))
def test_route_handles_hostile_mixtures(parts: list[str]) -> None:
    routed = CONTENT.route("".join(parts), country="GB")
    assert routed.topic in TOPICS


def test_route_handles_a_1600_character_body_quickly() -> None:
    body = ("he is threatening me and i paid 50 " * 60)[:1600]
    assert CONTENT.route(body, country="GB").topic == "paid"
    assert CONTENT.route("x" * 1600, country="GB").topic == "menu"
    assert CONTENT.route("🙏" * 1600, country="GB").topic == "menu"


@settings(max_examples=200, deadline=None, database=None)
@given(
    topic=st.one_of(st.sampled_from(TOPICS), ANY_TEXT),
    language=st.one_of(st.sampled_from(sorted(CONTENT.languages)), ANY_TEXT),
    country=COUNTRY,
    channel=st.one_of(st.sampled_from(CHANNELS), ANY_TEXT),
)
def test_render_never_raises_and_never_leaves_a_placeholder(
    topic: str, language: str, country: str, channel: str
) -> None:
    reply = CONTENT.render(topic, language, country, channel)
    assert reply.strip()
    assert "{" not in reply
    if channel != "whatsapp":
        assert count_segments(reply).segments <= 3


@settings(database=None)
@given(body=ANY_TEXT)
def test_token_variants_are_never_empty_tuples_of_strings(body: str) -> None:
    variants = token_variants(body)
    assert 1 <= len(variants) <= 2
    assert all(isinstance(tok, str) and tok for seq in variants for tok in seq)
