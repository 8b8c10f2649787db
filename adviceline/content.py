"""The advice as data: loads messages/, routes a body, renders the reply for a country."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from adviceline.countries import SLOTS, WORLD_TOOLS, Countries, parse_countries
from adviceline.routing import Routed, Router, Terms
from adviceline.topics import CHANNELS, LANGUAGES, TOPICS

__all__ = [
    "BUNDLE_NAME",
    "PLACEHOLDERS",
    "Content",
    "Language",
    "compile_bundle",
    "default_content",
    "default_source",
    "load_content",
    "read_messages",
]

# The compiled form of messages/ that a package may carry beside this module (one JSON parse
# instead of ten TOML files at cold start). Written only by compile_bundle, never by default.
BUNDLE_NAME: Final = "messages.json"
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
    return Content(languages, parse_countries(data["countries"]), data.get("router"))


def compile_bundle(messages_dir: Path, out_path: Path) -> Path:
    """Write messages/ as one JSON file that load_content reads faster (for packaging)."""
    data = read_messages(Path(messages_dir))
    content = _build(data)  # refuse to package content that does not load
    # The router's normalised index replaces the phrase lists: tokenising them is the slow part.
    data["router"] = content.router.index
    for raw in data["languages"].values():
        for key in ("language_words",):
            raw.pop(key, None)
        for table in raw.get("topics", {}).values():
            table.pop("phrases", None)
    out_path = Path(out_path)
    out_path.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_iso_date),
        encoding="utf-8",
    )
    return out_path


def _iso_date(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _revive(value: Any) -> Any:
    """JSON back to what tomllib gives: `checked` dates become dates again."""
    if isinstance(value, dict):
        return {
            k: dt.date.fromisoformat(v) if k == "checked" and isinstance(v, str) else _revive(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def default_source(package_dir: Path = _HERE) -> Path:
    """The packaged bundle if present and current, else messages/ beside the package."""
    bundle = package_dir / BUNDLE_NAME
    # Repo checkout and Lambda zip alike keep messages/ beside adviceline/.
    dirs = [d for d in (package_dir.parent / "messages", Path.cwd() / "messages") if d.is_dir()]
    if bundle.is_file():
        # A bundle older than the messages/ beside it is stale: someone edited a text since.
        sibling = package_dir.parent / "messages"
        newest = max((p.stat().st_mtime for p in sibling.glob("*.toml")), default=0.0)
        if bundle.stat().st_mtime >= newest:
            return bundle
    for directory in dirs:
        if (directory / "en.toml").is_file():
            return directory
    raise FileNotFoundError("messages/ not found beside the adviceline package")


def load_content(path: Path | None = None) -> Content:
    """Load a messages/ directory or a compiled bundle (default: default_source())."""
    source = Path(path) if path is not None else default_source()
    if source.is_file():
        data = cast("dict[str, Any]", json.loads(source.read_text(encoding="utf-8")))
        data["countries"] = _revive(data["countries"])
        return _build(data)
    return _build(read_messages(source))


@functools.cache
def default_content() -> Content:
    """The content of default_source(), loaded once per process."""
    return load_content()
