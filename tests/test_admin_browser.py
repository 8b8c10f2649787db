"""The dashboard in a real browser: Debian's chromium, headless, against `adviceline serve`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.admin_fixtures import TOKEN, Seeded, open_sqlite, seed, settings_for, utc_today

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
# Flags that work in containers without a GPU, a sandbox or a network beyond loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Collects what the page reports: CSP violations (also printed to the console, but this is exact).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def chromium_executable() -> str:
    """Debian's chromium, or $CHROMIUM; the test fails (never skips) without it."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(candidate).is_file():
        pytest.fail(
            "chromium is not installed: run `make browser` (scripts/ensure_chromium.sh, needs root "
            "and apt-get) or set CHROMIUM=/path/to/chromium",
            pytrace=False,
        )
    return candidate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    facts: Seeded
    log: Path


@dataclass
class Watch:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on(
            "console",
            lambda m: self.errors.append(f"console {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.errors.append(f"pageerror {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"requestfailed {r.url}"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("admin-browser")
    settings = settings_for(tmp)
    facts = seed(open_sqlite(settings), utc_today())
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ADMIN_TOKEN", "TWILIO_", "COUNTS_", "SUPPRESS_"))
    }
    env |= {
        "ADMIN_TOKEN": TOKEN,
        # Set so that serve does not write a generated token into the working directory.
        "TWILIO_AUTH_TOKEN": "browser-test-twilio-token",
        "COUNTS_BACKEND": "sqlite",
        "COUNTS_DB": str(settings.counts_db),
        "SUPPRESS_BELOW": "10",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "adviceline",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                pytest.fail(f"adviceline serve exited:\n{log.read_text()}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"adviceline serve did not listen:\n{log.read_text()}")
                time.sleep(0.05)
        yield Server(f"http://127.0.0.1:{port}", facts, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_context(browser: Browser, **kwargs: Any) -> BrowserContext:
    context = browser.new_context(**kwargs)
    context.add_init_script(WATCH_CSP)
    return context


def days_ago(n: int) -> str:
    return (utc_today() - timedelta(days=n)).isoformat()


def chart_values(page: Page, key: str) -> list[int | None]:
    values: list[int | None] = page.evaluate(
        "(id) => Chart.getChart(document.getElementById(id)).data.datasets[0].data",
        f"chart-{key}",
    )
    return values


def painted_pixels(page: Page, key: str) -> int:
    """How many pixels of the chart's canvas are not transparent."""
    count: int = page.evaluate(
        """(id) => {
            const c = document.getElementById(id);
            const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
            return n;
        }""",
        f"chart-{key}",
    )
    return count


def total_shown(page: Page) -> int:
    return int(page.inner_text("#total-messages").replace(",", "").strip())


def test_without_the_token_the_page_is_401(browser: Browser, server: Server) -> None:
    context = new_context(browser)
    page = context.new_page()
    # Headless chromium has no one to type a password into the Basic prompt, so it abandons the
    # challenged navigation with this error; a desktop browser shows its sign-in dialog instead.
    with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
        page.goto(f"{server.base}/admin")
    # The same request through the context's HTTP client shows the answer itself.
    response = context.request.get(f"{server.base}/admin")
    assert response.status == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.headers["cache-control"] == "no-store"
    assert "Sign in" in response.text()
    context.close()


def test_the_wrong_token_is_401(browser: Browser, server: Server) -> None:
    context = new_context(browser, http_credentials={"username": "admin", "password": "nope"})
    response = context.new_page().goto(f"{server.base}/admin")
    assert response is not None
    assert response.status == 401
    context.close()


def test_dashboard_renders_charts_without_errors_and_follows_the_date_picker(
    browser: Browser, server: Server
) -> None:
    context = new_context(
        browser,
        http_credentials={"username": "admin", "password": TOKEN},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    response = page.goto(f"{server.base}/admin")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.wait_for_selector('#chart-per_day[data-rendered="true"]')
    page.wait_for_selector('#chart-channel[data-rendered="true"]')

    # The default period: 28 days, with data in the chart and paint on the canvas.
    per_day = chart_values(page, "per_day")
    assert len(per_day) == 28
    assert sum(v or 0 for v in per_day) > 0
    assert total_shown(page) == server.facts.last28_total
    for key in ("per_day", "topic", "country", "language", "channel"):
        assert painted_pixels(page, key) > 500, key
    # Suppressed cells are marked in the table and left empty in the chart.
    assert page.locator("#breakdown-country .sup").count() >= 2
    assert None in chart_values(page, "country")
    assert page.locator("#suppression-note").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)

    # A shorter period through the date picker changes the figures and the chart.
    page.fill("#from", days_ago(6))
    page.fill("#to", days_ago(0))
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector('#chart-per_day[data-rendered="true"]')
    assert f"from={days_ago(6)}" in page.url
    assert total_shown(page) == server.facts.last7_total
    assert total_shown(page) != server.facts.last28_total
    assert len(chart_values(page, "per_day")) == 7
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard-7-days.png"), full_page=True)

    assert page.evaluate("window.__cspViolations") == []
    assert watch.errors == []
    context.close()


def test_dashboard_reads_well_on_a_phone_with_a_bearer_token(
    browser: Browser, server: Server
) -> None:
    context = new_context(
        browser,
        extra_http_headers={"Authorization": f"Bearer {TOKEN}"},
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    response = page.goto(f"{server.base}/admin")
    assert response is not None
    assert response.status == 200
    page.wait_for_selector('#chart-topic[data-rendered="true"]')
    # Nothing wider than the screen: no sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert painted_pixels(page, "per_day") > 500
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard-phone.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == []
    assert watch.errors == []
    context.close()


def test_an_empty_period_says_nothing_yet(browser: Browser, server: Server) -> None:
    context = new_context(browser, http_credentials={"username": "", "password": TOKEN})
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    response = page.goto(f"{server.base}/admin?from=2021-01-01&to=2021-01-28")
    assert response is not None
    assert response.status == 200
    assert page.get_by_role("heading", name="Nothing yet").is_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("window.__cspViolations") == []
    assert watch.errors == []
    context.close()
