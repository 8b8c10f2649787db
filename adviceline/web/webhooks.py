"""The Twilio webhook core: one request in, one response out; needs neither Flask nor AWS."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twilio.twiml.messaging_response import MessagingResponse

from adviceline.inbound import Inbound, handle
from adviceline.topics import UNKNOWN_COUNTRY, Channel
from adviceline.web.twilio_request import (
    MAX_BODY_BYTES,
    Form,
    FormError,
    is_form,
    parse_form,
    public_urls,
    signature_valid,
)

if TYPE_CHECKING:
    from datetime import date

    from adviceline.counts import CountKey, CountStore
    from adviceline.web.services import Services

__all__ = [
    "FALLBACK_REPLY",
    "ROUTES",
    "WebRequest",
    "WebResponse",
    "channel_for",
    "respond",
    "twiml",
]

log = logging.getLogger(__name__)

# The last path segment names the channel, so a stage prefix (/dev/sms) or an API mapping
# (/line/sms) on a custom domain routes the same way.
ROUTES: Mapping[str, Channel] = {"sms": "sms", "whatsapp": "whatsapp"}

# Said only when the content itself cannot be rendered: no number, since numbers come only from
# sourced entries in messages/.
FALLBACK_REPLY = (
    "You are not alone and this is not your fault. Do not pay and do not send more. "
    "Keep the messages as evidence, block the account and tell an adult you trust. "
    "Please send your message again in a minute."
)

XML = "application/xml"
TEXT = "text/plain; charset=utf-8"
WHATSAPP_PREFIX = "whatsapp:"


@dataclass(frozen=True, slots=True)
class WebRequest:
    """An HTTP request as the server or API Gateway saw it; header names are lower-case."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    # None when the transport does not say (serverless-offline); API Gateway sends
    # x-forwarded-proto, which wins.
    scheme: str | None = None

    def __repr__(self) -> str:
        # The body holds the sender's number and text: keep it out of tracebacks and logs.
        return f"WebRequest({self.method!r}, {self.path!r}, body={len(self.body)} bytes)"


@dataclass(frozen=True, slots=True)
class WebResponse:
    """Status, content type and body, plus any extra headers."""

    status: int
    content_type: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()


def channel_for(path: str) -> Channel | None:
    """The channel a webhook path serves, or None for any other path."""
    return ROUTES.get(path.rstrip("/").rsplit("/", 1)[-1])


def twiml(text: str) -> str:
    """A TwiML document that answers with one message."""
    response = MessagingResponse()
    response.message(text)
    return str(response)


def respond(
    request: WebRequest, services: Services, *, route: Channel | None = None
) -> WebResponse:
    """Check the request came from Twilio, answer it and count it once; never a 5xx.

    `route` is the channel of the URL the function or view serves; None derives it from the path.
    """
    route = route or channel_for(request.path)
    if route is None:
        return WebResponse(404, TEXT, "Not found\n")
    if request.method.upper() != "POST":
        return WebResponse(405, TEXT, "Method not allowed\n", (("Allow", "POST"),))
    signature = request.headers.get("x-twilio-signature", "")
    if not signature:
        return _forbidden()
    content_type = request.headers.get("content-type", "")
    try:
        form = parse_form(request.body) if is_form(content_type) else Form()
    except FormError:
        status = 413 if len(request.body) > MAX_BODY_BYTES else 400
        return WebResponse(status, TEXT, "Bad request\n")
    try:
        token = services.twilio_auth_token()
    except Exception as exc:  # noqa: BLE001 - a missing secret must not silence the line
        # Nothing can be verified, so nothing is counted; the general menu is public anyway.
        log.error("auth token unavailable: %s", type(exc).__name__)
        return _reply(_fallback(services, route))
    urls = public_urls(
        scheme=_scheme(request),
        host=request.headers.get("host", ""),
        path=request.path,
        query=request.query,
        public_base_url=services.settings.public_base_url,
    )
    if not signature_valid(token, urls, form, signature):
        return _forbidden()
    if not is_form(content_type):
        return WebResponse(415, TEXT, "Unsupported media type\n")
    msg = _inbound(form, route)
    try:
        store: CountStore = services.store
    except Exception as exc:  # noqa: BLE001 - analytics never block the advice
        log.error("count store unavailable: %s", type(exc).__name__)
        store = _UNCOUNTED
    try:
        text = handle(msg, content=services.content, store=store).reply
    except Exception as exc:  # noqa: BLE001 - the person still gets an answer
        log.error("reply failed: %s", type(exc).__name__)
        text = _fallback(services, msg.channel)
    return _reply(text)


class _Uncounted:
    """Stands in for a store that could not be opened: the reply goes out, uncounted."""

    def add(self, key: CountKey, n: int = 1) -> None:
        return None

    def rows(self, start: date, end: date) -> list[tuple[CountKey, int]]:
        return []

    def init(self) -> None:
        return None


_UNCOUNTED = _Uncounted()


def _inbound(form: Form, route: Channel) -> Inbound:
    sender = form.first("From").strip()
    channel = _channel(sender, route)
    if sender.startswith(WHATSAPP_PREFIX):
        sender = sender[len(WHATSAPP_PREFIX) :]
    country = form.first("FromCountry").strip()
    return Inbound(
        channel=channel,
        sender=sender,
        body=form.first("Body"),
        from_country=country if _is_country(country) else None,
        num_media=_num_media(form.first("NumMedia")),
    )


def _channel(sender: str, route: Channel) -> Channel:
    # The reply travels back over the channel the message came in on, whatever URL the number was
    # pointed at: a WhatsApp sender on /sms gets (and counts as) WhatsApp, and an SMS number on
    # /whatsapp gets an SMS reply that fits in 3 segments. The sender is covered by the signature.
    if sender.startswith(WHATSAPP_PREFIX):
        return "whatsapp"
    if sender.startswith("+"):
        return "sms"
    return route


def _is_country(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()


def _num_media(value: str) -> int:
    # Only the number of items is used (media-only messages get the menu); media is never fetched.
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return 0
    return min(int(value[:3]), 10)


def _scheme(request: WebRequest) -> str | None:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",", 1)[0].strip().lower()
    if forwarded in ("http", "https"):
        return forwarded
    return request.scheme


def _fallback(services: Services, channel: Channel) -> str:
    try:
        return services.content.render("menu", "en", UNKNOWN_COUNTRY, channel)
    except Exception as exc:  # noqa: BLE001 - last resort: a fixed text with no number in it
        log.error("menu unavailable: %s", type(exc).__name__)
        return FALLBACK_REPLY


def _reply(text: str) -> WebResponse:
    return WebResponse(200, XML, twiml(text))


def _forbidden() -> WebResponse:
    return WebResponse(403, TEXT, "Forbidden\n")
