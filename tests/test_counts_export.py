"""The daily export to S3 (moto server): key naming, suppressed CSV content, default day."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adviceline.counts import CountKey
from adviceline.counts.aws import s3_client
from adviceline.counts.errors import CountsQueryError
from adviceline.counts.export import day_from_event, export_day, export_key
from adviceline.counts.sqlite import SqliteCountStore
from tests.servers import LocalServer

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 14)


def seeded(tmp_path: Path, day: date) -> SqliteCountStore:
    store = SqliteCountStore(tmp_path / "counts.sqlite3")
    store.add(CountKey.clean(day, "sms", "GB", "en", "blackmail"), n=40)
    store.add(CountKey.clean(day, "sms", "GB", "en", "paid"), n=25)
    store.add(CountKey.clean(day, "sms", "GB", "en", "danger"), n=3)  # small: suppressed
    store.add(CountKey.clean(day, "whatsapp", "GB", "en", "blackmail"), n=30)
    store.add(CountKey.clean(day, "whatsapp", "GB", "en", "paid"), n=20)
    store.add(CountKey.clean(day, "whatsapp", "GB", "en", "danger"), n=12)
    store.add(CountKey.clean(day + timedelta(days=1), "sms", "FR", "fr", "menu"), n=99)
    return store


def new_bucket() -> str:
    bucket = f"export-{uuid.uuid4().hex[:10]}"
    s3_client().create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    return bucket


def read_csv(bucket: str, key: str) -> list[dict[str, str]]:
    body = s3_client().get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_key_is_counts_year_month_day_csv() -> None:
    assert export_key(date(2026, 1, 5)) == "counts/2026/01/05.csv"


def test_one_days_suppressed_counts_go_to_s3(tmp_path: Path, s3_env: LocalServer) -> None:
    bucket = new_bucket()
    done = export_day(seeded(tmp_path, DAY), s3_client(), bucket, DAY, suppress_below=10)
    assert done.key == "counts/2026/03/14.csv"
    rows = read_csv(bucket, done.key)
    assert list(rows[0]) == ["day", "channel", "country", "language", "topic", "n"]
    cells = {(r["channel"], r["topic"]): r["n"] for r in rows}
    assert {r["day"] for r in rows} == {"2026-03-14"}  # the next day's cell stays out
    assert cells[("sms", "danger")] == ""  # 3 < 10
    # Its row (sms) and its column (danger) each need a second hidden cell.
    hidden = {cell for cell, n in cells.items() if n == ""}
    assert len(hidden) >= 4
    assert ("whatsapp", "danger") in hidden
    assert all(n == "" or int(n) >= 10 for n in cells.values())


def test_the_handler_exports_yesterday_by_default_and_a_named_day(
    tmp_path: Path, s3_env: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.export as handler_module

    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    seeded(tmp_path, yesterday)
    seeded(tmp_path / "x", DAY)
    bucket = new_bucket()
    monkeypatch.setenv("EXPORT_BUCKET", bucket)
    monkeypatch.setenv("COUNTS_BACKEND", "sqlite")
    monkeypatch.setenv("COUNTS_DB", str(tmp_path / "counts.sqlite3"))
    for name in ("_settings", "_store", "_s3"):
        monkeypatch.setattr(handler_module, name, None)

    # A scheduled event carries no `day`.
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    result = handler_module.handler(scheduled, None)
    assert result["key"] == export_key(yesterday)
    assert len(read_csv(bucket, result["key"])) == 6

    result = handler_module.handler({"day": (yesterday + timedelta(days=1)).isoformat()}, None)
    assert read_csv(bucket, result["key"]) == [
        {
            "day": (yesterday + timedelta(days=1)).isoformat(),
            "channel": "sms",
            "country": "FR",
            "language": "fr",
            "topic": "menu",
            "n": "99",
        }
    ]
    keys = [o["Key"] for o in s3_client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == sorted([export_key(yesterday), export_key(yesterday + timedelta(1))])


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"day": "2026-02-30"}, "YYYY-MM-DD"),
        ({"day": "yesterday"}, "YYYY-MM-DD"),
        ({"day": 20260314}, "YYYY-MM-DD"),
        ({"day": "2099-01-01"}, "future"),
    ],
)
def test_a_bad_day_is_a_clear_error(event: dict[str, object], message: str) -> None:
    with pytest.raises(CountsQueryError, match=message):
        day_from_event(event, today=DAY)


def test_no_day_means_yesterday() -> None:
    assert day_from_event({}, today=DAY) == DAY - timedelta(days=1)
    assert day_from_event(None, today=DAY) == DAY - timedelta(days=1)
