"""AWS clients for the counts area, made on demand through botocore (boto3's client layer).

botocore is imported here only when a client is asked for, so nothing AWS loads in SQLite mode.
Clients honour the standard AWS_* variables, including AWS_ENDPOINT_URL_DYNAMODB / _S3.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

__all__ = ["WRITE_CONNECT_TIMEOUT", "WRITE_READ_TIMEOUT", "dynamodb_client", "s3_client"]

# The write path answers a person: short timeouts and no botocore retries (the store retries
# only what certainly did not happen, within its own deadline; see dynamodb.py).
WRITE_CONNECT_TIMEOUT: Final = 0.2
WRITE_READ_TIMEOUT: Final = 0.6

_session: Any = None
_lock = threading.Lock()


def _create(service: str, config: Any) -> Any:
    # One botocore session per process: loading its data files is the slow part of a client.
    # Sessions are not thread-safe, hence the lock around client creation too.
    global _session
    with _lock:
        if _session is None:
            import botocore.session

            _session = botocore.session.get_session()
        return _session.create_client(service, config=config)


def _config(*, fast: bool) -> Any:
    from botocore.config import Config

    if fast:
        return Config(
            connect_timeout=WRITE_CONNECT_TIMEOUT,
            read_timeout=WRITE_READ_TIMEOUT,
            retries={"total_max_attempts": 1},
            tcp_keepalive=True,
        )
    # Readers (admin, export) are not in a hurry, and Query is safe to retry.
    return Config(
        connect_timeout=2, read_timeout=10, retries={"max_attempts": 4, "mode": "standard"}
    )


def dynamodb_client(*, fast: bool) -> DynamoDBClient:
    """A DynamoDB client; `fast` for the write path of the webhook."""
    client: DynamoDBClient = _create("dynamodb", _config(fast=fast))
    return client


def s3_client() -> S3Client:
    """An S3 client for the export."""
    client: S3Client = _create("s3", _config(fast=False))
    return client
