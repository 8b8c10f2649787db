"""Reading counts: date ranges, dimensions, CSV, and `adviceline counts` in its three shapes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adviceline.cli import main
from adviceline.counts import CountKey
from adviceline.counts.errors import CountsQueryError
from adviceline.counts.report import (
    DIMENSIONS,
    parse_by,
    parse_range,
    report,
    rows_to_csv,
    total,
)
from adviceline.counts.sqlite import SqliteCountStore

TODAY = date(2026, 3, 20)


def test_the_default_range_is_the_last_28_days_ending_today() -> None:
    assert parse_range(None, None, today=TODAY) == (TODAY - timedelta(days=27), TODAY)
    assert parse_range("2026-03-01", None, today=TODAY) == (date(2026, 3, 1), TODAY)
    assert parse_range(None, "2026-03-10", today=TODAY) == (date(2026, 2, 11), date(2026, 3, 10))
    assert parse_range("2025-03-21", "2026-03-20", today=TODAY)[0] == date(2025, 3, 21)  # 365 days


@pytest.mark.parametrize(
    ("from_", "to", "message"),
    [
        ("2026-13-01", None, "from must be a date written YYYY-MM-DD"),
        ("20260301", None, "from must be a date"),
        ("2026-03-01T00:00", None, "from must be a date"),
        (None, "yesterday", "to must be a date"),
        ("2026-03-10", "2026-03-01", "from must not be after to"),
        ("2024-03-01", "2026-03-01", "at most 366 days"),
        ("1999-12-31", "2000-01-01", "between 2020-01-01"),
        (None, "2030-01-01", "between 2020-01-01 and 2026-03-21"),
        ("0001-01-01", None, "between"),
    ],
)
def test_bad_ranges_are_clear_errors(from_: str | None, to: str | None, message: str) -> None:
    with pytest.raises(CountsQueryError, match=message):
        parse_range(from_, to, today=TODAY)


def test_dimensions_are_parsed_into_the_canonical_order() -> None:
    assert parse_by(None) == DIMENSIONS
    assert parse_by("topic, DAY") == ("day", "topic")
    assert parse_by("country,country") == ("country",)
    for bad in ("city", "topic,phone", ",", "day;topic"):
        with pytest.raises(CountsQueryError, match="day,channel,country,language,topic"):
            parse_by(bad)


def test_csv_has_the_dimensions_and_n_with_suppressed_cells_empty() -> None:
    rows = [{"topic": "paid", "n": 12}, {"topic": "danger", "n": None}]
    text = rows_to_csv(rows, ("topic",))
    assert text == "topic,n\npaid,12\ndanger,\n"


@pytest.fixture
def store(tmp_path: Path) -> SqliteCountStore:
    today = datetime.now(UTC).date()
    s = SqliteCountStore(tmp_path / "counts.sqlite3")
    for topic, n in (("blackmail", 40), ("paid", 30), ("block", 20), ("danger", 4)):
        s.add(CountKey.clean(today, "sms", "GB", "en", topic), n=n)
    s.add(CountKey.clean(today - timedelta(days=1), "whatsapp", "FR", "fr", "paid"), n=15)
    return s


def test_report_and_total(store: SqliteCountStore) -> None:
    today = datetime.now(UTC).date()
    rows = report(store, today, today, ("topic",), 10)
    assert rows == [
        {"topic": "blackmail", "n": 40},
        {"topic": "block", "n": None},
        {"topic": "danger", "n": None},
        {"topic": "paid", "n": 30},
    ]
    assert total(store, today, today, 10) == 94
    assert report(store, today, today, ("topic",), 0)[2] == {"topic": "danger", "n": 4}


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, db: Path) -> int:
    monkeypatch.setenv("COUNTS_DB", str(db))
    monkeypatch.delenv("COUNTS_BACKEND", raising=False)
    monkeypatch.delenv("SUPPRESS_BELOW", raising=False)
    try:
        code = main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code


def test_cli_json_csv_and_table_agree(
    store: SqliteCountStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["counts", "--by", "topic", "--json"], monkeypatch, store.path) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert run(["counts", "--by", "topic", "--csv"], monkeypatch, store.path) == 0
    as_csv = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert run(["counts", "--by", "topic"], monkeypatch, store.path) == 0
    table = capsys.readouterr().out

    assert [row["topic"] for row in as_json] == ["blackmail", "block", "danger", "paid"]
    assert all(list(row) == ["topic", "n"] for row in as_json)
    shown = {row["topic"]: row["n"] for row in as_json}
    assert shown["danger"] is None
    assert sum(n is None for n in shown.values()) >= 2  # never a lone hidden cell
    assert all(
        n is None or n == {"blackmail": 40, "block": 20, "paid": 45}[t] for t, n in shown.items()
    )
    assert [(r["topic"], r["n"]) for r in as_csv] == [
        (r["topic"], "" if r["n"] is None else str(r["n"])) for r in as_json
    ]
    for row in as_json:
        shown = "suppressed" if row["n"] is None else str(row["n"])
        assert any(line.split() == [row["topic"], shown] for line in table.splitlines())
    assert "danger" in table and "total:" in table


def test_cli_json_has_every_dimension_by_default(
    store: SqliteCountStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    monkeypatch.setenv("SUPPRESS_BELOW", "0")
    monkeypatch.setenv("COUNTS_DB", str(store.path))
    assert main(["counts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert list(rows[0]) == ["day", "channel", "country", "language", "topic", "n"]
    assert sum(r["n"] for r in rows) == 109


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30"], "from must be a date written YYYY-MM-DD"),
        (["--from", "2026-03-10", "--to", "2026-03-01"], "from must not be after to"),
        (["--by", "phone"], "by must be a comma-separated list of"),
        (["--csv", "--json"], "not allowed with"),
    ],
)
def test_cli_bad_input_exits_2_with_a_clear_message(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(["counts", *args], monkeypatch, tmp_path / "c.sqlite3")
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
