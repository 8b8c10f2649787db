"""The admin routes through Flask's test client, on a real SQLite count store."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adviceline.web.admin_app import create_admin_app
from adviceline.web.admin_headers import CONTENT_SECURITY_POLICY
from adviceline.web.app import create_app
from tests.admin_fixtures import (
    SECURITY_HEADERS,
    TOKEN,
    Seeded,
    audit,
    basic,
    bearer,
    open_sqlite,
    seed,
    settings_for,
    utc_today,
)

ROUTES = ("/admin", "/admin/api/counts", "/admin/counts.csv")
EVERY_PATH = (
    *ROUTES,
    "/admin/",
    "/admin/static/admin/admin.css",
    "/admin/static/admin/dashboard.js",
    "/admin/static/vendor/chart.umd.min.js",
    "/admin/no-such-page",
)


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Flask, Seeded]:
    settings = settings_for(tmp_path)
    store = open_sqlite(settings)
    facts = seed(store, utc_today())
    return create_admin_app(settings, store=store), facts


@pytest.fixture
def client(seeded: tuple[Flask, Seeded]) -> FlaskClient:
    return seeded[0].test_client()


@pytest.fixture
def facts(seeded: tuple[Flask, Seeded]) -> Seeded:
    return seeded[1]


def assert_secure(response: Any) -> None:
    """The security headers every admin response must carry."""
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert csp == CONTENT_SECURITY_POLICY
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


def days_ago(n: int) -> str:
    return (utc_today() - timedelta(days=n)).isoformat()


def text(client: FlaskClient, path: str) -> str:
    """The body of an authenticated GET."""
    return client.get(path, headers=basic()).get_data(as_text=True)


def chart_data(html: str) -> dict[str, Any]:
    """The JSON the dashboard hands to its script."""
    found = re.search(r'id="chart-data">(.*?)</script>', html, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# -- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_PATH)
def test_without_credentials_every_path_asks_for_them(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="')
    assert_secure(response)
    assert TOKEN not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", EVERY_PATH)
@pytest.mark.parametrize(
    "header",
    [
        basic("wrong-token"),
        bearer("wrong-token"),
        bearer(TOKEN + "x"),
        bearer(TOKEN[:-1]),
        basic("", user=TOKEN),  # the token as the user name is not the password
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": "Basic " + "bm8tY29sb24="},  # "no-colon"
        {"Authorization": "Digest " + TOKEN},
        {"Authorization": "Bearer"},
        {"Authorization": TOKEN},
    ],
    ids=lambda h: h["Authorization"][:14],
)
def test_a_wrong_token_is_refused(client: FlaskClient, path: str, header: dict[str, str]) -> None:
    response = client.get(path, headers=header)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert_secure(response)


def test_a_wrong_token_is_logged_without_the_token(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="adviceline.web.admin"):
        client.get("/admin", headers=bearer("guessed-" + TOKEN))
    assert "wrong token" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "header",
    [
        basic(),
        basic(user=""),
        basic(user="anyone at all"),
        bearer(),
        {"Authorization": "bearer " + TOKEN},
    ],
    ids=["basic", "basic-no-user", "basic-any-user", "bearer", "bearer-lowercase"],
)
def test_the_token_opens_every_route(
    client: FlaskClient, path: str, header: dict[str, str]
) -> None:
    response = client.get(path, headers=header)
    response.close()
    assert response.status_code == 200
    assert_secure(response)


@pytest.mark.parametrize("path", EVERY_PATH)
@pytest.mark.parametrize(
    "query",
    [
        f"token={TOKEN}",
        "access_token=abc",
        "api_key=abc",
        "Token=abc",
        f"from={TOKEN}",
        f"x={TOKEN}",
    ],
)
def test_a_token_in_the_query_string_is_refused_even_with_a_good_header(
    client: FlaskClient, path: str, query: str
) -> None:
    response = client.get(f"{path}?{query}", headers=basic())
    assert response.status_code == 400
    assert_secure(response)
    body = response.get_data(as_text=True)
    assert "address" in body
    assert TOKEN not in body


@pytest.mark.parametrize("path", EVERY_PATH)
def test_without_a_configured_token_admin_is_disabled_not_open(
    tmp_path: Path, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path, token=None)
    app = create_admin_app(settings, store=open_sqlite(settings))
    with caplog.at_level(logging.WARNING, logger="adviceline.web.admin"):
        for headers in ({}, basic(), bearer(""), basic("")):
            response = app.test_client().get(path, headers=headers)
            assert response.status_code == 503
            assert_secure(response)
    lines = [r.getMessage() for r in caplog.records if r.name == "adviceline.web.admin"]
    assert lines
    assert all("ADMIN_TOKEN" in line and "\n" not in line for line in lines)


PARAM = "/adviceline/admin-token"


class _FakeSSM:
    """A stand-in for boto3's SSM client: one SecureString, and a count of the reads."""

    def __init__(self, values: dict[str, str], *, fail: bool = False) -> None:
        self.values = values
        self.fail = fail
        self.calls = 0

    def get_parameter(self, *, Name: str, WithDecryption: bool) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        assert WithDecryption
        if self.fail:
            raise ConnectionError("ssm unreachable")
        return {"Parameter": {"Name": Name, "Value": self.values[Name]}}


