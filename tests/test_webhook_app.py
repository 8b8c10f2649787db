"""The local line: the Flask app's webhooks, and `adviceline serve` + `adviceline send` for real."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adviceline.config import Settings
from adviceline.web.app import create_app
from adviceline.web.cli import send_params, twiml_text
from adviceline.web.services import Services, get_services
from tests.webhook_fixtures import TOKEN, ListStore, sign, sms_form, whatsapp_form

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store() -> ListStore:
    return ListStore()


@pytest.fixture
def app(store: ListStore) -> Flask:
    return create_app(Settings(twilio_auth_token=TOKEN), store=store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def post(client: FlaskClient, path: str, form: dict[str, str], signature: str | None) -> object:
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return client.post(
        path,
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def test_sms_and_whatsapp_through_the_same_core(client: FlaskClient, store: ListStore) -> None:
    sms = sms_form("he wants money")
    response = post(client, "/sms", sms, sign("http://localhost/sms", sms))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.content_type == "application/xml"  # type: ignore[attr-defined]
    assert "pay" in twiml_text(response.get_data(as_text=True)).lower()  # type: ignore[attr-defined]
    wa = whatsapp_form("hello")
    response = post(client, "/whatsapp", wa, sign("http://localhost/whatsapp", wa))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert [(k.channel, k.topic) for k in store.keys] == [
        ("sms", "blackmail"),
        ("whatsapp", "menu"),
    ]


def test_query_string_and_forgeries(client: FlaskClient, store: ListStore) -> None:
    form = sms_form()
    ok = post(client, "/sms?x=1&y=%2F", form, sign("http://localhost/sms?x=1&y=%2F", form))
    assert ok.status_code == 200  # type: ignore[attr-defined]
    assert post(client, "/sms", form, None).status_code == 403  # type: ignore[attr-defined]
    forged = sign("http://localhost/sms", form, "not-the-token")
    assert post(client, "/sms", form, forged).status_code == 403  # type: ignore[attr-defined]
    assert len(store.keys) == 1


def test_other_methods_and_paths_are_4xx(client: FlaskClient) -> None:
    assert client.get("/sms").status_code == 405
    assert client.post("/nowhere").status_code == 404


def test_services_are_shared_with_the_admin_blueprint(app: Flask, store: ListStore) -> None:
    services = get_services(app)
    assert isinstance(services, Services)
    assert services.store is store
    assert "admin" in app.blueprints
    assert app.test_client().get("/admin").status_code != 404


def test_send_params_are_twilio_shaped() -> None:
    sms = send_params("sms", "+447700900123", "hi")
    assert sms["From"] == "+447700900123" and sms["FromCountry"] == "GB"
    assert re.fullmatch(r"SM[0-9a-f]{32}", sms["MessageSid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", sms["AccountSid"])
    wa = send_params("whatsapp", "+447700900123", "hi")
    assert wa["From"] == "whatsapp:+447700900123" and wa["WaId"] == "447700900123"
    assert wa["To"].startswith("whatsapp:+") and "ProfileName" in wa and "FromCountry" not in wa


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """`adviceline serve` in a fresh directory, on a free loopback port; stopped afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "COUNTS_"))}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "adviceline", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner: list[str] = []
    try:
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            banner.append(line)
            if line.startswith("Stop with Ctrl-C"):
                break
        _wait_for_port(port, deadline)
        yield f"http://127.0.0.1:{port}", tmp_path, "".join(banner)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("server did not start")


def send(
    cwd: Path, url: str, text: str, *extra: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env["PYTHONPATH"] = str(ROOT)
    if token is not None:
        env["TWILIO_AUTH_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "adviceline", "send", "--url", url, *extra, text],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_serve_and_send_for_real(served: tuple[str, Path, str]) -> None:
    base, cwd, banner = served
    token_file = cwd / "var" / "twilio-auth-token"
    token = token_file.read_text(encoding="utf-8").strip()
    assert token in banner and "/admin" in banner and "adviceline send --url" in banner
    assert token_file.stat().st_mode & 0o077 == 0

    sms = send(cwd, f"{base}/sms", "he wants money")
    assert sms.returncode == 0, sms.stderr
    assert "pay" in sms.stdout.lower()
    wa = send(cwd, f"{base}/whatsapp", "hello", "--from", "+33612345678")
    assert wa.returncode == 0, wa.stderr
    forged = send(cwd, f"{base}/sms", "he wants money", token="not-the-token")
    assert forged.returncode == 1 and "HTTP 403" in forged.stderr

    from adviceline.counts.sqlite import SqliteCountStore

    rows = SqliteCountStore(cwd / "var" / "counts.sqlite3").rows(date(2000, 1, 1), date(2100, 1, 1))
    assert sorted((k.channel, k.country, k.topic, n) for k, n in rows) == [
        ("sms", "GB", "blackmail", 1),
        ("whatsapp", "FR", "menu", 1),
    ]
