"""The one use case: an inbound message becomes a reply and, when it is counted, one count."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from adviceline.countries import sender_country
from adviceline.counts import CountKey, CountStore
from adviceline.topics import Channel

if TYPE_CHECKING:
    from adviceline.content import Content

__all__ = ["Answer", "Inbound", "answer", "handle", "utc_today"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message as Twilio delivers it. `sender` and `body` are never stored or logged."""

    channel: Channel
    sender: str = ""
    body: str = ""
    from_country: str | None = None
    num_media: int = 0

    def __repr__(self) -> str:
        # Keeps the sender and the text out of tracebacks, debuggers and log records.
        return f"Inbound(channel={self.channel!r}, num_media={self.num_media})"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the line says back, and the four facts about it that may be counted."""

    reply: str
    topic: str
    language: str
    country: str
    channel: Channel


def utc_today() -> date:
    """The UTC day a count belongs to."""
    return datetime.now(UTC).date()


def answer(msg: Inbound, content: Content) -> Answer:
    """Decide the reply to `msg`; records nothing."""
    country = sender_country(msg.sender, msg.from_country)
    routed = content.route(msg.body, country=country, num_media=msg.num_media)
    reply = content.render(routed.topic, routed.language, country, msg.channel)
    return Answer(reply, routed.topic, routed.language, country, msg.channel)


def handle(
    msg: Inbound,
    *,
    content: Content,
    store: CountStore,
    today: Callable[[], date] = utc_today,
) -> Answer:
    """Answer a message that passed signature checking and count it; counting never blocks it."""
    result = answer(msg, content)
    key = CountKey.clean(today(), result.channel, result.country, result.language, result.topic)
    try:
        store.add(key)
    except Exception as exc:  # noqa: BLE001 - analytics must never stop the advice going out
        # The exception's type only: its text could carry a key or an endpoint, never user data,
        # but the reply matters more than the detail.
        log.warning("count not recorded: %s", type(exc).__name__)
    return result