def test_the_token_from_ssm_is_read_once_per_container(tmp_path: Path) -> None:
    from dataclasses import replace

    from adviceline.web.services import Services

    ssm = _FakeSSM({PARAM: "from-ssm-token"})
    settings = replace(settings_for(tmp_path, token=None), admin_token_param=PARAM)
    services = Services(settings, store=open_sqlite(settings), ssm_client_factory=lambda: ssm)
    client = create_admin_app(services=services).test_client()
    assert client.get("/admin").status_code == 401
    assert client.get("/admin", headers=bearer("from-ssm-token")).status_code == 200
    assert client.get("/admin/api/counts", headers=basic("from-ssm-token")).status_code == 200
    assert client.get("/admin", headers=bearer(TOKEN)).status_code == 401
    assert ssm.calls == 1


def test_an_ssm_outage_closes_the_door_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    from adviceline.web.services import Services

    ssm = _FakeSSM({}, fail=True)
    settings = replace(settings_for(tmp_path, token=None), admin_token_param=PARAM)
    services = Services(settings, store=open_sqlite(settings), ssm_client_factory=lambda: ssm)
    client = create_admin_app(services=services).test_client()
    with caplog.at_level(logging.ERROR, logger="adviceline.web.admin"):
        response = client.get("/admin/api/counts", headers=bearer("anything"))
    assert response.status_code == 503
    assert response.get_json()["status"] == 503
    assert_secure(response)
    assert "ADMIN_TOKEN_PARAM" in caplog.text


