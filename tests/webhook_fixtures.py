"""Builders for the webhook tests: Twilio-shaped forms, HTTP API v2 events, a list-backed store."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from adviceline.counts import CountKey

TOKEN = "test-auth-token-0123456789abcdef"
API_HOST = "abc123def4.execute-api.eu-west-2.amazonaws.com"
# Fictional numbers only (UK drama range, US 555-01xx).
UK_SENDER = "+447700900123"
US_SENDER = "+12025550143"


class ListStore:
    """A CountStore that keeps every key it is given, in order; `fail` makes add() raise."""

    def __init__(self, *, fail: bool = False) -> None:
        self.keys: list[CountKey] = []
        self.fail = fail

    def add(self, key: CountKey, n: int = 1) -> None:
        if self.fail:
            raise ConnectionError("store down")
        self.keys.extend([key] * n)

    def rows(self, start: date, end: date) -> Iterable[tuple[CountKey, int]]:
        return [(k, 1) for k in self.keys if start <= k.day <= end]

    def init(self) -> None:
        return None


class FakeSSM:
    """An SSM client that knows some SecureString parameters and counts the reads."""

    def __init__(self, parameters: Mapping[str, str]) -> None:
        self.parameters = dict(parameters)
        self.calls: list[tuple[str, bool]] = []

    def get_parameter(self, *, Name: str, WithDecryption: bool = False) -> dict[str, Any]:  # noqa: N803
        self.calls.append((Name, WithDecryption))
        return {"Parameter": {"Name": Name, "Type": "SecureString", "Value": self.parameters[Name]}}


def sms_form(
    body: str = "he wants money", *, sender: str = UK_SENDER, **extra: str
) -> dict[str, str]:
    """What Twilio posts for an inbound SMS."""
    form = {
        "ToCountry": "GB",
        "ToState": "",
        "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": "SM0123456789abcdef0123456789abcdef",
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "GB",
        "To": "+447700900999",
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def whatsapp_form(
    body: str = "he wants money", *, sender: str = UK_SENDER, **extra: str
) -> dict[str, str]:
    """What Twilio posts for an inbound WhatsApp message."""
    form = {
        "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
        "NumMedia": "0",
        "ProfileName": "Sam Example",
        "MessageType": "text",
        "SmsSid": "SM0123456789abcdef0123456789abcdef",
        "WaId": sender.lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": "whatsapp:+14155238886",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def sign(url: str, form: Mapping[str, str] | Sequence[tuple[str, str]], token: str = TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for `form` posted to `url`."""
    if isinstance(form, Mapping):
        return str(RequestValidator(token).compute_signature(url, dict(form)))
    multi: dict[str, list[str]] = {}
    for name, value in form:
        multi.setdefault(name, []).append(value)
    return str(RequestValidator(token).compute_signature(url, _Multi(multi)))


class _Multi(dict[str, list[str]]):
    def getall(self, name: str) -> list[str]:
        return self[name]


def v2_event(
    *,
    method: str = "POST",
    path: str = "/sms",
    query: str = "",
    host: str = API_HOST,
    body: bytes | str = b"",
    base64_body: bool = True,
    headers: Mapping[str, str] | None = None,
    stage: str = "$default",
    forwarded_proto: str | None = "https",
) -> dict[str, Any]:
    """An HTTP API payload v2 event as API Gateway (or serverless-offline) delivers it."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    all_headers = {
        "accept": "*/*",
        "content-length": str(len(raw)),
        "content-type": "application/x-www-form-urlencoded",
        "host": host,
        "user-agent": "TwilioProxy/1.1",
        "x-amzn-trace-id": "Root=1-65f0a1b2-0123456789abcdef01234567",
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-port": "443",
    }
    if forwarded_proto:
        all_headers["x-forwarded-proto"] = forwarded_proto
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    route = path if stage == "$default" else path.removeprefix(f"/{stage}")
    return {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": host.split(".", 1)[0],
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "TwilioProxy/1.1",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": f"{method} {route}",
            "stage": stage,
            "time": "10/Mar/2026:13:40:52 +0000",
            "timeEpoch": 1773150052000,
        },
        "body": base64.b64encode(raw).decode("ascii") if base64_body else raw.decode("utf-8"),
        "isBase64Encoded": base64_body,
    }


def signed_event(
    form: Mapping[str, str],
    *,
    path: str = "/sms",
    query: str = "",
    host: str = API_HOST,
    url: str | None = None,
    token: str = TOKEN,
    **kwargs: Any,
) -> dict[str, Any]:
    """A v2 event carrying `form`, signed for https://host/path?query (or `url`)."""
    signed_url = url or f"https://{host}{path}" + (f"?{query}" if query else "")
    headers = {"x-twilio-signature": sign(signed_url, form, token), **kwargs.pop("headers", {})}
    return v2_event(
        path=path, query=query, host=host, body=urlencode(form), headers=headers, **kwargs
    )


class _OnDay:
    """A store adapter that files every count under one fixed day (the privacy test's)."""

    def __init__(self, store: Any, day: date) -> None:
        self.store, self.day = store, day

    def add(self, key: CountKey, n: int = 1) -> None:
        from dataclasses import replace

        self.store.add(replace(key, day=self.day), n)

    def rows(self, start: date, end: date) -> Iterable[tuple[CountKey, int]]:
        rows: Iterable[tuple[CountKey, int]] = self.store.rows(start, end)
        return rows

    def init(self) -> None:
        self.store.init()


def via_signed_webhook(messages: Sequence[Any], store: Any, *, day: date) -> None:
    """Deliver `Inbound` messages as Twilio would: signed HTTP API v2 events to handlers/webhook."""
    from adviceline.config import Settings
    from adviceline.web.services import Services
    from handlers import webhook

    saved = webhook._services
    webhook._services = Services(Settings(twilio_auth_token=TOKEN), store=_OnDay(store, day))  # type: ignore[arg-type]
    try:
        for msg in messages:
            if msg.channel == "whatsapp":
                form = whatsapp_form(msg.body, NumMedia=str(int(msg.num_media)))
                form["From"] = msg.sender
                form["WaId"] = msg.sender.removeprefix("whatsapp:+")
                path, handler = "/whatsapp", webhook.whatsapp
            else:
                form = sms_form(msg.body, sender=msg.sender, NumMedia=str(int(msg.num_media)))
                del form["FromCountry"]  # the country then comes from the number
                path, handler = "/sms", webhook.sms
            response = handler(signed_event(form, path=path))
            assert response["statusCode"] == 200, response["statusCode"]
            assert "<Message>" in response["body"]
    finally:
        webhook._services = saved
