"""Sender country: Twilio's FromCountry first, else the number; ZZ when it cannot be told."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adviceline.countries import sender_country

# libphonenumber's published example mobile numbers (its metadata's exampleNumber), one per country.
EXAMPLE_MOBILES = {
    "GB": "+447400123456",
    "IE": "+353850123456",
    "US": "+12015550123",
    "CA": "+15062345678",
    "AU": "+61412345678",
    "NZ": "+64211234567",
    "IN": "+918123456789",
    "PH": "+639051234567",
    "NG": "+2348021234567",
    "ZA": "+27711234567",
    "DE": "+4915123456789",
    "FR": "+33612345678",
    "ES": "+34612345678",
    "IT": "+393123456789",
    "NL": "+31612345678",
    "BE": "+32450001234",
    "PL": "+48512345678",
    "PT": "+351912345678",
    "SE": "+46701234567",
}


@pytest.mark.parametrize(("country", "number"), sorted(EXAMPLE_MOBILES.items()))
def test_e164_numbers_of_the_19_countries(country: str, number: str) -> None:
    assert sender_country(number, None) == country
    assert sender_country("whatsapp:" + number, None) == country


@pytest.mark.parametrize(
    ("from_country", "expected"),
    [("GB", "GB"), ("gb", "GB"), (" de ", "DE"), ("XK", "XK"), ("IE", "IE")],
)
def test_twilio_from_country_wins(from_country: str, expected: str) -> None:
    assert sender_country("+12015550123", from_country) == expected


@pytest.mark.parametrize("from_country", [None, "", "  ", "ZZ", "XX", "G1", "GBR", "UK", "🇬🇧"])
def test_invalid_from_country_falls_back_to_the_number(from_country: str | None) -> None:
    assert sender_country("+447400123456", from_country) == "GB"


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("whatsapp:+447700900123", "GB"),  # Ofcom's drama range 07700 900000-900999
        ("+44 7700 900 999", "GB"),
        ("WhatsApp: +447700900000", "GB"),
        ("+15555550100", "US"),  # 555 is no area code: +1's main region
        ("whatsapp:+15555550199", "US"),
        ("+12125550100", "US"),  # New York 555-01xx
        ("+13105550142", "US"),  # Los Angeles
        ("+14165550123", "CA"),  # Toronto 555-01xx
        ("+16045550111", "CA"),  # Vancouver
        ("+15145550100", "CA"),  # Montreal
        ("+14161234567", "CA"),  # exchange 123 is invalid: the area code still says Canada
        ("+12121234567", "US"),
        ("+18765550100", "JM"),  # Jamaica shares +1 too
        ("+17875550100", "PR"),
        ("+18005550100", "US"),  # toll-free, shared: main region
        ("+61491570156", "AU"),  # ACMA's fictional mobile range
        ("+61491570110", "AU"),
    ],
)
def test_fictional_and_nanp_numbers(sender: str, expected: str) -> None:
    assert sender_country(sender, None) == expected


@pytest.mark.parametrize(
    "sender",
    ["447400123456", "00447400123456", " +44 7400 123456 ", "whatsapp:00447400123456"],
)
def test_international_prefix_variants(sender: str) -> None:
    assert sender_country(sender, None) == "GB"


@pytest.mark.parametrize(
    "sender",
    [
        "",
        "   ",
        "whatsapp:",
        "hello",
        "Twilio",  # alphanumeric sender id
        "+",
        "+0",
        "+44 1",  # too short for the UK
        "+999123456789",  # no such country code
        "+800 1234 5678",  # international freephone: no country
        "+882 1234 5678",
        "85258",  # a short code
        "07400123456",  # national format: the country is not in the number
        "+" + "4" * 200,
        "<script>+44</script>",
        "whatsapp:+44\x00\u202e",
        "\ud800",
    ],
)
def test_garbage_is_unknown(sender: str) -> None:
    assert sender_country(sender, None) == "ZZ"
    assert sender_country(sender, "") == "ZZ"


def test_non_string_input_is_unknown() -> None:
    assert sender_country(None, None) == "ZZ"  # type: ignore[arg-type]
    assert sender_country(447400123456, 44) == "ZZ"  # type: ignore[arg-type]


def test_nothing_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for sender in ("+447700900123", "garbage", "+999", "whatsapp:+15555550100"):
        sender_country(sender, None)
    assert caplog.records == []


@given(st.text(max_size=300), st.none() | st.text(max_size=5))
def test_never_raises(sender: str, from_country: str | None) -> None:
    code = sender_country(sender, from_country)
    assert code == "ZZ" or (len(code) == 2 and code.isascii() and code.isupper())


def test_from_country_does_not_import_phonenumbers() -> None:
    # Cold start: an SMS with Twilio's FromCountry must not pay for importing phonenumbers.
    code = (
        "import sys\n"
        "from adviceline.countries import sender_country\n"
        "from adviceline.segments import count_segments\n"
        "assert sender_country('+447700900123', 'GB') == 'GB'\n"
        "count_segments('hello')\n"
        "print(sorted(m for m in ('phonenumbers', 'tomllib') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
