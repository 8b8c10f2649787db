"""A Twilio webhook request: form parsing, the public URL Twilio signed, the signature check."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_FIELDS",
    "Form",
    "FormError",
    "is_form",
    "parse_form",
    "public_urls",
    "signature_valid",
]

# Twilio's largest inbound message (WhatsApp, 4,096 characters of emoji, percent-encoded) plus
# its other fields stays well under this; anything larger is not from Twilio.
MAX_BODY_BYTES = 128 * 1024
# Twilio sends about 20 fields, plus MediaUrlN/MediaContentTypeN for up to 10 media items.
MAX_FIELDS = 200


class FormError(ValueError):
    """The body is not a form Twilio could have sent; the message never quotes the body."""


class Form(dict[str, list[str]]):
    """Form fields with every value each was sent with (Twilio signs repeats too)."""

    def getall(self, name: str) -> list[str]:
        """Every value of `name`; the name RequestValidator looks for on multi-dicts."""
        return self.get(name, [])

    def first(self, name: str) -> str:
        """The first value of `name`, or ''."""
        values = self.get(name)
        return values[0] if values else ""


def is_form(content_type: str) -> bool:
    """True for application/x-www-form-urlencoded, with or without a charset parameter."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/x-www-form-urlencoded"


def parse_form(body: bytes) -> Form:
    """Parse a form body; bytes that are not UTF-8 become U+FFFD, so such a body fails the check."""
    if len(body) > MAX_BODY_BYTES:
        raise FormError("body too large")
    text = body.decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="replace",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:
        raise FormError("too many fields") from None
    form = Form()
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def public_urls(
    *,
    scheme: str | None,
    host: str,
    path: str,
    query: str,
    public_base_url: str | None,
) -> list[str]:
    """The URLs Twilio may have signed: PUBLIC_BASE_URL or scheme + host, then path + query."""
    tail = path + (f"?{query}" if query else "")
    if public_base_url:
        return [public_base_url.rstrip("/") + tail]
    if scheme:
        return [f"{scheme}://{host}{tail}"]
    # No scheme known (serverless-offline sends no x-forwarded-proto; API Gateway always does):
    # accept either. Both still need a signature made with the auth token.
    return [f"https://{host}{tail}", f"http://{host}{tail}"]


def signature_valid(
    token: str,
    urls: Iterable[str],
    form: Mapping[str, list[str]],
    signature: str,
) -> bool:
    """True when `signature` is Twilio's for one of `urls` and `form`, made with `token`."""
    if not signature or not token:
        return False
    validator = RequestValidator(token)
    return any(validator.validate(url, form, signature) for url in urls)
