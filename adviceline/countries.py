"""Where a sender is (Twilio's FromCountry, else the number) and each country's contacts.

API used by the engine (content.py) and the CLI:

- `sender_country(sender, from_country) -> str`: an ISO 3166-1 alpha-2 code, or "ZZ". Never raises,
  never logs; phonenumbers is imported only when FromCountry is missing (cold start), and in a
  package only for calling codes several regions share (+1, +44, +7...): for the others, a table
  built from phonenumbers' own data at packaging time gives its answer (calling_code_table).
- `load_countries(path=None) -> Countries`: reads messages/countries.toml (schema in
  messages/README.md); raises `CountriesError` (a ValueError naming the entry, never user data).
- `Countries.get(code) -> Country | None`, `Countries.world["takeitdown" | "stopncii"] -> Contact`,
  `Countries.in_eu_eea(code)`, `Countries.eu_emergency` (the sourced "112" for EU/EEA countries
  without an entry of their own).
- `Country.code / name / language`; `Country.shown(slot, language=None)` -> the entries a reply may
  show, in file order (entries marked for `language` first); `Country.first(slot, language=None)`;
  `Country.entries(slot)` -> every entry, shown or not (for check-content).
- `Contact.text / source / confidence / checked / show / note / under18 / language`;
  `Contact.shown` -> H, or M with `show = true`; L never.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

from adviceline.topics import LANGUAGES, UNKNOWN_COUNTRY

__all__ = [
    "CONFIDENCES",
    "SLOTS",
    "WORLD_TOOLS",
    "Confidence",
    "Contact",
    "CountriesError",
    "Countries",
    "Country",
    "calling_code_table",
    "default_countries_path",
    "load_countries",
    "parse_countries",
    "sender_country",
]

Confidence = Literal["H", "M", "L"]
CONFIDENCES: Final = ("H", "M", "L")
SLOTS: Final = ("emergency", "report", "child", "crisis", "remove")
WORLD_TOOLS: Final = ("takeitdown", "stopncii")

# ISO 3166-1 alpha-2 (officially assigned) plus XK (Kosovo), which carriers use. Checked without
# phonenumbers so a reply with Twilio's FromCountry never pays for importing it.
_ISO_TEXT: Final = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
"""
_ISO_CODES: Final = frozenset(_ISO_TEXT.split())
_NANP_PROBES: Final = ("5550123", "2345678")  # local parts valid after every assigned area code


# --------------------------------------------------------------------------- sender country


def sender_country(sender: str, from_country: str | None) -> str:
    """The sender's ISO country: Twilio's FromCountry when valid, else from the number, else ZZ."""
    try:
        code = _iso_code(from_country)
        if code is not None:
            return code
        return _number_country(sender)
    except Exception:  # noqa: BLE001 - a bad sender must never stop the advice; nothing is logged
        return UNKNOWN_COUNTRY


