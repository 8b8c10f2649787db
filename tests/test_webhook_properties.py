"""Property tests: whatever arrives at the webhook, the answer is a 2xx or 4xx, quickly."""

from __future__ import annotations

import time
from urllib.parse import quote_from_bytes, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adviceline.config import Settings
from adviceline.topics import LANGUAGES, OTHER_TOPIC, TOPICS, UNKNOWN_LANGUAGE
from adviceline.web.services import Services
from handlers import webhook
from tests.webhook_fixtures import API_HOST, TOKEN, ListStore, sign, sms_form, v2_event

# Each example must finish well inside a webhook's budget; a hang fails the test.
PER_REQUEST_SECONDS = 0.5

field_names = st.one_of(
    st.sampled_from(["Body", "From", "To", "NumMedia", "FromCountry", "MediaUrl0", "WaId"]),
    st.text(min_size=0, max_size=20),
)
field_values = st.one_of(
    st.text(max_size=300),
    st.text(max_size=5000, alphabet=st.characters(codec="utf-8")),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "whatsapp:", "GB", "zz", "\x00"]),
)
forms = st.lists(st.tuples(field_names, field_values), max_size=25)


@pytest.fixture(scope="module")
def store() -> ListStore:
    return ListStore()


@pytest.fixture(autouse=True)
def services(store: ListStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        webhook, "_services", Services(Settings(twilio_auth_token=TOKEN), store=store)
    )


def _timed(event: dict[str, object], path: str) -> dict[str, object]:
    handler = webhook.whatsapp if path.endswith("whatsapp") else webhook.sms
    started = time.perf_counter()
    response = handler(event)
    assert time.perf_counter() - started < PER_REQUEST_SECONDS
    return response


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=forms, path=st.sampled_from(["/sms", "/whatsapp"]), b64=st.booleans())
def test_signed_arbitrary_forms_are_always_answered(
    pairs: list[tuple[str, str]], path: str, b64: bool
) -> None:
    url = f"https://{API_HOST}{path}"
    event = v2_event(
        path=path,
        body=urlencode(pairs),
        base64_body=b64,
        headers={"x-twilio-signature": sign(url, pairs)},
    )
    response = _timed(event, path)
    assert response["statusCode"] == 200, response
    assert str(response["body"]).startswith("<?xml")


@settings(max_examples=150, deadline=None)
@given(
    raw=st.one_of(st.binary(max_size=20_000), forms.map(lambda p: urlencode(p).encode())),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=ISO-8859-1",
            "application/json",
            "text/plain",
            "",
            "multipart/form-data; boundary=x",
        ]
    ),
    signature=st.one_of(st.just(""), st.text(max_size=40)),
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "OPTIONS", "post", ""]),
    path=st.sampled_from(["/sms", "/whatsapp"]),
    b64=st.booleans(),
)
def test_unsigned_arbitrary_requests_get_a_4xx(
    raw: bytes, content_type: str, signature: str, method: str, path: str, b64: bool
) -> None:
    # Plain bodies must be text (serverless-offline); arbitrary bytes travel percent-encoded.
    body: bytes | str = raw if b64 else quote_from_bytes(raw)
    event = v2_event(
        method=method,
        path=path,
        body=body,
        base64_body=b64,
        headers={"content-type": content_type, "x-twilio-signature": signature},
    )
    response = _timed(event, path)
    assert 400 <= int(str(response["statusCode"])) < 500, response


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=1600), media=st.integers(min_value=0, max_value=10))
def test_every_signed_message_is_counted_exactly_once(
    store: ListStore, text: str, media: int
) -> None:
    before = len(store.keys)
    form = sms_form(text, NumMedia=str(media))
    url = f"https://{API_HOST}/sms"
    event = v2_event(body=urlencode(form), headers={"x-twilio-signature": sign(url, form)})
    response = _timed(event, "/sms")
    assert response["statusCode"] == 200
    assert len(store.keys) == before + 1
    key = store.keys[-1]
    # Only known values ever reach a count, never the text.
    assert (key.channel, key.country) == ("sms", "GB")
    assert key.topic in (*TOPICS, OTHER_TOPIC)
    assert key.language in (*LANGUAGES, UNKNOWN_LANGUAGE)
