"""The daily export: one UTC day's suppressed counts as CSV in S3, at counts/YYYY/MM/DD.csv."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from adviceline.counts.errors import CountsQueryError
from adviceline.counts.report import DIMENSIONS, parse_day, rows_to_csv, table_rows, view
from adviceline.counts.store import CountStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["Exported", "day_from_event", "export_day", "export_key"]


@dataclass(frozen=True, slots=True)
class Exported:
    """Where one day's CSV went and how many rows it has (suppressed ones included)."""

    bucket: str
    key: str
    day: date
    rows: int


def export_key(day: date) -> str:
    """The object key of `day`'s CSV."""
    return f"counts/{day:%Y}/{day:%m}/{day:%d}.csv"


def day_from_event(event: object, *, today: date) -> date:
    """The event's `day` (YYYY-MM-DD), or yesterday when it names none (a scheduled run)."""
    raw = event.get("day") if isinstance(event, Mapping) else None
    if raw is None:
        return today - timedelta(days=1)
    if not isinstance(raw, str):
        raise CountsQueryError("day must be a date written YYYY-MM-DD")
    day = parse_day(raw, name="day")
    if day > today:
        raise CountsQueryError("day must not be in the future")
    return day


def export_day(
    store: CountStore,
    s3: S3Client | Any,
    bucket: str,
    day: date,
    *,
    suppress_below: int,
) -> Exported:
    """Write `day`'s suppressed counts, every dimension, as CSV to s3://bucket/counts/..."""
    rows = table_rows(view(store, day, day, suppress_below), DIMENSIONS)
    key = export_key(day)
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=rows_to_csv(rows, DIMENSIONS).encode("utf-8"),
        ContentType="text/csv; charset=utf-8",
    )
    return Exported(bucket, key, day, len(rows))
