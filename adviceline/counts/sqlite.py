"""The embedded count store for local runs: one SQLite file, safe with several writing processes."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path
from typing import Final

from adviceline.counts.errors import CountStoreError
from adviceline.counts.keys import CountKey

__all__ = ["BUSY_TIMEOUT_MS", "SqliteCountStore"]

# How long a writer waits for another process's write to finish. Writes take microseconds, so
# this is only reached when something holds the file for long; then the count is dropped (and
# logged by the caller) rather than keeping a person waiting.
BUSY_TIMEOUT_MS: Final = 2000

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    country TEXT NOT NULL,
    language TEXT NOT NULL,
    topic TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, channel, country, language, topic)
) WITHOUT ROWID
"""

# One statement, so SQLite makes it atomic: no read-modify-write in Python.
_UPSERT: Final = """
INSERT INTO counts (day, channel, country, language, topic, n) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (day, channel, country, language, topic) DO UPDATE SET n = n + excluded.n
"""

_SELECT: Final = """
SELECT day, channel, country, language, topic, n FROM counts
WHERE day BETWEEN ? AND ? ORDER BY day, channel, country, language, topic
"""


class SqliteCountStore:
    """Counts in a SQLite file (WAL, busy timeout, atomic upsert); opened on first use."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        # One connection per store, shared by the threads of a local server, used one at a time.
        self._lock = threading.Lock()

    def add(self, key: CountKey, n: int = 1) -> None:
        """Atomically add `n` to the cell `key`."""
        values = (key.day.isoformat(), key.channel, key.country, key.language, key.topic, n)
        with self._lock, self._errors("record a count"):
            self._connect().execute(_UPSERT, values)

    def rows(self, start: date, end: date) -> list[tuple[CountKey, int]]:
        """Every stored cell with `start <= day <= end`, in key order."""
        with self._lock, self._errors("read counts"):
            found = self._connect().execute(_SELECT, (start.isoformat(), end.isoformat()))
            records = found.fetchall()
        return [
            (CountKey.clean(date.fromisoformat(day), channel, country, language, topic), n)
            for day, channel, country, language, topic, n in records
        ]

    def init(self) -> None:
        """Create the file and its table; safe to run again."""
        with self._lock, self._errors("create the counts table"):
            self._connect()

    def close(self) -> None:
        """Close the connection (the next use opens it again)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each upsert is its own short transaction, so writers never queue
            # behind an open one.
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")
                # WAL + NORMAL: durable against a crash of the process, one fsync per checkpoint.
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(_SCHEMA)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _errors(self, doing: str) -> _Translate:
        return _Translate(self.path, doing)


class _Translate:
    """Turns sqlite3's errors into a CountStoreError that says what is wrong with COUNTS_DB."""

    def __init__(self, path: Path, doing: str) -> None:
        self.path = path
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, sqlite3.Error):
            raise CountStoreError(
                f"could not {self.doing}: COUNTS_DB {self.path} {_problem(exc)}"
            ) from exc
        if isinstance(exc, OSError):
            raise CountStoreError(
                f"could not {self.doing}: COUNTS_DB {self.path} cannot be created "
                f"({exc.strerror or type(exc).__name__})"
            ) from exc


def _problem(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "is not a usable SQLite database (corrupt, or another kind of file)"
    if "readonly" in text or "read-only" in text:
        return "is read-only (check the file's and its folder's permissions)"
    if "unable to open" in text:
        return "cannot be opened (missing folder or no permission)"
    if "locked" in text or "busy" in text:
        return "is busy: another process held it for too long"
    return f"failed ({type(exc).__name__})"
