"""messages/countries.toml: every number sourced and rated, the right ones shown, short, GSM-7."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adviceline.countries import (
    SLOTS,
    WORLD_TOOLS,
    Contact,
    Countries,
    CountriesError,
    Country,
    load_countries,
    parse_countries,
)
from adviceline.segments import non_gsm7
from adviceline.topics import LANGUAGES

NINETEEN = "GB IE US CA AU NZ IN PH NG ZA DE FR ES IT NL BE PL PT SE"
EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
THE_19 = NINETEEN.split()
EU_27 = EU.split()
USUAL_LANGUAGE = {
    **dict.fromkeys(THE_19[:10], "en"),
    **dict(zip(THE_19[10:], ["de", "fr", "es", "it", "nl", "nl", "pl", "pt", "sv"], strict=True)),
}
FIRST_MAX = 32  # characters of a slot's first shown entry: the SMS budgets of every language
SHOWN_MAX = 40


@pytest.fixture(scope="module")
def data() -> Countries:
    return load_countries()


def all_contacts(data: Countries) -> list[tuple[str, Contact]]:
    found = [(f"world.{name}", c) for name, c in data.world.items()]
    found.append(("eu_eea", data.eu_emergency))
    for code, country in data.countries.items():
        for slot in SLOTS:
            found += [(f"{code}.{slot}[{i}]", c) for i, c in enumerate(country.entries(slot))]
    return found


def test_the_19_countries_and_their_languages(data: Countries) -> None:
    assert sorted(data.countries) == sorted(THE_19)
    assert {code: c.language for code, c in data.countries.items()} == USUAL_LANGUAGE
    assert all(c.language in LANGUAGES for c in data.countries.values())


def test_every_contact_is_sourced_rated_and_dated(data: Countries) -> None:
    for where, contact in all_contacts(data):
        assert contact.source.startswith("https://"), where
        assert contact.confidence in ("H", "M", "L"), where
        assert contact.checked == dt.date(2026, 11, 22), where


def test_no_l_entry_is_shown(data: Countries) -> None:
    for where, contact in all_contacts(data):
        if contact.confidence == "L":
            assert not contact.show and not contact.shown, where
        if contact.confidence == "M":
            assert contact.shown == contact.show, where


def test_every_country_shows_an_emergency_number_and_a_line_to_talk_to(data: Countries) -> None:
    for code, country in data.countries.items():
        assert country.first("emergency") is not None, code
        assert country.first("crisis") or country.first("child"), code
        assert country.first("report") is not None, code


@pytest.mark.parametrize("language", [None, *LANGUAGES])
def test_first_crisis_line_is_24_7(data: Countries, language: str | None) -> None:
    # Convention: a crisis entry's note says "24/7" or "24h"; lines that are not 24/7 say so.
    for code, country in data.countries.items():
        first = country.first("crisis", language)
        if first is not None:
            assert "24/7" in first.note or "24h" in first.note, code
            assert "not 24/7" not in first.note, code


def test_lines_that_are_not_24_7_are_never_first_in_crisis(data: Countries) -> None:
    for code, country in data.countries.items():
        for contact in country.entries("crisis")[:1]:
            assert "not 24/7" not in contact.note, code


def test_world_tools_and_eu_eea(data: Countries) -> None:
    assert set(data.world) == set(WORLD_TOOLS)
    assert all(tool.shown for tool in data.world.values())
    assert data.world["takeitdown"].text == "takeitdown.ncmec.org"
    assert data.world["stopncii"].text == "stopncii.org"
    assert set(EU_27) | {"IS", "LI", "NO"} <= data.eu_eea
    assert not {"GB", "CH", "US", "ZZ"} & data.eu_eea
    assert (data.eu_emergency.text, data.eu_emergency.shown) == ("112", True)
    assert all(
        data.in_eu_eea(code)
        for code in ["DE", "FR", "ES", "IT", "NL", "BE", "PL", "PT", "SE", "IE"]
    )


def test_texts_are_short_gsm7_and_unique(data: Countries) -> None:
    for where, contact in all_contacts(data):
        assert non_gsm7(contact.text) == "", where  # an English reply must stay GSM-7
        assert len(contact.text) <= SHOWN_MAX, where
    for code, country in data.countries.items():
        for slot in SLOTS:
            texts = [c.text for c in country.entries(slot)]
            assert len(texts) == len(set(texts)), (code, slot)
            for language in (None, *LANGUAGES):
                first = country.first(slot, language)
                assert first is None or len(first.text) <= FIRST_MAX, (code, slot)


def test_best_first_for_a_teenager(data: Countries) -> None:
    first = {code: {s: c.first(s) for s in SLOTS} for code, c in data.countries.items()}
    assert "ceop" in first["GB"]["report"].text  # type: ignore[union-attr]
    assert first["GB"]["crisis"].text == "Samaritans 116 123"  # type: ignore[union-attr]
    assert first["IT"]["crisis"].text == "Telefono Azzurro 19696"  # type: ignore[union-attr]
    assert first["DE"]["crisis"].text.startswith("TelefonSeelsorge")  # type: ignore[union-attr]
    assert first["US"]["crisis"].text == "988"  # type: ignore[union-attr]
    assert first["PL"]["report"].text == "dyzurnet.pl"  # type: ignore[union-attr]


def test_entries_for_the_reply_language_come_first(data: Countries) -> None:
    belgium = data.get("BE")
    assert belgium is not None
    assert belgium.first("child", "nl").text == "Awel 102"  # type: ignore[union-attr]
    assert belgium.first("child", "fr").text == "Écoute-Enfants 103"  # type: ignore[union-attr]
    assert belgium.first("child", "en").text == "Awel 102"  # type: ignore[union-attr]
    assert belgium.first("crisis", "fr").text.startswith("Prévention")  # type: ignore[union-attr]
    assert [c.text for c in belgium.shown("crisis", "fr")][1] == "Zelfmoordlijn 1813"
    assert data.get("ZZ") is None and data.get("JP") is None


# --------------------------------------------------------------------------- the loader


def minimal(**country: Any) -> dict[str, Any]:
    entry = {"text": "112", "source": "https://a.example/", "confidence": "H", "checked": DAY}
    return {
        "world": {name: dict(entry, text=name) for name in WORLD_TOOLS},
        "eu_eea": {"countries": ["DE"], **entry},
        "countries": {"DE": {"name": "Germany", "language": "de", "emergency": [entry], **country}},
    }


DAY = dt.date(2026, 11, 22)
GOOD = {"text": "Line 1", "source": "https://a.example/", "confidence": "M", "checked": DAY}


def test_minimal_file_loads() -> None:
    data = parse_countries(minimal(crisis=[GOOD, dict(GOOD, text="Line 2", show=True)]))
    germany = data.get("DE")
    assert isinstance(germany, Country)
    assert [c.text for c in germany.shown("crisis")] == ["Line 2"]
    assert [c.text for c in germany.entries("crisis")] == ["Line 1", "Line 2"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({k: v for k, v in GOOD.items() if k != "source"}, "DE.crisis[0].source"),
        (dict(GOOD, source="http://a.example/"), "source"),
        (dict(GOOD, confidence="M/H"), "confidence"),
        (dict(GOOD, checked="2026-11-22"), "checked"),
        (dict(GOOD, confidence="L", show=True), "never shown"),
        (dict(GOOD, text=" 116 123"), "text"),
        (dict(GOOD, text="{crisis}"), "braces"),
        (dict(GOOD, colour="red"), "unknown key"),
        (dict(GOOD, language="xx"), "language"),
        (dict(GOOD, show="yes"), "true or false"),
    ],
)
def test_bad_entries_are_named(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(CountriesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_countries(minimal(crisis=[entry]))


def test_bad_country_tables_are_named() -> None:
    with pytest.raises(CountriesError, match="language"):
        parse_countries(minimal(language="xx"))
    with pytest.raises(CountriesError, match="unknown key"):
        parse_countries(minimal(helplines=[]))
    bad = minimal()
    bad["countries"]["UK"] = bad["countries"]["DE"]
    with pytest.raises(CountriesError, match="countries.UK"):
        parse_countries(bad)
    no_world = minimal()
    del no_world["world"]["stopncii"]
    with pytest.raises(CountriesError, match="world.stopncii"):
        parse_countries(no_world)


def test_unreadable_file_is_a_countries_error(tmp_path: Any) -> None:
    broken = tmp_path / "countries.toml"
    broken.write_text("[countries.GB\n", encoding="utf-8")
    with pytest.raises(CountriesError, match="countries.toml"):
        load_countries(broken)
    with pytest.raises(CountriesError):
        load_countries(tmp_path / "missing.toml")
