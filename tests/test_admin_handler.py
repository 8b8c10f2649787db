"""The admin Lambda entry point: HTTP API payload v2 events through apig-wsgi into the blueprint."""

from __future__ import annotations

import base64
import csv
import importlib
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.admin_fixtures import TOKEN, basic, bearer, open_sqlite, seed, settings_for, utc_today

HOST = "abc123.execute-api.eu-west-2.amazonaws.com"


def make_v2_event(
    *, path: str = "/admin", query: str = "", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A GET as API Gateway's HTTP API ($default stage) hands it to Lambda."""
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "host": HOST,
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "user-agent": "test",
            **{k.lower(): v for k, v in (headers or {}).items()},
        },
        "requestContext": {
            "domainName": HOST,
            "stage": "$default",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.10",
                "userAgent": "test",
            },
        },
        "isBase64Encoded": False,
    }


@pytest.fixture
def handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    settings = settings_for(tmp_path)
    seed(open_sqlite(settings), utc_today())
    for name in ("ADMIN_TOKEN_PARAM", "SUPPRESS_BELOW", "COUNTS_TABLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    monkeypatch.setenv("COUNTS_BACKEND", "sqlite")
    monkeypatch.setenv("COUNTS_DB", str(settings.counts_db))
    module: ModuleType
    if "handlers.admin" in sys.modules:
        module = importlib.reload(sys.modules["handlers.admin"])
    else:
        module = importlib.import_module("handlers.admin")
    fn: Callable[..., dict[str, Any]] = module.handler
    return fn


def body_text(response: dict[str, Any]) -> str:
    body: str = response["body"]
    return base64.b64decode(body).decode() if response["isBase64Encoded"] else body


def test_the_dashboard_through_the_lambda_handler(handler: Callable[..., dict[str, Any]]) -> None:
    response = handler(make_v2_event(headers=basic()), None)
    assert response["statusCode"] == 200
    headers = response["headers"]
    assert headers["content-type"].startswith("text/html")
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["cache-control"] == "no-store"
    assert "Messages per day" in body_text(response)


def test_no_token_is_401_and_a_token_in_the_query_is_400(
    handler: Callable[..., dict[str, Any]],
) -> None:
    refused = handler(make_v2_event(), None)
    assert refused["statusCode"] == 401
    assert refused["headers"]["www-authenticate"].startswith("Basic")
    in_url = handler(make_v2_event(query=f"token={TOKEN}", headers=bearer()), None)
    assert in_url["statusCode"] == 400
    assert in_url["headers"]["x-frame-options"] == "DENY"


def test_json_csv_and_the_chart_library_through_the_handler(
    handler: Callable[..., dict[str, Any]],
) -> None:
    api = handler(
        make_v2_event(path="/admin/api/counts", query="by=country", headers=bearer()), None
    )
    assert api["statusCode"] == 200
    rows = json.loads(body_text(api))
    assert {row["country"] for row in rows} >= {"GB", "IE"}
    assert next(row["n"] for row in rows if row["country"] == "IE") is None

    download = handler(
        make_v2_event(path="/admin/counts.csv", query="by=topic", headers=basic()), None
    )
    assert download["statusCode"] == 200
    assert download["headers"]["content-disposition"].startswith("attachment; filename=")
    assert next(csv.reader(io.StringIO(body_text(download)))) == ["topic", "n"]

    chart = handler(
        make_v2_event(path="/admin/static/vendor/chart.umd.min.js", headers=bearer()), None
    )
    assert chart["statusCode"] == 200
    assert chart["headers"]["content-type"].startswith("text/javascript")
    assert "Chart.js v4.5.1" in body_text(chart)[:300]
