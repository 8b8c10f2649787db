"""The advice as data: loads messages/, routes a body, renders the reply for a country."""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from adviceline.bundle import (
    BUNDLE_NAME,
    BundleError,
    messages_digest,
    read_bundle,
    read_header,
    write_bundle,
)
from adviceline.countries import SLOTS, WORLD_TOOLS, Countries, calling_code_table, parse_countries
from adviceline.routing import Routed, Router, Terms
from adviceline.topics import CHANNELS, LANGUAGES, TOPICS

__all__ = [
    "BUNDLE_NAME",
    "PLACEHOLDERS",
    "BundleError",
    "Content",
    "Language",
    "compile_bundle",
    "default_content",
    "default_source",
    "load_content",
    "read_messages",
]

# BUNDLE_NAME (adviceline/bundle.pickle): the loaded content a package carries beside this
# module, so a cold start neither parses messages/ nor builds the routing index. Written only by
# compile_bundle, never by default.
log = logging.getLogger(__name__)
PLACEHOLDERS: Final = frozenset(
    {*SLOTS, *(f"{slot}_all" for slot in SLOTS if slot != "emergency"), *WORLD_TOOLS}
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_HERE = Path(__file__).resolve().parent
# Where a country has no entry of its own, replies use its usual language when we have it.
_MORE_LANGUAGES: Final = {
    **dict.fromkeys(("AT", "CH", "LI"), "de"),
    **dict.fromkeys(("LU", "MC"), "fr"),
    **dict.fromkeys(("SM", "VA"), "it"),
    **dict.fromkeys(("SR",), "nl"),
    **dict.fromkeys(("AX",), "sv"),
    **dict.fromkeys(("BR", "AO", "MZ", "CV", "GW", "ST", "TL"), "pt"),
    **dict.fromkeys(
        (
            "MX",
            "AR",
            "CO",
            "CL",
            "PE",
            "VE",
            "EC",
            "GT",
            "CU",
            "BO",
            "DO",
            "HN",
            "PY",
            "SV",
            "NI",
            "CR",
            "PA",
            "UY",
            "PR",
            "GQ",
        ),
        "es",
    ),
}


@dataclass(frozen=True, slots=True)
class Language:
    """One language file: its texts per topic and channel, and how to recognise it."""

    code: str
    name: str
    gsm7: bool
    menu_hint: Mapping[str, str]
    fallback: Mapping[str, str]
    texts: Mapping[str, Mapping[str, str]]
    terms: Terms


class Content:
    """Every language and country, with a router built once from them."""

    def __init__(
        self,
        languages: Mapping[str, Language],
        countries: Countries,
        compiled: Mapping[str, Any] | None = None,
    ) -> None:
        if "en" not in languages:
            raise ValueError("messages/en.toml is required: it is the fallback language")
        self.languages = dict(languages)
        self.countries = countries
        usual = {**_MORE_LANGUAGES}
        usual.update({code: c.language for code, c in countries.countries.items()})
        terms = compiled or [lang.terms for lang in languages.values()]
        self.router = Router(terms, usual, default="en")
        self._cache: dict[tuple[str, str, str, str], str] = {}

    def route(self, body: str, *, country: str, num_media: int = 0) -> Routed:
        """Topic and reply language for a message body (the menu for media-only messages)."""
        return self.router.route(body, country=country, num_media=num_media)

    def render(self, topic: str, language: str, country: str, channel: str) -> str:
        """The reply text: the topic's text with the country's contacts and the menu hint."""
        key = (topic, language, country, channel)
        reply = self._cache.get(key)
        if reply is None:
            reply = self._render(*key)
            if len(self._cache) > 50_000:  # bounded even if callers invent countries
                self._cache.clear()
            self._cache[key] = reply
        return reply

    def _render(self, topic: str, language: str, country: str, channel: str) -> str:
        lang = self.languages.get(language) or self.languages["en"]
        channel = channel if channel in CHANNELS else "sms"
        topic = topic if topic in TOPICS else "menu"
        text = self.text(lang.code, topic, channel)
        values = self.values(lang.code, country, channel)
        if "{takeitdown}" in text:
            # Where Take It Down is also what {remove} falls back to, the text names it once, by
            # its own placeholder, and {remove} says the app's own report tool instead.
            own = lang.fallback.get("remove") or self.languages["en"].fallback.get("remove", "")
            for slot in ("remove", "remove_all"):
                if values[slot] == values["takeitdown"]:
                    values[slot] = own
        reply = _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)
        if topic != "menu":
            hint = lang.menu_hint.get(channel) or self.languages["en"].menu_hint.get(channel, "")
            reply = f"{reply}\n{hint}" if channel == "sms" else f"{reply}\n\n{hint}"
        return reply

    def text(self, language: str, topic: str, channel: str) -> str:
        """The unfilled text; a missing one falls back to English (check-content reports it)."""
        for code in (language, "en"):
            lang = self.languages.get(code)
            found = lang.texts.get(topic, {}).get(channel) if lang else None
            if found:
                return found
        return ""

    def values(self, language: str, country: str, channel: str) -> dict[str, str]:
        """What each placeholder becomes for a sender in `country`, replying in `language`."""
        lang = self.languages.get(language) or self.languages["en"]
        fallback = {**self.languages["en"].fallback, **lang.fallback}
        code = country.upper() if isinstance(country, str) else ""
        entry = self.countries.get(code)
        world = {name: c.text for name, c in self.countries.world.items() if c.shown}
        values: dict[str, str] = {}
        for slot in SLOTS:
            texts = [c.text for c in entry.shown(slot, lang.code)] if entry else []
            if not texts and slot == "emergency" and self.countries.in_eu_eea(code):
                texts = [self.countries.eu_emergency.text]
            if not texts and slot == "remove" and "takeitdown" in world:
                texts = [world["takeitdown"]]
            first = texts[0] if texts else fallback.get(slot, "")
            values[slot] = first
            values[f"{slot}_all"] = "; ".join(texts) if texts else first
        for name in WORLD_TOOLS:
            values[name] = world.get(name, fallback.get("remove", ""))
        return values


