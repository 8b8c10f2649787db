"""Content: every language x topic x channel x country renders a complete, safe, short reply."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from adviceline.content import (
    BUNDLE_NAME,
    compile_bundle,
    default_content,
    default_source,
    load_content,
)
from adviceline.content_check import check_content
from adviceline.segments import count_segments
from adviceline.topics import CHANNELS, LANGUAGES, TOPICS

CONTENT = default_content()
MESSAGES = Path(__file__).resolve().parent.parent / "messages"
COUNTRIES = sorted(CONTENT.countries.countries)
UNLISTED_EU = sorted(CONTENT.countries.eu_eea - set(COUNTRIES))[0]
EVERY_COUNTRY = [*COUNTRIES, "ZZ", UNLISTED_EU]


def test_check_content_finds_no_problem() -> None:
    report = check_content(MESSAGES)
    assert report.problems == []
    assert len(report.cells) == len(LANGUAGES) * len(TOPICS)


def test_every_language_file_is_there() -> None:
    assert set(CONTENT.languages) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_combination_renders_a_complete_reply(language: str) -> None:
    lang = CONTENT.languages[language]
    for topic in TOPICS:
        for channel in CHANNELS:
            assert lang.texts[topic][channel].strip(), (topic, channel)
            for country in EVERY_COUNTRY:
                reply = CONTENT.render(topic, language, country, channel)
                assert not re.search(r"\{\w*\}", reply), (topic, channel, country)
                hint = lang.menu_hint[channel]
                assert reply.endswith(hint) == (topic != "menu"), (topic, channel, country)
                if channel == "sms":
                    seg = count_segments(reply)
                    assert seg.segments <= 3, (topic, country, seg)
                    if lang.gsm7:
                        assert seg.encoding == "GSM-7", (topic, country)
                else:
                    assert len(reply) <= 1000, (topic, country)


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_danger_leads_with_the_country_emergency_and_crisis_lines(
    country: str, channel: str
) -> None:
    entry = CONTENT.countries.countries[country]
    for language in CONTENT.languages:
        emergency, crisis = entry.first("emergency", language), entry.first("crisis", language)
        reply = CONTENT.render("danger", language, country, channel)
        if emergency is not None:
            assert emergency.text in reply[:160], (language, reply)
        if crisis is not None:
            assert crisis.text in reply, language


@pytest.mark.parametrize("country", COUNTRIES)
def test_report_carries_the_country_reporting_contact(country: str) -> None:
    for language in CONTENT.languages:
        first = CONTENT.countries.countries[country].first("report", language)
        for channel in CHANNELS:
            reply = CONTENT.render("report", language, country, channel)
            if first is not None:
                assert first.text in reply, (language, channel)


def test_unknown_country_gets_no_guessed_number() -> None:
    world = {c.text for c in CONTENT.countries.world.values()}
    for language in CONTENT.languages:
        for topic in TOPICS:
            reply = CONTENT.render(topic, language, "ZZ", "whatsapp")
            for contact in world:
                reply = reply.replace(contact, "")
            assert not re.search(r"\d{3}", reply), (language, topic)


def test_unlisted_eu_country_gets_112_and_no_other_number() -> None:
    reply = CONTENT.render("danger", "en", UNLISTED_EU, "sms")
    assert reply.startswith("Please call 112 now")
    assert re.findall(r"\d{3,}", reply) == ["112"]


def test_medium_confidence_entries_are_listed_by_the_check() -> None:
    shown_m = [
        f"{code} {slot}"
        for code, country in CONTENT.countries.countries.items()
        for slot in ("emergency", "report", "child", "crisis", "remove")
        for c in country.entries(slot)
        if c.confidence == "M" and c.shown
    ]
    listed = check_content(MESSAGES).shown_m
    assert sorted(line.split(":")[0] for line in listed) == sorted(shown_m)


def test_check_content_reports_a_broken_language(tmp_path: Path) -> None:
    for path in MESSAGES.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    en = (tmp_path / "en.toml").read_text(encoding="utf-8")
    en = en.replace('keywords = ["BLOCK",', 'keywords = ["STOP", "BLOCK",', 1)
    en = en.replace("Report it to {report}, or", "Report it to {reporter}, or", 1)
    en = en.replace("Stop all contact", "Stop all contact \u2014 now " + "x" * 400, 1)
    (tmp_path / "en.toml").write_text(en, encoding="utf-8")
    problems = "\n".join(check_content(tmp_path).problems)
    assert "en: topics.block: first keyword 'STOP' is a Twilio reserved word" in problems
    assert "en: menu sms does not list 'STOP' (block)" in problems
    assert "unknown placeholder(s) ['reporter']" in problems
    assert "en/block/sms: text not GSM-7 because of '\u2014'" in problems
    assert f"en/block/sms: over 3 SMS segments ({' '.join(EVERY_COUNTRY)})" in problems


def test_bundle_loads_to_the_same_answers(tmp_path: Path) -> None:
    bundle = compile_bundle(MESSAGES, tmp_path / BUNDLE_NAME)
    packed = load_content(bundle)
    assert set(packed.languages) == set(CONTENT.languages)
    for body in ("i paid him", "kms", "hola", "ich hab ihm Geld überwiesen", "", "reprot"):
        for country in ("GB", "FR", "ZZ"):
            assert packed.route(body, country=country) == CONTENT.route(body, country=country)
    for topic in TOPICS:
        for country in ("GB", "US", "ZZ", UNLISTED_EU):
            for channel in CHANNELS:
                expected = CONTENT.render(topic, "en", country, channel)
                assert packed.render(topic, "en", country, channel) == expected


def test_default_source_is_the_repository_messages_dir() -> None:
    assert default_source() == MESSAGES
    assert default_content() is CONTENT


def test_default_source_prefers_a_current_bundle_in_the_package(tmp_path: Path) -> None:
    package, messages = tmp_path / "adviceline", tmp_path / "messages"
    package.mkdir()
    shutil.copytree(MESSAGES, messages)
    assert default_source(package) == messages
    bundle = compile_bundle(messages, package / BUNDLE_NAME)
    assert default_source(package) == bundle
    with (messages / "en.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# edited after packaging: the bundle is stale\n")
    assert default_source(package) == messages
    shutil.rmtree(messages)  # the Lambda layout may carry the bundle alone
    assert default_source(package) == bundle


def test_check_content_reports_a_contact_without_a_checked_date(tmp_path: Path) -> None:
    for path in MESSAGES.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    countries = (tmp_path / "countries.toml").read_text(encoding="utf-8")
    countries = re.sub(r"(?m)^checked = .*\n", "", countries, count=1)
    (tmp_path / "countries.toml").write_text(countries, encoding="utf-8")
    problems = check_content(tmp_path).problems
    assert len(problems) == 1
    assert problems[0].startswith("messages/ does not load: ")
    assert ".checked: a date such as" in problems[0]
