"""Segment counting against Twilio's own calculator's test vectors, and the rules behind them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adviceline.segments import GSM7_BASIC, GSM7_EXTENSION, count_segments, non_gsm7

# Vectors from Twilio's segment calculator, github.com/TwilioDevEd/message-segment-calculator,
# tests/index.test.js, tests/segments.test.js and tests/charDetails.test.js. Its bodies are runs
# of "1234567890..." whose first digit(s) an emoji may replace; they are rebuilt here from that
# pattern. The calculator's messageSize is our units x 7 (GSM-7) or x 16 (UCS-2) bits, and its
# totalSize adds a 48-bit header per part when there is more than one.
DIGITS = "1234567890" * 40
FLAG_IT = "\U0001f1ee\U0001f1f9"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 4 scalars, 1 character

TWILIO_VECTORS = [
    # (description, body, encoding, segments, messageSize, totalSize, characters, scalars)
    ("GSM-7 in one segment", DIGITS[:160], "GSM-7", 1, 1120, 1120, 160, 160),
    ("GSM-7 in two segments", DIGITS[:161], "GSM-7", 2, 1127, 1223, 161, 161),
    ("GSM-7 in three segments", DIGITS[:307], "GSM-7", 3, 2149, 2293, 307, 307),
    ("UCS-2 in one segment", "😜" + DIGITS[1:69], "UCS-2", 1, 1120, 1120, 69, 69),
    ("UCS-2 in two segments", "😜" + DIGITS[1:70], "UCS-2", 2, 1136, 1232, 70, 70),
    ("UCS-2 in three segments", "😜" + DIGITS[1:134], "UCS-2", 3, 2160, 2304, 134, 134),
    ("UCS-2 flag, one segment", FLAG_IT + DIGITS[2:68], "UCS-2", 1, 1120, 1120, 67, 68),
    ("UCS-2 flag, two segments", FLAG_IT + DIGITS[2:69], "UCS-2", 2, 1136, 1232, 68, 69),
    ("UCS-2 ZWJ flag, one segment", RAINBOW_FLAG + DIGITS[1:65], "UCS-2", 1, 1120, 1120, 65, 68),
    ("UCS-2 ZWJ flag, two segments", RAINBOW_FLAG + DIGITS[1:66], "UCS-2", 2, 1136, 1232, 66, 69),
]


@pytest.mark.parametrize(
    ("body", "encoding", "segments", "message_bits", "total_bits", "characters", "scalars"),
    [v[1:] for v in TWILIO_VECTORS],
    ids=[v[0] for v in TWILIO_VECTORS],
)
def test_twilio_calculator_vectors(
    body: str,
    encoding: str,
    segments: int,
    message_bits: int,
    total_bits: int,
    characters: int,
    scalars: int,
) -> None:
    assert len(body) == scalars  # the vector was rebuilt faithfully
    result = count_segments(body)
    assert result.encoding == encoding
    assert result.segments == segments
    bits = 7 if encoding == "GSM-7" else 16
    assert result.units * bits == message_bits
    assert message_bits + (48 * segments if segments > 1 else 0) == total_bits
    # The calculator's "characters" are septets for GSM-7 and graphemes for UCS-2.
    assert (result.units if encoding == "GSM-7" else result.characters) == characters


@pytest.mark.parametrize("escape", ["|", "^", "€", "{", "}", "[", "]", "~", "\\", "\f"])
def test_escape_characters_take_two_septets(escape: str) -> None:
    # Calculator: "One/Two segment(s) with escape character" (form feed added from its GSM table).
    one = count_segments(escape + DIGITS[:158])
    two = count_segments(escape + DIGITS[:159])
    assert (one.encoding, one.segments, one.units) == ("GSM-7", 1, 160)
    assert (two.encoding, two.segments, two.units) == ("GSM-7", 2, 161)


@pytest.mark.parametrize("char", ["Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó"])
def test_one_non_gsm_letter_makes_ucs2(char: str) -> None:
    # Calculator: "One grapheme UCS-2 characters", 70 fit one segment and 71 need two.
    one = count_segments(char * 70)
    assert (one.encoding, one.segments) == ("UCS-2", 1)
    assert count_segments(char * 71).segments == 2


def test_gsm_extension_characters_count_once_in_ucs2() -> None:
    # Calculator issues #18 and #57: once a text is UCS-2, ] | { ^ are one code unit each.
    assert count_segments("😀" + "]" * 68).segments == 1
    assert count_segments("😀" + "]" * 69).segments == 2
    mixed = "|" * 24 + "{" + "|" * 28 + "∞" + "|" * 10 + "^" + "|" * 5
    result = count_segments(mixed)
    assert (result.encoding, result.units, result.characters, result.segments) == (
        "UCS-2",
        70,
        70,
        1,
    )


def test_line_breaks_count_one_each() -> None:
    # Calculator: "Line break styles tests" (CR LF is two characters, not one).
    assert count_segments("\rabcde\r\n123").units == 11
    assert count_segments("\nabcde\n\n123\n").units == 12


def test_combining_accents_are_one_character() -> None:
    # Calculator: "Triple accents characters" (issue #17): e + three combining acutes.
    accented = "e\u0301\u0301\u0301"
    assert count_segments(accented).characters == 1
    assert count_segments(accented + "a" * 66).segments == 1
    assert count_segments(accented + "a" * 67).segments == 2


def test_a_161_character_text_splits_153_then_8() -> None:
    # Calculator charDetails test: characters 0-152 in the first part, 153-160 in the second.
    assert count_segments("A" * 306).segments == 2
    assert count_segments("A" * 307).segments == 3


def test_empty_text_is_one_gsm_segment() -> None:
    # The calculator answers 1 segment for ""; Twilio refuses an SMS without body or media.
    result = count_segments("")
    assert (result.encoding, result.segments, result.units, result.characters) == (
        "GSM-7",
        1,
        0,
        0,
    )


def test_escape_pair_is_never_split_across_parts() -> None:
    # 306 septets would fill two parts exactly, but the € pair cannot start at septet 153.
    text = "a" * 152 + "€" + "a" * 152
    assert count_segments(text).units == 306
    assert count_segments(text).segments == 3
    assert count_segments("a" * 151 + "€" + "a" * 153).segments == 2  # pair ends part one


def test_surrogate_pair_is_never_split_across_parts() -> None:
    # 134 code units would fill two UCS-2 parts, but the emoji cannot straddle unit 67.
    text = "é" * 66 + "😀" + "é" * 66
    assert count_segments(text).units == 134
    assert count_segments(text).segments == 3
    assert count_segments("é" * 65 + "😀" + "é" * 67).segments == 2


def test_zwj_sequence_moves_whole_to_the_next_part() -> None:
    # A grapheme is never split (calculator: graphemes are its unit of segmentation).
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 8 code units, 1 character
    text = "x" * 63 + family + "x" * 63
    result = count_segments(text)
    assert (result.units, result.characters) == (134, 127)
    assert result.segments == 3


def test_whole_gsm_basic_set_is_gsm7_one_septet_each() -> None:
    basic = "".join(sorted(GSM7_BASIC))
    assert len(basic) == 127
    result = count_segments(basic)
    assert (result.encoding, result.units, result.characters) == ("GSM-7", 127, 127)
    assert count_segments("".join(sorted(GSM7_EXTENSION))).units == 20


@pytest.mark.parametrize(
    "char",
    ["’", "“", "”", "–", "—", "…", "ł", "ą", "ż", "ã", "ê", "ô", "`", "\u00a0", "😀", "\ud800"],
)
def test_characters_outside_gsm7_force_ucs2(char: str) -> None:
    assert count_segments("Hello " + char).encoding == "UCS-2"
    assert non_gsm7("Hello " + char + char) == char


def test_non_gsm7_lists_offending_characters_once() -> None:
    # Calculator methods test: getNonGsmCharacters("más") == ["á"].
    assert non_gsm7("más") == "á"
    assert non_gsm7("Zażółć gęślą jaźń") == "żółćęśąźń"
    assert non_gsm7("Ça va? Très bien, 100€") == ""


def test_limits_of_three_segments() -> None:
    assert count_segments("a" * 459).segments == 3
    assert count_segments("a" * 460).segments == 4
    assert count_segments("ł" * 201).segments == 3
    assert count_segments("ł" * 202).segments == 4


@given(st.text(max_size=2000))
def test_any_text_is_counted_consistently(text: str) -> None:
    result = count_segments(text)
    if result.encoding == "GSM-7":
        assert non_gsm7(text) == ""
        assert result.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)
        single, part = 160, 153
    else:
        assert non_gsm7(text) != ""
        assert result.units == len(text.encode("utf-16-le", "surrogatepass")) // 2
        single, part = 70, 67
    assert result.characters <= len(text)
    if result.units <= single:
        assert result.segments == 1
    else:
        assert result.segments >= math.ceil(result.units / part)


@given(st.text(alphabet=st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION)), max_size=1000))
def test_escape_pairs_waste_at_most_one_septet_per_part(text: str) -> None:
    result = count_segments(text)
    assert result.encoding == "GSM-7"
    if result.units > 160:
        assert math.ceil(result.units / 153) <= result.segments <= math.ceil(result.units / 152)