# -- headers on every response ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/admin", basic(), 200),
        ("GET", "/admin/api/counts", basic(), 200),
        ("GET", "/admin/counts.csv", basic(), 200),
        ("GET", "/admin/static/admin/admin.css", basic(), 200),
        ("GET", "/admin/static/vendor/chart.umd.min.js", basic(), 200),
        ("GET", "/admin?from=nonsense", basic(), 400),
        ("GET", "/admin/api/counts?by=nonsense", basic(), 400),
        ("GET", "/admin", {}, 401),
        ("GET", "/admin/no-such-page", basic(), 404),
        ("GET", "/admin/static/admin/no-such.css", basic(), 404),
        ("GET", "/admin/static/../admin.py", basic(), 404),
        ("POST", "/admin", basic(), 405),
        ("POST", "/admin/api/counts", basic(), 405),
    ],
)
def test_every_response_carries_the_security_headers(
    client: FlaskClient, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.open(path, method=method, headers=headers)
    response.close()  # a static file is streamed: close it like a server would
    assert response.status_code == status
    assert_secure(response)


def test_the_full_app_serves_admin_with_the_same_rules(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    store = open_sqlite(settings)
    seed(store, utc_today())
    client = create_app(settings, store=store).test_client()
    assert client.get("/admin").status_code == 401
    response = client.get("/admin", headers=basic())
    assert response.status_code == 200
    assert_secure(response)
    # Outside /admin the admin headers are not the admin's business (the webhooks answer TwiML).
    assert client.get("/").status_code == 404


# -- the dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_totals_charts_and_marks_suppressed_cells(
    client: FlaskClient, facts: Seeded
) -> None:
    response = client.get("/admin", headers=basic())
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    # The default period is the last 28 days, both ends included.
    assert f'value="{days_ago(27)}"' in html
    assert f'value="{days_ago(0)}"' in html
    total = re.search(r'id="total-messages">([^<]+)<', html)
    assert total
    assert int(total.group(1).replace(",", "")) == facts.last28_total
    # Small cells (IE: 2, FR: 1) are shown as suppressed, with the explanation.
    assert 'id="suppression-note"' in html
    countries = html[html.index('id="breakdown-country"') :]
    countries = countries[: countries.index("</section>")]
    for country in ("Ireland", "France"):
        row = countries[countries.index(country) :]
        row = row[: row.index("</tr>")]
        assert ">suppressed<" in row
    assert "Nothing yet" not in html
    # Chart data travels as JSON for the page's own script; nothing inline runs.
    data = chart_data(html)
    assert len(data["per_day"]["values"]) == 28
    assert None in data["country"]["values"]
    page = audit(html)
    assert page.inline_scripts == 0
    assert page.json_scripts == 1
    assert page.style_elements == page.style_attributes == page.event_handlers == 0
    assert page.script_srcs == [
        "/admin/static/vendor/chart.umd.min.js",
        "/admin/static/admin/dashboard.js",
    ]


def test_dashboard_follows_the_chosen_period(client: FlaskClient, facts: Seeded) -> None:
    html = text(client, f"/admin?from={days_ago(6)}&to={days_ago(0)}")
    total = re.search(r'id="total-messages">([^<]+)<', html)
    assert total
    assert int(total.group(1).replace(",", "")) == facts.last7_total
    assert 'aria-current="page">Last 7 days' in html


def test_dashboard_says_nothing_yet_for_an_empty_period(client: FlaskClient) -> None:
    html = text(client, "/admin?from=2021-01-01&to=2021-01-31")
    assert "Nothing yet" in html
    assert "No messages were counted between 1 January 2021 and 31 January 2021" in html
    assert "<canvas" not in html


def test_dashboard_on_an_empty_store(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    client = create_admin_app(settings, store=open_sqlite(settings)).test_client()
    response = client.get("/admin", headers=bearer())
    assert response.status_code == 200
    assert "Nothing yet" in response.get_data(as_text=True)


def test_the_chart_library_is_served_by_the_app(client: FlaskClient) -> None:
    response = client.get("/admin/static/vendor/chart.umd.min.js", headers=basic())
    head = response.data[:300]
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert b"Chart.js v4.5.1" in head


# -- JSON and CSV --------------------------------------------------------------------------------


def test_json_counts_mark_suppressed_cells_as_null(client: FlaskClient) -> None:
    response = client.get(f"/admin/api/counts?from={days_ago(27)}&by=country", headers=basic())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    rows = response.get_json()
    assert all(set(row) == {"country", "n"} for row in rows)
    by_country = {row["country"]: row["n"] for row in rows}
    assert by_country["IE"] is None
    assert by_country["FR"] is None
    assert by_country["GB"] > 10
    assert by_country["US"] > 10


def test_json_counts_default_to_every_dimension_and_the_last_28_days(client: FlaskClient) -> None:
    rows = client.get("/admin/api/counts", headers=bearer()).get_json()
    assert rows
    for row in rows:
        assert set(row) == {"day", "channel", "country", "language", "topic", "n"}
        assert days_ago(27) <= row["day"] <= days_ago(0)
        assert row["n"] is None or (isinstance(row["n"], int) and row["n"] >= 10)


def test_by_may_be_repeated_or_comma_separated(client: FlaskClient) -> None:
    one = client.get("/admin/api/counts?by=topic,channel", headers=basic()).get_json()
    two = client.get("/admin/api/counts?by=channel&by=topic", headers=basic()).get_json()
    assert one == two
    assert set(one[0]) == {"channel", "topic", "n"}


@pytest.mark.parametrize(
    "by", ["topic", "country", "day,channel", "day,channel,country,language,topic"]
)
def test_json_and_csv_are_what_the_cli_prints(
    client: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    by: str,
) -> None:
    from adviceline.cli import main

    monkeypatch.setenv("COUNTS_BACKEND", "sqlite")
    monkeypatch.setenv("COUNTS_DB", str(tmp_path / "counts.sqlite3"))
    monkeypatch.delenv("SUPPRESS_BELOW", raising=False)
    period = ["--from", days_ago(20), "--to", days_ago(1), "--by", by]
    query = f"from={days_ago(20)}&to={days_ago(1)}&by={by}"
    capsys.readouterr()
    assert main(["counts", "--json", *period]) == 0
    cli_json = json.loads(capsys.readouterr().out)
    assert main(["counts", "--csv", *period]) == 0
    cli_csv = capsys.readouterr().out
    assert client.get(f"/admin/api/counts?{query}", headers=basic()).get_json() == cli_json
    assert text(client, f"/admin/counts.csv?{query}") == cli_csv


def test_csv_has_a_header_typed_values_and_empty_suppressed_cells(client: FlaskClient) -> None:
    response = client.get(
        f"/admin/counts.csv?from={days_ago(13)}&to={days_ago(0)}&by=day,country", headers=basic()
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="adviceline-counts_{days_ago(13)}_{days_ago(0)}_by-day-country.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["day", "country", "n"]
    seen_suppressed = False
    for day, country, n in rows[1:]:
        assert days_ago(13) <= date.fromisoformat(day).isoformat() <= days_ago(0)
        assert re.fullmatch(r"[A-Z]{2}", country)
        if n == "":
            seen_suppressed = True
        else:
            assert int(n) >= 10
    assert seen_suppressed
    assert ("IE" in {r[1] for r in rows[1:]}) and all(r[2] == "" for r in rows[1:] if r[1] == "IE")


def test_json_csv_and_dashboard_agree(client: FlaskClient) -> None:
    query = f"from={days_ago(27)}&to={days_ago(0)}&by=topic"
    rows = client.get(f"/admin/api/counts?{query}", headers=basic()).get_json()
    csv_rows = list(csv.DictReader(io.StringIO(text(client, f"/admin/counts.csv?{query}"))))
    assert [(r["topic"], "" if r["n"] is None else str(r["n"])) for r in rows] == [
        (r["topic"], r["n"]) for r in csv_rows
    ]
    html = text(client, f"/admin?from={days_ago(27)}&to={days_ago(0)}")
    data = chart_data(html)
    assert dict(zip(data["topic"]["codes"], data["topic"]["values"], strict=True)) == {
        r["topic"]: r["n"] for r in rows
    }


# -- bad input -----------------------------------------------------------------------------------

BAD_QUERIES = [
    ("from=2024-13-01", "from must be a date"),
    ("from=yesterday", "from must be a date"),
    ("to=2024-02-30", "to must be a date"),
    (f"from={days_ago(0)}&to={days_ago(5)}", "from must not be after to"),
    (f"from={days_ago(400)}&to={days_ago(0)}", "at most 366 days"),
    ("from=2999-01-01&to=2999-01-02", "must be between"),
    ("from=<script>alert(1)</script>", "from must be a date"),
]
BAD_BY = [("by=day,colour", "by must be"), ("by=<script>alert(1)</script>", "by must be")]


@pytest.mark.parametrize(("query", "message"), BAD_QUERIES + BAD_BY)
def test_bad_parameters_get_a_json_400(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/admin/api/counts?{query}", headers=basic())
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert message in response.get_json()["error"]
    assert "<script>" not in response.get_data(as_text=True)
    assert_secure(response)


@pytest.mark.parametrize(("query", "message"), BAD_QUERIES + BAD_BY)
def test_bad_parameters_get_a_text_400_for_csv(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get(f"/admin/counts.csv?{query}", headers=basic())
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers
    assert_secure(response)


@pytest.mark.parametrize(("query", "message"), BAD_QUERIES)
def test_bad_parameters_get_an_html_400_for_the_dashboard(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get(f"/admin?{query}", headers=basic())
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert message in html
    assert "<script>alert" not in html
    assert audit(html).inline_scripts == 0
    assert_secure(response)


def test_nothing_echoes_markup_from_the_query(client: FlaskClient) -> None:
    evil = "%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    for path in (f"/admin?from=2024-01-01&to=2024-01-02&x={evil}", f"/admin/{evil}"):
        html = client.get(path, headers=basic()).get_data(as_text=True)
        assert "<script>alert" not in html
        assert audit(html).inline_scripts == 0


def test_the_chart_library_is_found_in_the_package_first(
    client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adviceline.web import admin_assets

    packaged = tmp_path / "vendor" / "chart.umd.min.js"
    packaged.parent.mkdir()
    packaged.write_text("/*! packaged copy */\n", encoding="utf-8")
    monkeypatch.setattr(
        admin_assets, "CHART_JS_CANDIDATES", (packaged, tmp_path / "node_modules" / "missing.js")
    )
    response = client.get("/admin/static/vendor/chart.umd.min.js", headers=basic())
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200
    assert body == "/*! packaged copy */\n"


def test_a_missing_chart_library_is_a_404_and_a_log_line_but_the_page_still_works(
    client: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from adviceline.web import admin_assets

    monkeypatch.setattr(admin_assets, "CHART_JS_CANDIDATES", (tmp_path / "nowhere.js",))
    with caplog.at_level(logging.ERROR, logger="adviceline.web.admin"):
        response = client.get("/admin/static/vendor/chart.umd.min.js", headers=basic())
    assert response.status_code == 404
    assert_secure(response)
    assert "npm ci" in caplog.text
    # The tables carry every figure, so the dashboard itself still answers.
    assert client.get("/admin", headers=basic()).status_code == 200


def test_a_suppressed_day_is_marked_and_left_blank_in_the_chart(tmp_path: Path) -> None:
    from adviceline.counts import CountKey

    settings = settings_for(tmp_path)
    store = open_sqlite(settings)
    today = utc_today()
    for back, n in ((0, 40), (1, 3), (2, 35), (3, 50)):
        store.add(CountKey.clean(today - timedelta(days=back), "sms", "GB", "en", "blackmail"), n)
    client = create_admin_app(settings, store=store).test_client()
    html = text(client, f"/admin?from={days_ago(3)}&to={days_ago(0)}")
    series = chart_data(html)["per_day"]
    per_day = dict(zip(series["codes"], series["values"], strict=True))
    # The day with 3 is hidden, and so is one more, or the total would give it away.
    assert per_day[days_ago(1)] is None
    assert sum(v is None for v in per_day.values()) == 2
    assert "2 days are suppressed and left blank in the chart." in html
    total = re.search(r'id="total-messages">([^<]+)<', html)
    assert total
    assert total.group(1) == "128"


def test_a_period_with_only_a_few_messages_explains_itself_and_draws_no_chart(
    tmp_path: Path,
) -> None:
    from adviceline.counts import CountKey

    settings = settings_for(tmp_path)
    store = open_sqlite(settings)
    store.add(CountKey.clean(utc_today(), "sms", "GB", "en", "blackmail"), 2)
    store.add(CountKey.clean(utc_today(), "whatsapp", "FR", "fr", "paid"), 1)
    client = create_admin_app(settings, store=store).test_client()
    html = text(client, "/admin")
    assert "Too few messages to show" in html
    assert "Nothing yet" not in html
    assert "<canvas" not in html
    assert html.count(">suppressed<") >= 7  # total, 2 channels, topics, countries, languages...
    # Neither the small counts nor their sum reach the page's data.
    values = [v for series in chart_data(html).values() for v in series["values"]]
    assert not {1, 2, 3} & set(values)
    assert 'id="total-messages"><span class="sup"' in html


class _BrokenStore:
    """A count store whose backend is down."""

    def add(self, key: object, n: int = 1) -> None:
        raise AssertionError("the admin routes never write")

    def rows(self, start: date, end: date) -> list[Any]:
        from adviceline.counts.errors import CountStoreError

        raise CountStoreError("could not query the counts table (ServiceUnavailable)")

    def init(self) -> None:
        pass


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/admin", "text/html"),
        ("/admin/api/counts", "application/json"),
        ("/admin/counts.csv", "text/plain"),
    ],
)
def test_a_store_that_is_down_is_a_503_with_a_log_line(
    tmp_path: Path, path: str, mimetype: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_admin_app(settings_for(tmp_path), store=_BrokenStore())
    with caplog.at_level(logging.ERROR, logger="adviceline.web.admin"):
        response = app.test_client().get(path, headers=basic())
    assert response.status_code == 503
    assert response.mimetype == mimetype
    assert "cannot be read" in response.get_data(as_text=True)
    assert_secure(response)
    assert "ServiceUnavailable" in caplog.text
