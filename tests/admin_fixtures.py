"""Shared helpers for the admin tests: a seeded SQLite count store, credentials, HTML checks."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from adviceline.config import Settings
from adviceline.counts import CountKey, CountStore

TOKEN = "test-admin-token-4f1c"  # noqa: S105 - a fixed fake secret for tests
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def utc_today() -> date:
    """The server's notion of today."""
    return datetime.now(UTC).date()


def settings_for(
    tmp_path: Path, *, token: str | None = TOKEN, suppress_below: int = 10
) -> Settings:
    """Local settings: SQLite in tmp_path, the given admin token."""
    return replace(
        Settings(),
        counts_backend="sqlite",
        counts_db=tmp_path / "counts.sqlite3",
        admin_token=token,
        suppress_below=suppress_below,
    )


def open_sqlite(settings: Settings) -> CountStore:
    """The real SQLite count store, initialised."""
    from adviceline.counts.factory import open_store

    store = open_store(settings)
    store.init()
    return store


@dataclass(frozen=True)
class Seeded:
    """What seed() put in the store, for the assertions."""

    today: date
    big_days: int  # days back (0 = today) that carry the large, never-suppressed cells
    last7_total: int
    last28_total: int


# Large cells, every day: several per country, language, topic and channel, so the small cells'
# secondary suppression has others to hide beside them and the big countries stay visible.
BIG_CELLS = (
    (("sms", "GB", "en", "blackmail"), 20),
    (("whatsapp", "GB", "en", "paid"), 12),
    (("sms", "GB", "en", "evidence"), 10),
    (("sms", "US", "en", "blackmail"), 15),
    (("whatsapp", "US", "en", "block"), 10),
    (("whatsapp", "US", "es", "blackmail"), 10),
    (("sms", "DE", "de", "evidence"), 11),
    (("whatsapp", "DE", "de", "blackmail"), 10),
    (("sms", "DE", "en", "paid"), 10),
)
# Small cells in the last week: Ireland 2 and France 1 message. They share every value but the
# country with a large cell (GB, sms, en, blackmail on the same day), so a table without country
# merges them into large figures, and any table with country holds both: no group ever has a lone
# suppressed member, and the correct protection hides these two countries and nothing else.
SMALL_CELLS = (
    (3, ("sms", "IE", "en", "blackmail"), 2),
    (3, ("sms", "FR", "en", "blackmail"), 1),
)


def seed(store: CountStore, today: date) -> Seeded:
    """The large cells on each of the last 60 days, plus the small cells."""
    last7 = last28 = 0
    for back in range(60):
        day = today - timedelta(days=back)
        for (channel, country, language, topic), n in BIG_CELLS:
            n += back % 3
            store.add(CountKey.clean(day, channel, country, language, topic), n)
            last7 += n if back < 7 else 0
            last28 += n if back < 28 else 0
    for back, (channel, country, language, topic), n in SMALL_CELLS:
        store.add(
            CountKey.clean(today - timedelta(days=back), channel, country, language, topic), n
        )
        last7 += n
        last28 += n
    return Seeded(today=today, big_days=60, last7_total=last7, last28_total=last28)


def basic(token: str = TOKEN, user: str = "admin") -> dict[str, str]:
    """An Authorization header for HTTP Basic with `token` as the password."""
    raw = base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str = TOKEN) -> dict[str, str]:
    """An Authorization header with a Bearer token."""
    return {"Authorization": f"Bearer {token}"}


class PageAudit(HTMLParser):
    """Collects what the CSP forbids in markup: inline scripts, style elements, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.json_scripts = 0
        self.style_elements = 0
        self.style_attributes = 0
        self.event_handlers = 0
        self.script_srcs: list[str] = []
        self._in_script = False
        self._script_is_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Count the tags and attributes that a strict CSP would block."""
        names = dict(attrs)
        self.style_attributes += "style" in names
        self.event_handlers += sum(name.startswith("on") for name in names)
        if tag == "style":
            self.style_elements += 1
        if tag == "script":
            src = names.get("src")
            if src:
                self.script_srcs.append(src)
            else:
                self._in_script = True
                self._script_is_json = names.get("type") == "application/json"

    def handle_endtag(self, tag: str) -> None:
        """Close a script element."""
        if tag == "script" and self._in_script:
            if self._script_is_json:
                self.json_scripts += 1
            else:
                self.inline_scripts += 1
            self._in_script = False


def audit(html: str) -> PageAudit:
    """Parse `html` and return what it holds."""
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser
