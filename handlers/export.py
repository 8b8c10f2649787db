"""Lambda entry point of the daily export (a schedule, or an event `{"day": "YYYY-MM-DD"}`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from adviceline.config import ConfigError, Settings
from adviceline.counts.export import day_from_event, export_day
from adviceline.inbound import utc_today

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from adviceline.counts import CountStore

__all__ = ["handler"]

log = logging.getLogger(__name__)

# One per container, made on first use.
_settings: Settings | None = None
_store: CountStore | None = None
_s3: S3Client | None = None


def handler(event: Any, context: object = None) -> dict[str, Any]:
    """Export one day (the event's `day`, else yesterday UTC) and say where it went."""
    global _settings, _store, _s3
    if _settings is None:
        _settings = Settings.from_env()
    if not _settings.export_bucket:
        raise ConfigError("EXPORT_BUCKET must be set for the export")
    day = day_from_event(event, today=utc_today())
    if _store is None:
        from adviceline.counts.factory import open_store

        _store = open_store(_settings)
    if _s3 is None:
        from adviceline.counts.aws import s3_client

        _s3 = s3_client()
    done = export_day(
        _store, _s3, _settings.export_bucket, day, suppress_below=_settings.suppress_below
    )
    log.info("exported %s rows to s3://%s/%s", done.rows, done.bucket, done.key)
    return {"bucket": done.bucket, "key": done.key, "day": done.day.isoformat(), "rows": done.rows}
