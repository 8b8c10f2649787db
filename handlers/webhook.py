"""Lambda entry points for Twilio's webhooks: POST /sms and POST /whatsapp (HTTP API v2)."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from typing import Any

from adviceline.config import Settings
from adviceline.topics import Channel
from adviceline.web.services import Services
from adviceline.web.webhooks import FALLBACK_REPLY, WebRequest, WebResponse, respond, twiml

__all__ = ["sms", "whatsapp"]

log = logging.getLogger(__name__)

# One per container: settings read once; the store, the content and the auth token on first use.
_services: Services | None = None


def sms(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """POST /sms."""
    return _handle(event, "sms")


def whatsapp(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """POST /whatsapp."""
    return _handle(event, "whatsapp")


def _handle(event: Mapping[str, Any], route: Channel) -> dict[str, Any]:
    try:
        return _encode(respond(_decode(event), _get_services(), route=route))
    except _BadEvent:
        return _encode(WebResponse(400, "text/plain; charset=utf-8", "Bad request\n"))
    except Exception as exc:  # noqa: BLE001 - never a 5xx: the person still gets an answer
        # The type only: a message could quote the event, which holds a number and a text.
        log.error("webhook failed: %s", type(exc).__name__)
        return _encode(WebResponse(200, "application/xml", twiml(FALLBACK_REPLY)))


def _get_services() -> Services:
    global _services
    if _services is None:
        _services = Services(Settings.from_env())
    return _services


class _BadEvent(ValueError):
    """The body claims base64 and is not."""


def _decode(event: Mapping[str, Any]) -> WebRequest:
    http = event.get("requestContext", {}).get("http", {})
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        # API Gateway sends form bodies base64-encoded; serverless-offline sends them plain.
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _BadEvent from None
    else:
        body = str(raw).encode("utf-8", errors="replace")
    return WebRequest(
        method=str(http.get("method", "")),
        path=str(event.get("rawPath") or http.get("path") or "/"),
        query=str(event.get("rawQueryString") or ""),
        headers=headers,
        body=body,
        # API Gateway says https in x-forwarded-proto; serverless-offline says nothing, so the core
        # then accepts a signature for either scheme.
        scheme=None,
    )


def _encode(response: WebResponse) -> dict[str, Any]:
    headers = {"Content-Type": response.content_type, **dict(response.headers)}
    return {
        "statusCode": response.status,
        "headers": headers,
        "body": response.body,
        "isBase64Encoded": False,
    }
