"""The production count store: one DynamoDB table, one atomic `UpdateItem ... ADD` per message.

Key design (the README explains the ceiling): the partition key is a write shard,
`pk = "S#<k>"` with k drawn at random from 0..SHARDS-1 for every write, and the sort key is the
count key, `sk = "<day>#<channel>#<country>#<language>#<topic>"`; the attribute `n` holds the
count. One logical cell therefore lives in up to SHARDS items, so a surge on a single cell is
spread over SHARDS partition keys, and a day range is SHARDS paginated `Query` calls with
`sk BETWEEN`. Readers add the shards up. No read-modify-write anywhere.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from adviceline.counts.aws import WRITE_CONNECT_TIMEOUT, WRITE_READ_TIMEOUT
from adviceline.counts.errors import CountStoreError
from adviceline.counts.keys import CountKey

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = [
    "ATTEMPTS",
    "COUNT_ATTRIBUTE",
    "DEADLINE_SECONDS",
    "PARTITION_KEY",
    "SHARDS",
    "SORT_KEY",
    "DynamoCountStore",
    "shard_key",
    "sort_key",
]

# The table's schema; serverless.yml declares the same (both attributes are strings, "S").
PARTITION_KEY: Final = "pk"
SORT_KEY: Final = "sk"
COUNT_ATTRIBUTE: Final = "n"
# Write shards per cell. Readers query all of them: it may be raised later, never lowered.
SHARDS: Final = 8

# The write path's budget: a count may add at most this much to a reply, whatever the store does.
DEADLINE_SECONDS: Final = 0.9
ATTEMPTS: Final = 3
_BACKOFF_SECONDS: Final = (0.02, 0.05)
# The worst one attempt of the write client can take.
_WORST_ATTEMPT_SECONDS: Final = WRITE_CONNECT_TIMEOUT + WRITE_READ_TIMEOUT
# Refusals that mean the write was not applied, so trying again cannot count twice.
_RETRYABLE: Final = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)


def shard_key(shard: int) -> str:
    """The partition key of write shard `shard`."""
    return f"S#{shard}"


def sort_key(key: CountKey) -> str:
    """The sort key of a count cell; days sort first, so a day range is one BETWEEN."""
    return "#".join((key.day.isoformat(), key.channel, key.country, key.language, key.topic))


class DynamoCountStore:
    """Counts in DynamoDB; the client is passed in or created on first use, once."""

    def __init__(
        self,
        table: str,
        *,
        client: DynamoDBClient | None = None,
        page_size: int | None = None,
    ) -> None:
        self.table = table
        self.page_size = page_size
        self._writer_client = client
        self._reader_client = client
        self._lock = threading.Lock()

    def add(self, key: CountKey, n: int = 1) -> None:
        """Atomically add `n` to one shard of `key`'s cell, within DEADLINE_SECONDS."""
        client = self._writer()
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
        )

        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": {
                PARTITION_KEY: {"S": shard_key(secrets.randbelow(SHARDS))},
                SORT_KEY: {"S": sort_key(key)},
            },
            "UpdateExpression": "ADD #n :n",
            "ExpressionAttributeNames": {"#n": COUNT_ATTRIBUTE},
            "ExpressionAttributeValues": {":n": {"N": str(n)}},
            "ReturnValues": "NONE",
        }
        started = time.monotonic()
        for attempt in range(ATTEMPTS):
            try:
                client.update_item(**request)
                return
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", "unknown"))
                if code not in _RETRYABLE:
                    raise CountStoreError(f"DynamoDB refused the count ({code})") from exc
                failure = f"DynamoDB throttled the count ({code})"
            except (EndpointConnectionError, ConnectTimeoutError) as exc:
                # Nothing was sent, so a second try cannot count twice.
                failure = f"DynamoDB could not be reached ({type(exc).__name__})"
            except BotoCoreError as exc:
                # A read timeout and the like: the write may have happened; retrying could
                # count it twice, and exactness matters more than one lost count.
                raise CountStoreError(
                    f"DynamoDB did not confirm the count ({type(exc).__name__})"
                ) from exc
            pause = _BACKOFF_SECONDS[min(attempt, len(_BACKOFF_SECONDS) - 1)]
            elapsed = time.monotonic() - started
            if attempt + 1 == ATTEMPTS or elapsed + pause + _WORST_ATTEMPT_SECONDS > (
                DEADLINE_SECONDS
            ):
                break
            time.sleep(pause)
        raise CountStoreError(f"count not recorded: {failure}")

    def rows(self, start: date, end: date) -> list[tuple[CountKey, int]]:
        """Every cell with `start <= day <= end`, shards added up, in key order."""
        client = self._reader()
        # Sort keys of a day all start "<day>#", so the next day's bare date is an upper bound
        # that no key of that next day reaches.
        low, high = start.isoformat(), (end + timedelta(days=1)).isoformat()
        totals: dict[CountKey, int] = defaultdict(int)
        for shard in range(SHARDS):
            request: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
                "ExpressionAttributeNames": {
                    "#pk": PARTITION_KEY,
                    "#sk": SORT_KEY,
                    "#n": COUNT_ATTRIBUTE,
                },
                "ExpressionAttributeValues": {
                    ":pk": {"S": shard_key(shard)},
                    ":low": {"S": low},
                    ":high": {"S": high},
                },
                "ProjectionExpression": "#sk, #n",
            }
            if self.page_size:
                request["Limit"] = self.page_size
            while True:
                page = self._call("read counts", client.query, request)
                for item in page.get("Items", []):
                    key = _parse_sort_key(item[SORT_KEY]["S"])
                    if key is not None and start <= key.day <= end:
                        totals[key] += int(item[COUNT_ATTRIBUTE]["N"])
                last = page.get("LastEvaluatedKey")
                if not last:
                    break
                request["ExclusiveStartKey"] = last
        return sorted(totals.items())

    def init(self) -> None:
        """Create the table (on-demand) if it is missing and wait until it is active."""
        client = self._reader()
        from botocore.exceptions import ClientError

        try:
            client.create_table(
                TableName=self.table,
                AttributeDefinitions=[
                    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
                    {"AttributeName": SORT_KEY, "AttributeType": "S"},
                ],
                KeySchema=[
                    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise CountStoreError(
                    f"could not create COUNTS_TABLE {self.table} "
                    f"({exc.response.get('Error', {}).get('Code', 'unknown')})"
                ) from exc
        deadline = time.monotonic() + 120
        while True:
            table = self._call(
                "describe COUNTS_TABLE", client.describe_table, {"TableName": self.table}
            )["Table"]
            schema = {(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])}
            if schema != {(PARTITION_KEY, "HASH"), (SORT_KEY, "RANGE")}:
                raise CountStoreError(
                    f"COUNTS_TABLE {self.table} exists with another key schema; "
                    f"expected {PARTITION_KEY} (HASH, S) and {SORT_KEY} (RANGE, S)"
                )
            if table.get("TableStatus") == "ACTIVE":
                return
            if time.monotonic() > deadline:
                raise CountStoreError(f"COUNTS_TABLE {self.table} did not become active")
            time.sleep(1)

    def _call(self, doing: str, method: Any, request: dict[str, Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "unknown")
            raise CountStoreError(f"could not {doing} in {self.table} ({code})") from exc
        except BotoCoreError as exc:
            raise CountStoreError(
                f"could not {doing} in {self.table} ({type(exc).__name__})"
            ) from exc

    def _writer(self) -> DynamoDBClient:
        if self._writer_client is None:
            with self._lock:
                if self._writer_client is None:
                    from adviceline.counts.aws import dynamodb_client

                    self._writer_client = dynamodb_client(fast=True)
        return self._writer_client

    def _reader(self) -> DynamoDBClient:
        if self._reader_client is None:
            with self._lock:
                if self._reader_client is None:
                    from adviceline.counts.aws import dynamodb_client

                    self._reader_client = dynamodb_client(fast=False)
        return self._reader_client


def _parse_sort_key(value: str) -> CountKey | None:
    parts = value.split("#")
    if len(parts) != 5:
        return None
    try:
        return CountKey.clean(date.fromisoformat(parts[0]), *parts[1:])
    except ValueError:
        return None
