"""The fixed vocabularies other tools rely on: topic ids, languages, channels (DESIGN.md)."""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "CHANNELS",
    "LANGUAGES",
    "OTHER_TOPIC",
    "TOPICS",
    "UNKNOWN_COUNTRY",
    "UNKNOWN_LANGUAGE",
    "Channel",
]

TOPICS: Final = (
    "danger",
    "blackmail",
    "paid",
    "evidence",
    "block",
    "report",
    "remove",
    "parent",
    "signs",
    "support",
    "menu",
)
LANGUAGES: Final = ("en", "fr", "de", "es", "it", "nl", "pl", "pt", "sv")
CHANNELS: Final = ("sms", "whatsapp")

Channel = Literal["sms", "whatsapp"]

# What a count records when a value is not one of the known ones: never the raw value.
OTHER_TOPIC: Final = "other"
UNKNOWN_COUNTRY: Final = "ZZ"
UNKNOWN_LANGUAGE: Final = "und"