def _language(code: str, raw: Mapping[str, Any]) -> Language:
    """A language file's table as a Language; lenient, because check-content reports gaps."""
    topics = raw.get("topics", {})
    topics = topics if isinstance(topics, Mapping) else {}

    def strings(value: object) -> tuple[str, ...]:
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    def table(value: object) -> dict[str, str]:
        if not isinstance(value, Mapping):
            return {}
        return {k: v for k, v in value.items() if isinstance(v, str)}

    tables = {t: v for t, v in topics.items() if isinstance(v, Mapping)}
    return Language(
        code=code,
        name=str(raw.get("name", code)),
        gsm7=raw.get("gsm7") is True,
        menu_hint=table(raw.get("menu_hint")),
        fallback=table(raw.get("fallback")),
        texts={t: table({c: v.get(c) for c in CHANNELS}) for t, v in tables.items()},
        terms=Terms(
            language=code,
            keywords={t: strings(v.get("keywords")) for t, v in tables.items()},
            phrases={t: strings(v.get("phrases")) for t, v in tables.items()},
            words=strings(raw.get("language_words")),
            danger_words={
                name: strings(value)
                for name, value in (
                    raw["danger_words"] if isinstance(raw.get("danger_words"), Mapping) else {}
                ).items()
            },
        ),
    )


def read_messages(directory: Path) -> dict[str, Any]:
    """A messages/ directory parsed: {"languages": {code: table}, "countries": table}."""
    import tomllib

    languages: dict[str, Any] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.stem in LANGUAGES:
            with path.open("rb") as fh:
                languages[path.stem] = tomllib.load(fh)
    with (directory / "countries.toml").open("rb") as fh:
        countries = tomllib.load(fh)
    return {"languages": languages, "countries": countries}


def _build(data: Mapping[str, Any]) -> Content:
    languages = {code: _language(code, raw) for code, raw in data["languages"].items()}
    return Content(languages, parse_countries(data["countries"]))


def compile_bundle(messages_dir: Path, out_path: Path) -> Path:
    """Write messages/ loaded and indexed, with the calling-code table, as one bundle that
    load_content reads in a few milliseconds (for packaging; adviceline/bundle.pickle)."""
    messages_dir = Path(messages_dir)
    content = _build(read_messages(messages_dir))  # refuse to package content that does not load
    _prepare(content)
    version, codes = calling_code_table()
    return write_bundle(
        out_path,
        content=content,
        messages=messages_digest(messages_dir),
        calling_codes=codes,
        phonenumbers_version=version,
    )


def _prepare(content: Content) -> None:
    """Drop what the built index replaces: the phrase lists and language words (check-content
    reads them from messages/, never from a bundle). What the router builds lazily, on the
    first message that needs it (the phrases' word weights, ~10 ms), it still builds then:
    shipping it would make every cold start load it (~1.5 ms) for the few that use it."""
    for code, lang in content.languages.items():
        terms = dataclasses.replace(lang.terms, phrases={}, words=(), danger_words={})
        content.languages[code] = dataclasses.replace(lang, terms=terms)
    # The router's index is read-only data (routing_index): its thousands of tag lists hold a
    # few hundred distinct values (["en/paid"]...), and a list shared by equal entries loads as a
    # reference instead of a new list (about a third of the loading time).
    index = getattr(content.router, "index", None)
    shared: dict[tuple[object, ...], list[object]] = {}
    for table in index.values() if isinstance(index, dict) else ():
        for key, value in table.items() if isinstance(table, dict) else ():
            if type(value) is list and all(type(v) is str for v in value):
                table[key] = shared.setdefault(tuple(value), value)


def default_source(package_dir: Path = _HERE) -> Path:
    """The package's bundle unless messages/ beside the package differs from what it was built
    from; else messages/ beside the package (or in the working directory)."""
    bundle = package_dir / BUNDLE_NAME
    sibling = package_dir.parent / "messages"
    dirs = [d for d in (sibling, Path.cwd() / "messages") if (d / "en.toml").is_file()]
    if bundle.is_file():
        if not (sibling / "en.toml").is_file():
            return bundle  # the Lambda layout: the bundle alone (load_content checks its code)
        try:
            current = read_header(bundle).get("messages") == messages_digest(sibling)
        except BundleError as exc:
            log.warning("not using the content bundle: %s", exc)
        else:
            if current:
                return bundle
            log.warning("not using the content bundle: messages/ changed since it was built")
    if dirs:
        return dirs[0]
    raise FileNotFoundError("messages/ not found beside the adviceline package")


def load_content(path: Path | None = None) -> Content:
    """Load a messages/ directory or a bundle (default: default_source()); a bundle built from
    other code raises BundleError rather than being used."""
    source = Path(path) if path is not None else default_source()
    if source.is_file():
        _, _, content = read_bundle(source)
        if not isinstance(content, Content):
            raise BundleError(f"{source.name} holds no content")
        return content
    return _build(read_messages(source))


@functools.cache
def default_content() -> Content:
    """The content of default_source(), loaded once per process."""
    return load_content()