def _iso_code(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if code in _ISO_CODES else None


def _number_country(sender: str) -> str:
    if not isinstance(sender, str):
        return UNKNOWN_COUNTRY
    text = sender.strip()
    if text[:9].lower() == "whatsapp:":
        text = text[9:].strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.isdigit() and len(text) >= 8:
        text = "+" + text  # E.164 without its "+" (short codes have 3-6 digits: left alone)
    # Short codes, alphanumeric senders and anything without an international prefix stay unknown.
    if not text.startswith("+") or len(text) > 32:
        return UNKNOWN_COUNTRY
    return _fast_region(text, _calling_codes()) or _phonenumbers_region(text)


def _fast_region(text: str, codes: Mapping[str, str | None] | None) -> str | None:
    """phonenumbers' answer for a plain E.164 number whose calling code belongs to one region
    only, without importing it (~15 ms); None when phonenumbers has to decide.

    For such a code, phonenumbers' region_code_for_number is that region whatever the national
    number, and parsing "+" and 8 to 15 ASCII digits (not starting with 0) cannot fail, so the
    table computed from its own data at build time (calling_code_table) gives the same answer
    (tests/test_countries_fast_path.py checks every code against phonenumbers).
    """
    digits = text[1:]
    if codes is None or not (8 <= len(digits) <= 15 and digits.isascii() and digits.isdigit()):
        return None
    if digits[0] == "0":
        return None
    # Calling codes are prefix-free; phonenumbers takes the shortest prefix that is one.
    for size in (1, 2, 3):
        if digits[:size] in codes:
            return codes[digits[:size]]
    return None


def _phonenumbers_region(text: str) -> str:
    """The region phonenumbers gives an international number, or ZZ."""
    import phonenumbers  # lazily: ~15 ms, needed only when FromCountry is absent (WhatsApp)

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return UNKNOWN_COUNTRY
    region = phonenumbers.region_code_for_number(number)
    if region is None and phonenumbers.is_possible_number(number):
        # Unassigned or fictional ranges (UK 07700 900xxx, US 555 area code): the country code
        # still says where the sender is; +1 is shared by 25 regions, so ask the area code.
        if number.country_code == 1:
            region = _nanp_region(str(number.national_number)[:3])
        else:
            region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    return region if region in _ISO_CODES else UNKNOWN_COUNTRY


def calling_code_table() -> tuple[str, dict[str, str | None]]:
    """phonenumbers' version and, for every calling code it knows, the answer for a number with
    that code when the code belongs to one region only (ZZ for non-geographic codes such as
    +800), or None when several regions share it (+1, +44, +7...): computed at build time."""
    import phonenumbers

    version = _phonenumbers_version()
    if version is None or version != phonenumbers.__version__:
        raise RuntimeError(f"phonenumbers {phonenumbers.__version__} has no .dist-info beside it")
    table: dict[str, str | None] = {}
    for code, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
        only = regions[0] if len(regions) == 1 else None
        table[str(code)] = None if only is None else only if only in _ISO_CODES else "ZZ"
    return version, table


def _calling_codes() -> Mapping[str, str | None] | None:
    """The packaged table (read once), if the package has one built with the phonenumbers it
    ships; None otherwise (then phonenumbers answers every number)."""
    global _CALLING_CODES
    if _CALLING_CODES is False:
        _CALLING_CODES = _read_calling_codes()
    return _CALLING_CODES


def _read_calling_codes(package_dir: Path | None = None) -> Mapping[str, str | None] | None:
    from adviceline.bundle import BUNDLE_NAME, BundleError, read_bundle

    path = (package_dir or Path(__file__).resolve().parent) / BUNDLE_NAME
    if not path.is_file():
        return None
    try:
        header, codes, _ = read_bundle(path, content=False)
    except BundleError:
        return None
    except Exception:  # noqa: BLE001 - an unreadable table only means asking phonenumbers
        return None
    if header.get("phonenumbers") != _phonenumbers_version():
        return None  # another phonenumbers than the table was made from: ask it instead
    return codes


def _phonenumbers_version() -> str | None:
    """The installed phonenumbers' version, from its wheel's .dist-info name beside it: neither
    importing it nor reading its sources (a package runs from .pyc)."""
    import importlib.util

    spec = importlib.util.find_spec("phonenumbers")
    if spec is None or spec.origin is None:
        return None
    found = {
        info.name.removesuffix(".dist-info").split("-")[1]
        for info in Path(spec.origin).parent.parent.glob("phonenumbers*-*.dist-info")
    }
    return found.pop() if len(found) == 1 else None


_CALLING_CODES: Mapping[str, str | None] | None | Literal[False] = False


def _nanp_region(area_code: str) -> str:
    """The NANP region (US, CA, JM, ...) that owns an area code, from phonenumbers' metadata."""
    cached = _NANP_CACHE.get(area_code)
    if cached is not None:
        return cached
    import phonenumbers

    region = "US"  # the main region of +1: unassigned area codes (555) are treated as US
    for local in _NANP_PROBES:
        # A known-valid local part after the area code lets the metadata's per-region patterns
        # decide, so new area codes come with phonenumbers updates rather than a table here.
        probe = phonenumbers.PhoneNumber(country_code=1, national_number=int(area_code + local))
        found = phonenumbers.region_code_for_number(probe)
        if found is not None:
            region = found
            break
    _NANP_CACHE[area_code] = region
    return region


_NANP_CACHE: dict[str, str] = {}


# --------------------------------------------------------------------------- contacts


class CountriesError(ValueError):
    """messages/countries.toml is not valid; the message names the entry at fault."""


@dataclass(frozen=True, slots=True)
class Contact:
    """One sourced contact: `text` is exactly what a reply shows."""

    text: str
    source: str
    confidence: Confidence
    checked: dt.date
    show: bool = False
    note: str = ""
    under18: bool = False
    language: str | None = None  # entry meant for speakers of this language (e.g. BE: nl, fr)

    @property
    def shown(self) -> bool:
        """H entries are shown; M only when marked `show = true`; L never."""
        return self.confidence == "H" or (self.confidence == "M" and self.show)


@dataclass(frozen=True, slots=True)
class Country:
    """A country's usual language and its contacts per slot, in file order."""

    code: str
    name: str
    language: str
    contacts: Mapping[str, tuple[Contact, ...]] = field(default_factory=dict)

    def entries(self, slot: str) -> tuple[Contact, ...]:
        """Every entry of a slot, shown or not."""
        return self.contacts.get(slot, ())

    def shown(self, slot: str, language: str | None = None) -> tuple[Contact, ...]:
        """Entries a reply may show; those marked for `language` come first."""
        shown = [c for c in self.entries(slot) if c.shown]
        if language is not None:
            shown.sort(key=lambda c: c.language not in (None, language))  # stable: file order
        return tuple(shown)

    def first(self, slot: str, language: str | None = None) -> Contact | None:
        """The entry a placeholder such as {crisis} shows, or None (use the fallback)."""
        shown = self.shown(slot, language)
        return shown[0] if shown else None


@dataclass(frozen=True, slots=True)
class Countries:
    """Everything in countries.toml."""

    countries: Mapping[str, Country]
    world: Mapping[str, Contact]
    eu_eea: frozenset[str]
    eu_emergency: Contact

    def get(self, code: str) -> Country | None:
        """The country's entry, or None for a country without one (and for ZZ)."""
        return self.countries.get(code)

    def in_eu_eea(self, code: str) -> bool:
        """True where 112 applies by EU/EEA law."""
        return code in self.eu_eea


def default_countries_path() -> Path:
    """messages/countries.toml of the repository (or of the installed package)."""
    here = Path(__file__).resolve().parent
    for base in (here.parent / "messages", here / "messages"):
        if (base / "countries.toml").is_file():
            return base / "countries.toml"
    return here.parent / "messages" / "countries.toml"


def load_countries(path: Path | None = None) -> Countries:
    """Read and validate countries.toml."""
    import tomllib

    path = path or default_countries_path()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CountriesError(f"{path.name}: {exc}") from None
    return parse_countries(data)


def parse_countries(data: Mapping[str, Any]) -> Countries:
    """Validate the parsed TOML and build the typed view."""
    world_table = _table(data, "world", "world")
    world = {name: _contact(world_table.get(name), f"world.{name}") for name in WORLD_TOOLS}

    eu = _table(data, "eu_eea", "eu_eea")
    codes = eu.get("countries")
    if not isinstance(codes, list) or not all(c in _ISO_CODES for c in codes):
        raise CountriesError("eu_eea.countries: a list of ISO 3166-1 alpha-2 codes is required")
    eu_emergency = _contact(
        {
            "text": eu.get("text", "112"),
            "source": eu.get("source"),
            "confidence": eu.get("confidence"),
            "checked": eu.get("checked"),
        },
        "eu_eea",
    )

    countries: dict[str, Country] = {}
    for code, raw in _table(data, "countries", "countries").items():
        where = f"countries.{code}"
        if code not in _ISO_CODES:
            raise CountriesError(f"{where}: not an ISO 3166-1 alpha-2 code")
        table = _table(raw, None, where)
        name, language = table.get("name"), table.get("language")
        if not isinstance(name, str) or not name:
            raise CountriesError(f"{where}.name: required")
        if language not in LANGUAGES:
            raise CountriesError(f"{where}.language: one of {', '.join(LANGUAGES)}")
        contacts: dict[str, tuple[Contact, ...]] = {}
        for slot in SLOTS:
            entries = table.get(slot, [])
            if not isinstance(entries, list):
                raise CountriesError(f"{where}.{slot}: use [[{where}.{slot}]] entries")
            contacts[slot] = tuple(
                _contact(entry, f"{where}.{slot}[{i}]") for i, entry in enumerate(entries)
            )
        unknown = set(table) - {"name", "language", *SLOTS}
        if unknown:
            raise CountriesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        countries[code] = Country(code, name, cast(str, language), contacts)
    return Countries(countries, world, frozenset(codes), eu_emergency)


_CONTACT_KEYS: Final = frozenset(
    {"text", "source", "confidence", "checked", "show", "note", "under18", "language"}
)


def _contact(raw: object, where: str) -> Contact:
    entry = _table(raw, None, where)
    unknown = set(entry) - _CONTACT_KEYS
    if unknown:
        raise CountriesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    text, source = entry.get("text"), entry.get("source")
    confidence, checked = entry.get("confidence"), entry.get("checked")
    show, note = entry.get("show", False), entry.get("note", "")
    under18, language = entry.get("under18", False), entry.get("language")
    if not isinstance(text, str) or not text.strip() or text != text.strip():
        raise CountriesError(f"{where}.text: required, without leading or trailing spaces")
    if "{" in text or "}" in text:
        raise CountriesError(f"{where}.text: braces are not allowed (placeholders)")
    if not isinstance(source, str) or not source.startswith("https://"):
        raise CountriesError(f"{where}.source: an https:// URL is required")
    if confidence not in CONFIDENCES:
        raise CountriesError(f"{where}.confidence: H, M or L")
    if not isinstance(checked, dt.date) or isinstance(checked, dt.datetime):
        raise CountriesError(f"{where}.checked: a date such as 2026-11-22 is required")
    if not isinstance(show, bool) or not isinstance(under18, bool):
        raise CountriesError(f"{where}: show and under18 are true or false")
    if show and confidence == "L":
        raise CountriesError(f"{where}: an L entry is never shown; remove `show = true`")
    if not isinstance(note, str):
        raise CountriesError(f"{where}.note: text")
    if language is not None and language not in LANGUAGES:
        raise CountriesError(f"{where}.language: one of {', '.join(LANGUAGES)}")
    return Contact(
        text=text,
        source=source,
        confidence=cast(Confidence, confidence),
        checked=checked,
        show=show,
        note=note,
        under18=under18,
        language=cast("str | None", language),
    )


def _table(raw: object, key: str | None, where: str) -> Mapping[str, Any]:
    value = raw.get(key) if key is not None and isinstance(raw, Mapping) else raw
    if not isinstance(value, Mapping):
        raise CountriesError(f"{where}: a table is required")
    return cast("Mapping[str, Any]", value)
