"""End to end: serverless-offline runs the handlers of serverless.yml, dynalite behind them."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest

from adviceline.config import Settings
from adviceline.counts.factory import open_store
from adviceline.web.cli import twiml_text
from tests.serverless_fixtures import ROOT, Packaged, packaged, start_offline
from tests.servers import LocalServer, child_env
from tests.webhook_fixtures import TOKEN, UK_SENDER, sign, sms_form, whatsapp_form

pytestmark = pytest.mark.slow
__all__ = ["packaged"]  # the session fixture, imported so pytest sees it

TABLE = "adviceline-counts-dev"  # what serverless.yml names the table on stage dev
SECRET_TEXT = "he wants money from me zq7"


@pytest.fixture(scope="module")
def offline(
    dynalite: LocalServer, packaged: Packaged, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    env = child_env(dynalite)
    env = {k: v for k, v in env.items() if not k.startswith(("TWILIO_", "COUNTS_"))}
    env["TWILIO_AUTH_TOKEN"] = TOKEN
    # serverless-offline runs the zips serverless.yml names: the ones this session just built.
    env["ADVICELINE_BUILD_DIR"] = str(packaged.build)
    store = open_store(
        Settings(counts_backend="dynamodb", counts_table=TABLE), dynamodb_client=_client(dynalite)
    )
    store.init()
    server = start_offline(env, tmp_path_factory.mktemp("offline"))
    try:
        yield server
    finally:
        server.stop()


def _client(dynalite: LocalServer) -> object:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=dynalite.url,
        region_name="eu-west-2",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _counts(dynalite: LocalServer) -> list[tuple[str, str, str, str, int]]:
    store = open_store(
        Settings(counts_backend="dynamodb", counts_table=TABLE), dynamodb_client=_client(dynalite)
    )
    rows = store.rows(date(2000, 1, 1), date(2100, 1, 1))
    return sorted((k.channel, k.country, k.language, k.topic, n) for k, n in rows)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def _signed(url: str, form: dict[str, str], token: str = TOKEN) -> tuple[int, str, str]:
    return _post(
        url,
        urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, form, token),
        },
    )


def test_signed_sms_and_whatsapp_are_answered_and_counted(
    offline: LocalServer, dynalite: LocalServer
) -> None:
    before = _counts(dynalite)
    status, ctype, body = _signed(f"{offline.url}/sms", sms_form(SECRET_TEXT))
    assert (status, ctype.split(";")[0]) == (200, "application/xml"), body
    assert "pay" in twiml_text(body).lower()
    status, ctype, body = _signed(f"{offline.url}/whatsapp", whatsapp_form("hello"))
    assert (status, ctype.split(";")[0]) == (200, "application/xml"), body
    assert "BLACKMAIL" in twiml_text(body)

    # Forged, unsigned and tampered: refused, nothing counted.
    url = f"{offline.url}/sms"
    assert _signed(url, sms_form(), token="not-the-token")[0] == 403
    assert (
        _post(
            url,
            urlencode(sms_form()).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )[0]
        == 403
    )
    signature = sign(url, sms_form("hello"))
    tampered = _post(
        url,
        urlencode(sms_form("I paid")).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    assert tampered[0] == 403
    json_body = _post(
        url,
        b'{"Body": "hi"}',
        {"Content-Type": "application/json", "X-Twilio-Signature": signature},
    )
    assert json_body[0] == 403

    added = [row for row in _counts(dynalite) if row not in before]
    assert added == [("sms", "GB", "en", "blackmail", 1), ("whatsapp", "GB", "en", "menu", 1)]


def test_adviceline_send_reaches_serverless_offline(offline: LocalServer, tmp_path: Path) -> None:
    env = {"TWILIO_AUTH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "adviceline",
            "send",
            "--url",
            f"{offline.url}/sms",
            "--from",
            "+33612345678",
            "il veut de l'argent",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()


def test_offline_logs_hold_no_personal_data(offline: LocalServer) -> None:
    _signed(f"{offline.url}/sms", sms_form(SECRET_TEXT))
    log = offline.log.read_text(errors="replace")
    assert "POST /sms" in log
    for secret in (SECRET_TEXT, UK_SENDER, UK_SENDER.lstrip("+"), "Sam Example"):
        assert secret not in log
