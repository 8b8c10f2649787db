"""The SQLite count store: exact with several writing processes; clear errors; replies still go."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest

from adviceline.config import Settings
from adviceline.content import default_content
from adviceline.counts import CountKey
from adviceline.counts.errors import CountStoreError
from adviceline.counts.factory import open_store
from adviceline.counts.sqlite import SqliteCountStore
from adviceline.inbound import Inbound, handle

DAY = date(2026, 3, 14)
KEYS = [
    CountKey.clean(DAY, "sms", "GB", "en", "blackmail"),
    CountKey.clean(DAY, "whatsapp", "FR", "fr", "paid"),
    CountKey.clean(DAY, "sms", "DE", "de", "danger"),
]
SENDER = "+447700900777"
BODY = "my name is Vexlander and he wants 500 pounds"


def _writer(path: str, worker: int, times: int) -> None:
    # A process of its own, with its own store, as several local servers or CLIs would be.
    store = SqliteCountStore(path)
    for i in range(times):
        store.add(KEYS[(worker + i) % len(KEYS)])


def test_several_processes_writing_at_once_count_exactly(tmp_path: Path) -> None:
    path = tmp_path / "var" / "counts.sqlite3"  # the folder does not exist yet
    SqliteCountStore(path).init()
    workers, times = 4, 400
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_writer, args=(str(path), w, times)) for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    rows = dict(SqliteCountStore(path).rows(DAY, DAY))
    assert sum(rows.values()) == workers * times
    expected = dict.fromkeys(KEYS, 0)
    for w in range(workers):
        for i in range(times):
            expected[KEYS[(w + i) % len(KEYS)]] += 1
    assert rows == expected


def test_the_file_uses_wal_and_init_is_idempotent(tmp_path: Path) -> None:
    store = open_store(Settings(counts_db=tmp_path / "c.sqlite3"))
    store.init()
    store.add(KEYS[0], n=3)
    store.init()
    assert list(store.rows(DAY, DAY)) == [(KEYS[0], 3)]
    with sqlite3.connect(tmp_path / "c.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rows_keep_to_the_day_range(tmp_path: Path) -> None:
    store = SqliteCountStore(tmp_path / "c.sqlite3")
    for d in (13, 14, 15):
        store.add(CountKey.clean(date(2026, 3, d), "sms", "GB", "en", "menu"), n=d)
    assert [n for _, n in store.rows(date(2026, 3, 14), date(2026, 3, 15))] == [14, 15]


def corrupt_file(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database, just text " * 200)
    return path


def test_a_corrupt_file_is_a_clear_error_and_the_reply_still_goes_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = corrupt_file(tmp_path)
    with pytest.raises(CountStoreError, match="not a usable SQLite database") as info:
        SqliteCountStore(path).init()
    assert str(path) in str(info.value)

    result = handle(
        Inbound("sms", SENDER, BODY),
        content=default_content(),
        store=SqliteCountStore(path),
        today=lambda: DAY,
    )
    assert result.topic and result.reply
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "count not recorded: CountStoreError" in logged
    for secret in (SENDER, SENDER[-6:], "Vexlander", "500 pounds"):
        assert secret not in logged


def test_the_cli_reports_a_corrupt_file_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from adviceline.cli import main

    monkeypatch.setenv("COUNTS_DB", str(corrupt_file(tmp_path)))
    assert main(["counts"]) == 1
    err = capsys.readouterr().err
    assert "not a usable SQLite database" in err
    assert "Traceback" not in err


_READ_ONLY_CHECK = """
import json, os, sys
from datetime import date
from adviceline.content import default_content
from adviceline.counts import CountKey
from adviceline.counts.errors import CountStoreError
from adviceline.counts.sqlite import SqliteCountStore
from adviceline.inbound import Inbound, handle
content = default_content()
if os.geteuid() == 0:
    # Root ignores file modes: become nobody, after loading everything (Python lives in /root).
    os.setgid(65534)
    os.setuid(65534)
path = sys.argv[1]
out = {}
try:
    SqliteCountStore(path).add(CountKey.clean(date(2026, 3, 14), "sms", "GB", "en", "menu"))
    out["error"] = None
except CountStoreError as exc:
    out["error"] = str(exc)
result = handle(Inbound("sms", "+447700900777", "hello"), content=content,
                store=SqliteCountStore(path))
out["reply"] = bool(result.reply)
print(json.dumps(out))
"""


def test_a_read_only_file_is_a_clear_error_and_the_reply_still_goes_out() -> None:
    # Not tmp_path: pytest keeps that private to root, and the check runs as nobody when root.
    with tempfile.TemporaryDirectory(prefix="counts-ro-") as folder:
        Path(folder).chmod(0o755)
        check_read_only(Path(folder) / "ro" / "counts.sqlite3")


def check_read_only(path: Path) -> None:
    store = SqliteCountStore(path)
    store.add(KEYS[0])
    store.close()
    # Fold the WAL back in, so a reader needs no -wal/-shm file it could not create.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _READ_ONLY_CHECK, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["reply"] is True
    assert out["error"] is not None
    assert "is read-only" in out["error"]
    assert str(path) in out["error"]
