"""Validates messages/: every language x topic x channel x country, as `check-content` prints it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from adviceline.content import (
    PLACEHOLDERS,
    Content,
    default_source,
    load_content,
    read_messages,
)
from adviceline.countries import SLOTS, CountriesError
from adviceline.normalise import token_variants, tokens
from adviceline.routing import RESERVED
from adviceline.routing_danger import DANGER_TABLES
from adviceline.routing_index import STEM, STEM_MIN, phrase_variants
from adviceline.segments import count_segments, non_gsm7
from adviceline.topics import CHANNELS, LANGUAGES, TOPICS, UNKNOWN_COUNTRY

__all__ = ["MAX_SMS_SEGMENTS", "MAX_WHATSAPP_CHARS", "Cell", "Report", "check_content"]

MAX_SMS_SEGMENTS: Final = 3
MAX_WHATSAPP_CHARS: Final = 1000
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
# A number or an address typed into a text instead of coming, sourced, from countries.toml.
_TYPED_CONTACT = re.compile(
    r"\d{3,}|https?:|www\.|\.(org|com|gov|net|uk|fr|de|es|it|nl|pl|pt|se)\b"
)


@dataclass(slots=True)
class Cell:
    """The worst case of one language x topic over every country."""

    sms_segments: int = 0
    sms_encoding: str = "GSM-7"
    whatsapp_chars: int = 0


@dataclass(slots=True)
class Report:
    """What check-content found."""

    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shown_m: list[str] = field(default_factory=list)
    countries: tuple[str, ...] = ()


def check_content(path: Path | None = None) -> Report:
    """Load messages/ (default: the package's) and check every combination."""
    report = Report()
    try:
        content = load_content(path)
    except (CountriesError, OSError, ValueError) as exc:
        report.problems.append(f"messages/ does not load: {exc}")
        return report
    eu_unlisted = sorted(content.countries.eu_eea - set(content.countries.countries))[:1]
    report.countries = (*sorted(content.countries.countries), UNKNOWN_COUNTRY, *eu_unlisted)
    for code in LANGUAGES:
        if code not in content.languages:
            report.problems.append(f"{code}: messages/{code}.toml is missing")
    source = Path(path) if path is not None else default_source()
    if source.is_dir():  # a bundle holds no [danger_words] lists to check
        for code, raw in read_messages(source)["languages"].items():
            report.problems += _check_danger_words(code, raw.get("danger_words"))
    for code in content.languages:
        report.problems += _check_language(content, code)
        report.problems += _check_replies(content, code, report)
    report.warnings += _keyword_conflicts(content)
    report.warnings += _phrase_conflicts(content)
    report.shown_m += _shown_m(content)
    return report


def _check_language(content: Content, code: str) -> Iterator[str]:
    lang = content.languages[code]
    for channel in CHANNELS:
        if not lang.menu_hint.get(channel):
            yield f"{code}: [menu_hint] {channel} is missing"
    for slot in SLOTS:
        if not lang.fallback.get(slot):
            yield f"{code}: [fallback] {slot} is missing"
        elif _TYPED_CONTACT.search(lang.fallback[slot]):
            yield f"{code}: [fallback] {slot} holds a number or address; fallbacks never do"
    if len(lang.terms.words) < 20:
        yield f"{code}: language_words has {len(lang.terms.words)} words; give 30-60"
    for topic in TOPICS:
        where = f"{code}: topics.{topic}"
        keywords = lang.terms.keywords.get(topic, ())
        reserved = [k for k in keywords if tokens(k) and " ".join(tokens(k)) in RESERVED]
        if not keywords:
            yield f"{where}: no keywords"
        elif " ".join(tokens(keywords[0])) in RESERVED:
            yield f"{where}: first keyword {keywords[0]!r} is a Twilio reserved word"
        elif topic != "menu" and reserved:
            yield f"{where}: {', '.join(reserved)} reserved by Twilio: they only get the menu"
        if topic != "menu" and not lang.terms.phrases.get(topic):
            yield f"{where}: no phrases"
        for channel in CHANNELS:
            text = lang.texts.get(topic, {}).get(channel, "")
            if not text.strip():
                yield f"{where}.{channel}: text is missing"
                continue
            unknown = {n for n in _PLACEHOLDER.findall(text) if n not in PLACEHOLDERS}
            if unknown:
                yield f"{where}.{channel}: unknown placeholder(s) {sorted(unknown)}"
            if _TYPED_CONTACT.search(_PLACEHOLDER.sub("", text)):
                yield f"{where}.{channel}: a number or address is typed in; use a placeholder"
            yield from _check_topic_text(where, topic, channel, text)
    yield from _check_menu(content, code)


def _check_danger_words(code: str, table: object) -> Iterator[str]:
    """The optional [danger_words] table: lists `strong`, `signals`, `ignore` of word strings."""
    if table is None:
        return
    where = f"{code}: [danger_words]"
    if not isinstance(table, dict):
        yield f"{where} must be a table with strong/signals/ignore lists"
        return
    for name in sorted(set(table) - set(DANGER_TABLES)):
        yield f"{where} {name!r} is unknown; use {', '.join(DANGER_TABLES)}"
    for name in DANGER_TABLES:
        entries = table.get(name, [])
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            yield f"{where} {name} must be a list of quoted words"
            continue
        for entry in entries:
            stems = [w for w in entry.split() if w.endswith(STEM)]
            if not phrase_variants(entry):
                yield f"{where} {name}: {entry!r} has no words"
            elif any(len(w.rstrip(STEM)) < STEM_MIN for w in stems):
                yield f"{where} {name}: {entry!r} needs {STEM_MIN}+ letters before *"


def _check_topic_text(where: str, topic: str, channel: str, text: str) -> Iterator[str]:
    if topic == "danger":
        at = text.find("{emergency}")
        if not 0 <= at < 80:
            yield f"{where}.{channel}: must lead with {{emergency}}"
        if "{crisis" not in text:
            yield f"{where}.{channel}: must give {{crisis}} (a 24/7 line)"
    if topic == "report" and "{report" not in text:
        yield f"{where}.{channel}: must give {{report}}"


def _check_menu(content: Content, code: str) -> Iterator[str]:
    lang = content.languages[code]
    for channel in CHANNELS:
        menu = lang.texts.get("menu", {}).get(channel, "")
        words = {" ".join(seq) for seq in token_variants(menu)}
        for topic in TOPICS:
            keywords = lang.terms.keywords.get(topic, ())
            if topic == "menu" or not keywords:
                continue
            first = " ".join(tokens(keywords[0]))
            if not any(f" {first} " in f" {w} " for w in words):
                yield f"{code}: menu {channel} does not list {keywords[0]!r} ({topic})"


def _check_replies(content: Content, code: str, report: Report) -> Iterator[str]:
    lang = content.languages[code]
    for topic in TOPICS:
        cell = report.cells.setdefault((code, topic), Cell())
        for channel in CHANNELS:
            where = f"{code}/{topic}/{channel}"
            text = content.text(code, topic, channel)
            if lang.gsm7 and channel == "sms" and non_gsm7(text):
                yield f"{where}: text not GSM-7 because of {non_gsm7(text)!r}"
            found: dict[str, list[str]] = {}  # problem -> countries, so each is said once
            for country in report.countries:
                problems = _reply_problems(content, code, topic, country, channel, cell)
                for problem in problems:
                    found.setdefault(problem, []).append(country)
            for problem, countries in found.items():
                yield f"{where}: {problem} ({' '.join(countries)})"


def _reply_problems(
    content: Content, code: str, topic: str, country: str, channel: str, cell: Cell
) -> Iterator[str]:
    reply = content.render(topic, code, country, channel)
    if _PLACEHOLDER.search(reply):
        yield "unfilled placeholder in the reply"
    if channel == "whatsapp":
        cell.whatsapp_chars = max(cell.whatsapp_chars, len(reply))
        if len(reply) > MAX_WHATSAPP_CHARS:
            yield f"over {MAX_WHATSAPP_CHARS} characters"
        return
    seg = count_segments(reply)
    if seg.segments >= cell.sms_segments:
        cell.sms_segments, cell.sms_encoding = seg.segments, seg.encoding
    if seg.segments > MAX_SMS_SEGMENTS:
        yield f"over {MAX_SMS_SEGMENTS} SMS segments"
    if content.languages[code].gsm7 and seg.encoding != "GSM-7":
        yield f"reply not GSM-7 because of {non_gsm7(reply)!r}"


def _keyword_conflicts(content: Content) -> Iterator[str]:
    """One whole-message keyword leading to different topics (in one or several languages)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for code, lang in content.languages.items():
        for topic, keywords in lang.terms.keywords.items():
            for keyword in keywords:
                seen.setdefault(" ".join(tokens(keyword)), set()).add((code, topic))
    for keyword, tags in sorted(seen.items()):
        if len({topic for _, topic in tags}) > 1:
            where = ", ".join(f"{c}:{t}" for c, t in sorted(tags))
            yield f"keyword {keyword.upper()!r} means different topics: {where}"


def _phrase_conflicts(content: Content) -> Iterator[str]:
    """Phrases that, sent alone, reach another topic (a longer phrase or danger wins)."""
    for code, lang in content.languages.items():
        for topic, phrases in lang.terms.phrases.items():
            for phrase in phrases:
                routed = content.route(phrase, country=UNKNOWN_COUNTRY)
                if routed.topic != topic:
                    yield f"{code}: phrase {phrase!r} of {topic} routes to {routed.topic}"


def _shown_m(content: Content) -> Iterator[str]:
    """Medium-confidence entries that replies show (`show = true`): re-verify them first."""
    for code, country in sorted(content.countries.countries.items()):
        for slot in SLOTS:
            for c in country.entries(slot):
                if c.confidence == "M" and c.shown:
                    yield f"{code} {slot}: {c.text} (checked {c.checked}, {c.source})"
