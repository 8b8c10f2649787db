"""`adviceline serve` (the local line) and `adviceline send` (a signed Twilio-shaped request)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = [
    "LOCAL_ADMIN_TOKEN_FILE",
    "LOCAL_TOKEN_FILE",
    "local_auth_token",
    "register",
    "send_params",
    "twiml_text",
]

# Where `serve` keeps the auth token it generates when TWILIO_AUTH_TOKEN is unset, so that
# `send` signs with the same one. Local only: on AWS the token comes from SSM.
LOCAL_TOKEN_FILE = Path("var") / "twilio-auth-token"
# Likewise the dashboard's password when ADMIN_TOKEN is unset: a local line gets a dashboard
# that is locked with a generated token, never one that is open.
LOCAL_ADMIN_TOKEN_FILE = Path("var") / "admin-token"

# Fictional numbers: UK drama range and Twilio's test "To" numbers; never a real person's.
DEFAULT_FROM = "+447700900123"
SMS_TO = "+15005550006"
WHATSAPP_TO = "+14155238886"


def register(verbs: Any) -> None:
    """Add `serve` and `send` to the CLI's sub-parsers."""
    serve = verbs.add_parser("serve", help="run the line locally (SQLite counts)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(func=_serve)

    send = verbs.add_parser("send", help="send a signed Twilio-shaped message to a webhook URL")
    send.add_argument("--channel", choices=("sms", "whatsapp"), help="default: from the URL")
    send.add_argument("--from", dest="sender", default=DEFAULT_FROM, metavar="E164")
    send.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8080/sms")
    send.add_argument("text", metavar="TEXT")
    send.set_defaults(func=_send)


def local_auth_token(path: Path = LOCAL_TOKEN_FILE, *, create: bool) -> str | None:
    """The locally generated auth token; with `create`, made (and kept, owner-only) if missing."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip() or None
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    return token


def _serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from adviceline.config import ConfigError, Settings
    from adviceline.web.app import create_app
    from adviceline.web.services import Services

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"adviceline: {exc}", file=sys.stderr)
        return 2
    token_note = "TWILIO_AUTH_TOKEN from the environment"  # noqa: S105 - a label, not a secret
    if not (settings.twilio_auth_token or settings.twilio_auth_token_param):
        token = local_auth_token(create=True)
        settings = replace(settings, twilio_auth_token=token)
        token_note = (
            f"local auth token {token} (kept in {LOCAL_TOKEN_FILE}; `adviceline send` signs "
            f"with it, and unsigned requests get 403)"
        )
    dashboard_note = "(any user name, ADMIN_TOKEN as the password)"
    if not (settings.admin_token or settings.admin_token_param):
        admin_token = local_auth_token(LOCAL_ADMIN_TOKEN_FILE, create=True)
        settings = replace(settings, admin_token=admin_token)
        dashboard_note = (
            f"(any user name, password {admin_token}; kept in {LOCAL_ADMIN_TOKEN_FILE})"
        )
    services = Services(settings)
    services.store.init()
    base = f"http://{_url_host(args.host)}:{args.port}"
    print(
        f"The advice line is listening on {base}\n"
        f"  webhooks:  POST {base}/sms   POST {base}/whatsapp\n"
        f"  signature: {token_note}\n"
        f"  counts:    {_where_counts(settings)}\n"
        f"  dashboard: {base}/admin {dashboard_note}\n"
        f"Try it from another terminal:\n"
        f'  {_self_command()} send --url {base}/sms "he wants money"\n'
        f"  {_self_command()} send --url {base}/whatsapp --from +33612345678 "
        f'"il veut de l\'argent"\n'
        f"Stop with Ctrl-C.",
        flush=True,
    )
    app = create_app(services=services)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


def _self_command() -> str:
    """How to run this CLI again from the same directory (the venv need not be active)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "adviceline" and argv0.exists():
        return os.path.relpath(argv0)
    return "adviceline"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _where_counts(settings: Any) -> str:
    if settings.counts_backend == "dynamodb":
        return f"DynamoDB table {settings.counts_table}"
    return f"SQLite {settings.counts_db}"


def send_params(channel: str, sender: str, text: str) -> dict[str, str]:
    """The form Twilio posts for one inbound message (no media), with made-up ids."""
    from adviceline.countries import sender_country
    from adviceline.topics import UNKNOWN_COUNTRY

    sid = "SM" + secrets.token_hex(16)
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + secrets.token_hex(16),
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }
    if channel == "whatsapp":
        params |= {
            "From": f"whatsapp:{sender}",
            "To": f"whatsapp:{WHATSAPP_TO}",
            "WaId": sender.lstrip("+"),
            "ProfileName": "Test",
            "SmsStatus": "received",
        }
    else:
        params |= {"From": sender, "To": SMS_TO, "SmsStatus": "received"}
        country = sender_country(sender, None)
        if country != UNKNOWN_COUNTRY:
            params["FromCountry"] = country
    return params


def twiml_text(document: str) -> str:
    """The text of every <Message> in a TwiML document, one per line."""
    import xml.etree.ElementTree as ET

    # The document is the webhook's answer; expat refuses entity expansion bombs.
    root = ET.fromstring(document)  # noqa: S314
    texts = []
    for message in root.iter("Message"):
        body = message.find("Body")
        texts.append("".join((body if body is not None else message).itertext()).strip())
    return "\n".join(texts)


def _send(args: argparse.Namespace) -> int:
    from twilio.request_validator import RequestValidator

    url = args.url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        print("adviceline: --url must be an http(s) URL", file=sys.stderr)
        return 2
    token = os.environ.get("TWILIO_AUTH_TOKEN", "").strip() or local_auth_token(create=False)
    if not token:
        print(
            f"adviceline: set TWILIO_AUTH_TOKEN (or run `adviceline serve` once to create "
            f"{LOCAL_TOKEN_FILE})",
            file=sys.stderr,
        )
        return 2
    channel = args.channel or ("whatsapp" if parts.path.rstrip("/").endswith("whatsapp") else "sms")
    params = send_params(channel, args.sender, args.text)
    signature = RequestValidator(token).compute_signature(url, params)
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=urlencode(params).encode("utf-8"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            "User-Agent": "TwilioProxy/1.1",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            document = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        print(f"adviceline: HTTP {exc.code} from {url}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, TimeoutError) as exc:
        print(f"adviceline: cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    try:
        print(twiml_text(document))
    except Exception:  # noqa: BLE001 - any non-TwiML answer is reported, not raised
        print(f"adviceline: the answer from {url} is not TwiML", file=sys.stderr)
        return 1
    return 0
