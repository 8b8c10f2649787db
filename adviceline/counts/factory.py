"""Opens the configured count store; nothing connects (or imports a driver) until first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adviceline.config import ConfigError, Settings
from adviceline.counts.store import CountStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["open_store"]


def open_store(
    settings: Settings, *, dynamodb_client: DynamoDBClient | Any | None = None
) -> CountStore:
    """The store COUNTS_BACKEND names: SQLite at COUNTS_DB, or DynamoDB table COUNTS_TABLE.

    In DynamoDB mode, pass a client made by `adviceline.counts.aws.dynamodb_client(fast=True)`
    (or none: one is made on first use); a client with botocore's default retries could hold a
    reply for seconds when DynamoDB is slow.
    """
    if settings.counts_backend == "dynamodb":
        if not settings.counts_table:
            raise ConfigError("COUNTS_TABLE must be set when COUNTS_BACKEND is 'dynamodb'")
        from adviceline.counts.dynamodb import DynamoCountStore

        return DynamoCountStore(settings.counts_table, client=dynamodb_client)
    from adviceline.counts.sqlite import SqliteCountStore

    return SqliteCountStore(settings.counts_db)
