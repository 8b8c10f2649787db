"""handlers/webhook.py with HTTP API v2 events as API Gateway and serverless-offline send them."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from adviceline.config import Settings
from adviceline.web.cli import twiml_text
from adviceline.web.services import Services
from adviceline.web.webhooks import FALLBACK_REPLY
from handlers import webhook
from tests.webhook_fixtures import (
    API_HOST,
    TOKEN,
    UK_SENDER,
    US_SENDER,
    FakeSSM,
    ListStore,
    sign,
    signed_event,
    sms_form,
    v2_event,
    whatsapp_form,
)


@pytest.fixture
def store() -> ListStore:
    return ListStore()


@pytest.fixture
def services(store: ListStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """The container's services, as the handler would build them, with a list-backed store."""
    svc = Services(Settings(twilio_auth_token=TOKEN), store=store)
    monkeypatch.setattr(webhook, "_services", svc)
    yield svc


def reply_of(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 200, response
    assert response["headers"]["Content-Type"] == "application/xml"
    assert response["isBase64Encoded"] is False
    return twiml_text(response["body"])


@pytest.mark.usefixtures("services")
@pytest.mark.parametrize("base64_body", [True, False], ids=["api-gateway", "serverless-offline"])
def test_sms_answers_with_twiml_and_counts_once(store: ListStore, base64_body: bool) -> None:
    response = webhook.sms(signed_event(sms_form("he wants money"), base64_body=base64_body))
    text = reply_of(response)
    assert "pay" in text.lower()
    assert response["body"].startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert [(k.channel, k.country, k.language, k.topic) for k in store.keys] == [
        ("sms", "GB", "en", "blackmail")
    ]


@pytest.mark.usefixtures("services")
def test_whatsapp_answers_and_counts_as_whatsapp(store: ListStore) -> None:
    form = whatsapp_form("he wants money")
    response = webhook.whatsapp(signed_event(form, path="/whatsapp"))
    text = reply_of(response)
    assert text
    assert [(k.channel, k.country) for k in store.keys] == [("whatsapp", "GB")]


@pytest.mark.usefixtures("services")
def test_reply_never_echoes_the_sender(store: ListStore) -> None:
    body = "my name is Zebedee Quill and he wants 500 pounds"
    form = whatsapp_form(body, sender="+447700900777", ProfileName="Zebedee Quill")
    response = webhook.whatsapp(signed_event(form, path="/whatsapp"))
    assert response["statusCode"] == 200
    for secret in ("Zebedee", "Quill", "7700900777", "447700900777", "500 pounds"):
        assert secret not in response["body"]


@pytest.mark.usefixtures("services")
def test_media_is_counted_but_never_fetched(store: ListStore) -> None:
    # A MediaUrl on a host that does not exist: fetching it would fail the test with an error.
    form = sms_form(
        "",
        NumMedia="1",
        MediaUrl0="https://media.invalid/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    response = webhook.sms(signed_event(form))
    assert reply_of(response)
    assert [k.topic for k in store.keys] == ["menu"]
    assert "media.invalid" not in response["body"]


@pytest.mark.usefixtures("services")
def test_named_stage_path_is_signed_as_sent(store: ListStore) -> None:
    event = signed_event(sms_form(), path="/dev/sms", stage="dev")
    assert reply_of(webhook.sms(event))
    assert len(store.keys) == 1


@pytest.mark.usefixtures("services")
def test_custom_domain_with_api_mapping_and_query_string(store: ListStore) -> None:
    # Twilio signs exactly what it was told to call: host, path (with the mapping) and query.
    event = signed_event(
        sms_form(), host="help.example.org", path="/line/sms", query="src=twilio&v=2"
    )
    assert reply_of(webhook.sms(event))
    assert len(store.keys) == 1


@pytest.mark.usefixtures("services")
def test_query_string_is_part_of_the_signature(store: ListStore) -> None:
    form = sms_form()
    event = signed_event(form, query="a=1")
    event["rawQueryString"] = "a=2"
    assert webhook.sms(event)["statusCode"] == 403
    assert store.keys == []


def test_public_base_url_wins_over_the_host_header(
    store: ListStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(twilio_auth_token=TOKEN, public_base_url="https://help.example.org")
    monkeypatch.setattr(webhook, "_services", Services(settings, store=store))
    form = sms_form()
    good = signed_event(form, url="https://help.example.org/sms")
    assert reply_of(webhook.sms(good))
    # Signed for the execute-api host, which is not the URL Twilio was told to call.
    other = signed_event(form)
    assert webhook.sms(other)["statusCode"] == 403
    assert len(store.keys) == 1


@pytest.mark.usefixtures("services")
def test_serverless_offline_http_without_forwarded_proto(store: ListStore) -> None:
    event = signed_event(
        sms_form(),
        host="127.0.0.1:3999",
        url="http://127.0.0.1:3999/sms",
        base64_body=False,
        forwarded_proto=None,
    )
    assert reply_of(webhook.sms(event))
    assert len(store.keys) == 1


@pytest.mark.usefixtures("services")
def test_forwarded_proto_is_respected(store: ListStore) -> None:
    # Signed for http, but API Gateway says the request came over https: not what Twilio signed.
    event = signed_event(sms_form(), url=f"http://{API_HOST}/sms")
    assert webhook.sms(event)["statusCode"] == 403
    assert store.keys == []


def test_twilio_published_signature_example(
    store: ListStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio's documented vector, delivered as API Gateway would deliver it to this handler."""
    settings = Settings(twilio_auth_token="12345")
    monkeypatch.setattr(webhook, "_services", Services(settings, store=store))
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    event = v2_event(
        host="mycompany.com",
        path="/myapp.php",
        query="foo=1&bar=2",
        body=urlencode(params),
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
    )
    assert reply_of(webhook.sms(event))
    assert [(k.channel, k.country, k.topic) for k in store.keys] == [("sms", "US", "menu")]
    event["headers"]["x-twilio-signature"] = "RSOYDt4T1cUTdK1PDd93/VVr8B8X"
    assert webhook.sms(event)["statusCode"] == 403
    assert len(store.keys) == 1


FORGED: dict[str, Any] = {
    "unsigned": lambda e: e["headers"].pop("x-twilio-signature"),
    "empty signature": lambda e: e["headers"].update({"x-twilio-signature": ""}),
    "forged signature": lambda e: e["headers"].update(
        {"x-twilio-signature": sign(f"https://{API_HOST}/sms", sms_form(), "wrong-token")}
    ),
    "signature of another request": lambda e: e["headers"].update(
        {"x-twilio-signature": sign(f"https://{API_HOST}/sms", sms_form("hello"))}
    ),
    "tampered body": lambda e: e.update(
        {"body": base64.b64encode(urlencode(sms_form("I paid")).encode()).decode()}
    ),
    "tampered sender": lambda e: e.update(
        {"body": base64.b64encode(urlencode(sms_form(sender=US_SENDER)).encode()).decode()}
    ),
    "extra field": lambda e: e.update(
        {"body": base64.b64encode((urlencode(sms_form()) + "&FromCountry=FR").encode()).decode()}
    ),
    "other path": lambda e: e.update({"rawPath": "/whatsapp"}),
    "other host": lambda e: e["headers"].update({"host": "evil.example"}),
}


@pytest.mark.usefixtures("services")
@pytest.mark.parametrize("spoil", FORGED.values(), ids=FORGED.keys())
def test_forged_unsigned_and_tampered_requests_are_refused(store: ListStore, spoil: Any) -> None:
    event = signed_event(sms_form())
    spoil(event)
    response = webhook.sms(event)
    assert response["statusCode"] == 403
    assert "Message" not in response["body"]
    assert store.keys == []


@pytest.mark.usefixtures("services")
def test_channel_follows_the_sender_not_the_url(store: ListStore) -> None:
    # A WhatsApp sender pointed at /sms, and an SMS number pointed at /whatsapp.
    webhook.sms(signed_event(whatsapp_form(), path="/sms"))
    webhook.whatsapp(signed_event(sms_form(), path="/whatsapp"))
    assert [k.channel for k in store.keys] == ["whatsapp", "sms"]


@pytest.mark.usefixtures("services")
def test_repeated_parameters_are_signed_and_answered(store: ListStore) -> None:
    pairs = [*sms_form("he wants money").items(), ("Body", "hello"), ("Body", "more")]
    url = f"https://{API_HOST}/sms"
    event = v2_event(body=urlencode(pairs), headers={"x-twilio-signature": sign(url, pairs)})
    assert reply_of(webhook.sms(event))
    assert len(store.keys) == 1


BAD: dict[str, dict[str, Any]] = {
    "GET": {"method": "GET"},
    "PUT": {"method": "PUT"},
    "json body": {"body": '{"Body": "hi"}', "headers": {"content-type": "application/json"}},
    "no content type": {"headers": {"content-type": ""}},
    "text body": {"body": "Body=hi", "headers": {"content-type": "text/plain"}},
    "non-utf8 body": {"body": b"Body=\xff\xfe\xc3(&From=%2B4477\xa0"},
    "oversized body": {"body": b"Body=" + b"a" * 200_000},
    "too many fields": {"body": "&".join(f"f{i}=1" for i in range(500))},
    "not base64": {"body": "%%%not base64%%%", "base64_body": False, "raw_b64_flag": True},
    "empty": {"body": b""},
}


@pytest.mark.usefixtures("services")
@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_4xx_never_a_5xx_and_never_counted(
    store: ListStore, case: dict[str, Any]
) -> None:
    case = dict(case)
    raw_b64_flag = case.pop("raw_b64_flag", False)
    event = v2_event(**{"body": "Body=hi&From=%2B447700900123", **case})
    event["headers"].setdefault("x-twilio-signature", "bm90IGEgc2lnbmF0dXJl")
    if raw_b64_flag:
        event["isBase64Encoded"] = True
    response = webhook.sms(event)
    assert 400 <= response["statusCode"] < 500, response
    assert store.keys == []


@pytest.mark.usefixtures("services")
def test_signed_10kb_body_and_missing_fields_get_an_answer(store: ListStore) -> None:
    long = sms_form("help " * 2000)
    assert len(urlencode(long)) > 10_000
    assert reply_of(webhook.sms(signed_event(long)))
    bare: dict[str, str] = {}  # no Body, no From: the menu, counted as unknown
    assert reply_of(webhook.sms(signed_event(bare)))
    assert [(k.country, k.topic) for k in store.keys][-1] == ("ZZ", "menu")


@pytest.mark.usefixtures("services")
def test_signed_json_body_is_unsupported_not_answered(store: ListStore) -> None:
    url = f"https://{API_HOST}/sms"
    event = v2_event(
        body='{"Body": "hi"}',
        headers={"content-type": "application/json", "x-twilio-signature": sign(url, {})},
    )
    assert webhook.sms(event)["statusCode"] == 415
    assert store.keys == []


def test_store_down_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        webhook,
        "_services",
        Services(Settings(twilio_auth_token=TOKEN), store=ListStore(fail=True)),
    )
    assert "pay" in reply_of(webhook.sms(signed_event(sms_form("he wants money")))).lower()


class BrokenContent:
    """Content whose every call fails, as if messages/ were unreadable."""

    def route(self, body: str, *, country: str, num_media: int = 0) -> Any:
        raise RuntimeError(body)

    def render(self, topic: str, language: str, country: str, channel: str) -> str:
        raise RuntimeError(topic)


def test_broken_content_falls_back_without_personal_data_in_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = ListStore()
    svc = Services(Settings(twilio_auth_token=TOKEN), store=store, content=BrokenContent())  # type: ignore[arg-type]
    monkeypatch.setattr(webhook, "_services", svc)
    caplog.set_level(logging.DEBUG)
    response = webhook.sms(signed_event(sms_form("my secret words")))
    assert reply_of(response) == FALLBACK_REPLY
    assert store.keys == []
    assert "RuntimeError" in caplog.text
    for secret in ("my secret words", UK_SENDER, "447700900123"):
        assert secret not in caplog.text


def test_unexpected_event_shape_still_answers(services: Services) -> None:
    response = webhook.sms({"headers": None, "requestContext": {"http": {"method": "POST"}}})
    assert response["statusCode"] in (400, 403)
    response = webhook.sms({"requestContext": "nonsense"})
    assert response["statusCode"] == 200
    assert twiml_text(response["body"]) == FALLBACK_REPLY


def test_token_from_ssm_is_read_once_per_container(
    store: ListStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm = FakeSSM({"/adviceline/test/twilio-auth-token": TOKEN})
    settings = Settings(twilio_auth_token_param="/adviceline/test/twilio-auth-token")
    svc = Services(settings, store=store, ssm_client_factory=lambda: ssm)  # type: ignore[arg-type,return-value]
    monkeypatch.setattr(webhook, "_services", svc)
    for _ in range(3):
        assert reply_of(webhook.sms(signed_event(sms_form())))
    assert ssm.calls == [("/adviceline/test/twilio-auth-token", True)]
    assert len(store.keys) == 3


def test_no_token_configured_answers_the_menu_and_counts_nothing(
    store: ListStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(webhook, "_services", Services(Settings(), store=store))
    response = webhook.sms(signed_event(sms_form()))
    assert reply_of(response)
    assert store.keys == []
    assert "auth token unavailable: ConfigError" in caplog.text


def test_settings_are_read_once_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(webhook, "_services", None)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("COUNTS_BACKEND", "sqlite")
    monkeypatch.setenv("COUNTS_DB", str(tmp_path / "counts.sqlite3"))
    first = webhook._get_services()
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "changed")
    assert webhook._get_services() is first
    assert first.twilio_auth_token() == TOKEN


def test_store_that_cannot_open_still_gives_the_advice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # DynamoDB mode without COUNTS_TABLE: opening the store fails, the advice still goes out.
    settings = Settings(twilio_auth_token=TOKEN, counts_backend="dynamodb")
    monkeypatch.setattr(webhook, "_services", Services(settings))
    text = reply_of(webhook.sms(signed_event(sms_form("he wants money"))))
    assert "pay" in text.lower()
    assert "count store unavailable: ConfigError" in caplog.text
