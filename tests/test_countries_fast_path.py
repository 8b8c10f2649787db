"""The calling-code table gives exactly phonenumbers' answer, for every single-region code."""

from __future__ import annotations

import random
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adviceline import countries
from adviceline.bundle import BUNDLE_NAME
from adviceline.content import compile_bundle
from adviceline.countries import _fast_region, _phonenumbers_region, calling_code_table

MESSAGES = Path(__file__).resolve().parent.parent / "messages"
VERSION, TABLE = calling_code_table()
SINGLE = sorted(code for code, region in TABLE.items() if region is not None)
SHARED = sorted(code for code, region in TABLE.items() if region is None)


def numbers_for(code: str) -> list[str]:
    """E.164 numbers with calling code `code`: every length the fast path takes, several digit
    patterns (a leading national prefix, repeated digits, random), and phonenumbers' examples."""
    rng = random.Random(code)  # noqa: S311 - test data, reproducible per code
    out = []
    for total in range(8, 16):
        size = total - len(code)
        for national in (
            "0" * size,
            "0" + "6" * (size - 1),
            "1" * size,
            "5" * size,
            "9" * size,
            "".join(rng.choice("0123456789") for _ in range(size)),
            "".join(rng.choice("123456789") for _ in range(size)),
        ):
            out.append(f"+{code}{national}")
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[int(code)]:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                out.append(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))
    return out


def test_the_table_knows_every_calling_code_and_the_shared_ones() -> None:
    assert set(TABLE) == {str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE}
    assert {"1", "7", "44", "39", "61", "47", "262", "590", "599", "358"} <= set(SHARED)
    assert TABLE["33"] == "FR" and TABLE["49"] == "DE" and TABLE["800"] == "ZZ"
    assert phonenumbers.__version__ == VERSION


@pytest.mark.parametrize("code", SINGLE)
def test_fast_path_equals_phonenumbers_for_every_single_region_code(code: str) -> None:
    for number in numbers_for(code):
        fast = _fast_region(number, TABLE)
        expected = _phonenumbers_region(number)
        if 8 <= len(number) - 1 <= 15:
            assert fast is not None, number  # the fast path really answers these
        assert fast in (None, expected), (number, fast, expected)


@pytest.mark.parametrize("code", SHARED)
def test_shared_codes_are_left_to_phonenumbers(code: str) -> None:
    for number in numbers_for(code):
        assert _fast_region(number, TABLE) is None, number


@pytest.mark.parametrize(
    "text",
    [
        "+3361234",  # 7 digits: too short for the fast path
        "+3361234567890123",  # 16 digits: longer than E.164
        "+0033612345678",
        "+33 612345678",
        "+33-612-345-678",
        "+３３６１２３４５６７８",  # full-width digits (phonenumbers reads them)
        "+33612345678;ext=1",
        "+",
        "",
    ],
)
def test_other_shapes_are_left_to_phonenumbers(text: str) -> None:
    assert _fast_region(text, TABLE) is None


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=1, max_size=18),
    st.sampled_from(["", " ", "-", "x", "\u0663"]),
)
def test_fast_path_never_disagrees_with_phonenumbers(digits: str, noise: str) -> None:
    text = "+" + digits[: len(digits) // 2] + noise + digits[len(digits) // 2 :]
    fast = _fast_region(text, TABLE)
    assert fast is None or fast == _phonenumbers_region(text)


def test_packaged_table_is_read_from_the_bundle(tmp_path: Path) -> None:
    compile_bundle(MESSAGES, tmp_path / BUNDLE_NAME)
    assert countries._read_calling_codes(tmp_path) == TABLE
    assert countries._read_calling_codes(tmp_path / "elsewhere") is None  # no bundle: none


def test_a_table_from_another_phonenumbers_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compile_bundle(MESSAGES, tmp_path / BUNDLE_NAME)
    monkeypatch.setattr(countries, "_phonenumbers_version", lambda: "0.0.1")
    assert countries._read_calling_codes(tmp_path) is None


def test_a_damaged_bundle_means_asking_phonenumbers(tmp_path: Path) -> None:
    (tmp_path / BUNDLE_NAME).write_bytes(b"not a pickle")
    assert countries._read_calling_codes(tmp_path) is None
