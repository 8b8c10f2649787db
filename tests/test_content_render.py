"""Rendering names each removal tool once: {remove} never repeats {takeitdown}'s address."""

from __future__ import annotations

import pytest

from adviceline.content import default_content
from adviceline.topics import CHANNELS, TOPICS

CONTENT = default_content()
COUNTRIES = [*CONTENT.countries.countries, "ZZ", "AT"]


@pytest.mark.parametrize("language", sorted(CONTENT.languages))
def test_take_it_down_is_named_once_where_a_text_names_it(language: str) -> None:
    failures = []
    for topic in TOPICS:
        for channel in CHANNELS:
            text = CONTENT.text(language, topic, channel)
            for country in COUNTRIES:
                address = CONTENT.values(language, country, channel)["takeitdown"]
                reply = CONTENT.render(topic, language, country, channel)
                if "{takeitdown}" in text and reply.count(address) > text.count("{takeitdown}"):
                    failures.append((topic, channel, country))
    assert failures == []


def test_without_a_national_service_remove_says_the_app_report_tool() -> None:
    own = CONTENT.languages["de"].fallback["remove"]
    reply = CONTENT.render("remove", "de", "DE", "sms")
    assert own in reply
    assert reply.count(CONTENT.values("de", "DE", "sms")["takeitdown"]) == 1


def test_a_national_service_is_still_named() -> None:
    values = CONTENT.values("en", "GB", "sms")
    assert values["remove"] != values["takeitdown"]
    assert values["remove"] in CONTENT.render("remove", "en", "GB", "sms")


def test_a_text_without_take_it_down_still_gets_a_removal_tool() -> None:
    # {remove} alone keeps falling back to Take It Down, a real tool, where a text lacks it.
    values = CONTENT.values("en", "DE", "sms")
    assert values["remove"] == values["takeitdown"]
