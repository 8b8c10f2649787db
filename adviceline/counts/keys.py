"""The count key, cleaned so that only known values are ever stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adviceline.topics import (
    CHANNELS,
    LANGUAGES,
    OTHER_TOPIC,
    TOPICS,
    UNKNOWN_COUNTRY,
    UNKNOWN_LANGUAGE,
)

__all__ = ["CountKey"]


@dataclass(frozen=True, slots=True, order=True)
class CountKey:
    """One cell of the count table. There is no other field, ever (DESIGN.md)."""

    day: date
    channel: str
    country: str
    language: str
    topic: str

    @classmethod
    def clean(cls, day: date, channel: str, country: str, language: str, topic: str) -> CountKey:
        """Map anything unknown to `other`/`ZZ`/`und` so no raw input reaches a store."""
        if channel not in CHANNELS:
            raise ValueError("channel must be 'sms' or 'whatsapp'")
        country = country if _is_country_code(country) else UNKNOWN_COUNTRY
        language = language if language in LANGUAGES else UNKNOWN_LANGUAGE
        topic = topic if topic in TOPICS else OTHER_TOPIC
        return cls(day, channel, country, language, topic)


def _is_country_code(value: str) -> bool:
    # Two ASCII capitals: an ISO 3166-1 alpha-2 shape. Anything else could be free text.
    return len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()
