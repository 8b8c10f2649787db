"""The DynamoDB count store against dynalite: exact under concurrency, paginated, init twice."""

from __future__ import annotations

import random
import subprocess
import sys
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from adviceline.config import ConfigError, Settings
from adviceline.content import default_content
from adviceline.counts import CountKey
from adviceline.counts.aws import dynamodb_client
from adviceline.counts.dynamodb import (
    COUNT_ATTRIBUTE,
    PARTITION_KEY,
    SHARDS,
    SORT_KEY,
    DynamoCountStore,
)
from adviceline.counts.errors import CountStoreError
from adviceline.counts.factory import open_store
from adviceline.inbound import Inbound, answer, handle
from tests.servers import LocalServer

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 14)


def new_store(**kwargs: object) -> DynamoCountStore:
    """A store on a fresh table in dynalite (the env points boto there)."""
    store = DynamoCountStore(f"counts-{uuid.uuid4().hex[:12]}", **kwargs)  # type: ignore[arg-type]
    store.init()
    return store


def key(topic: str = "blackmail", *, day: date = DAY, country: str = "GB") -> CountKey:
    return CountKey.clean(day, "sms", country, "en", topic)


def test_eight_threads_times_500_increments_of_one_key_end_at_exactly_4000(
    dynamodb_env: LocalServer,
) -> None:
    store = new_store()
    cell = key()

    def work(_: int) -> None:
        for _ in range(500):
            store.add(cell)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))
    assert store.rows(DAY, DAY) == [(cell, 4000)]


def test_a_mix_of_keys_sums_exactly(dynamodb_env: LocalServer) -> None:
    store = new_store()
    rng = random.Random(7)
    cells = [
        key(topic, day=DAY + timedelta(days=d), country=country)
        for topic in ("blackmail", "paid", "danger")
        for d in range(3)
        for country in ("GB", "FR")
    ]
    plan = [rng.choice(cells) for _ in range(1200)]
    expected = Counter(plan)

    def work(part: list[CountKey]) -> None:
        for cell in part:
            store.add(cell)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, [plan[i::6] for i in range(6)]))
    got = dict(store.rows(DAY, DAY + timedelta(days=2)))
    assert got == dict(expected)
    assert sum(got.values()) == 1200


def test_concurrent_messages_through_the_inbound_path_are_counted_exactly(
    dynamodb_env: LocalServer,
) -> None:
    store = new_store()
    content = default_content()
    texts = ["he wants money", "I already paid him", "how do I block him", "hello", "help"]
    messages = [
        Inbound("sms" if i % 3 else "whatsapp", f"+4477009{i:05d}", texts[i % len(texts)])
        for i in range(300)
    ]
    expected = Counter(
        CountKey.clean(DAY, a.channel, a.country, a.language, a.topic)
        for a in (answer(m, content) for m in messages)
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(
            pool.map(lambda m: handle(m, content=content, store=store, today=lambda: DAY), messages)
        )
    assert all(r.reply for r in replies)
    assert dict(store.rows(DAY, DAY)) == dict(expected)


def test_writes_are_spread_over_the_write_shards(dynamodb_env: LocalServer) -> None:
    store = new_store()
    for _ in range(200):
        store.add(key())
    client = dynamodb_client(fast=False)
    items = client.scan(TableName=store.table)["Items"]
    shards = {item[PARTITION_KEY]["S"] for item in items}
    # 200 random draws over 8 shards: missing one has probability below 1e-10.
    assert shards == {f"S#{k}" for k in range(SHARDS)}
    assert sum(int(item[COUNT_ATTRIBUTE]["N"]) for item in items) == 200
    assert {item[SORT_KEY]["S"] for item in items} == {"2026-03-14#sms#GB#en#blackmail"}


def test_rows_paginate_with_a_small_page_size_and_respect_the_day_range(
    dynamodb_env: LocalServer,
) -> None:
    store = new_store(page_size=3)
    days = [DAY + timedelta(days=d) for d in range(-1, 6)]
    topics = ("danger", "blackmail", "paid", "evidence", "block", "report")
    expected: Counter[CountKey] = Counter()
    for i, (d, topic) in enumerate((d, t) for d in days for t in topics):
        store.add(key(topic, day=d), n=i + 1)
        expected[key(topic, day=d)] += i + 1
    inside = {k: n for k, n in expected.items() if DAY <= k.day <= DAY + timedelta(days=4)}
    assert dict(store.rows(DAY, DAY + timedelta(days=4))) == inside
    assert len(inside) == 30  # several pages of 3 per shard


def test_pages_beyond_one_megabyte_are_followed(dynamodb_env: LocalServer) -> None:
    store = new_store()
    client = dynamodb_client(fast=False)
    # Items padded to ~40 KB (an extra attribute the store never writes), so one shard's
    # 60 items make ~2.4 MB and DynamoDB's 1 MB page limit forces LastEvaluatedKey.
    pad = "x" * 40_000
    for i in range(60):
        sk = f"{DAY.isoformat()}#sms#GB#en#{('danger', 'paid', 'block')[i % 3]}"
        client.put_item(
            TableName=store.table,
            Item={
                PARTITION_KEY: {"S": "S#0"},
                SORT_KEY: {"S": sk + ("" if i < 3 else f"#{i}")},
                COUNT_ATTRIBUTE: {"N": "1"},
                "pad": {"S": pad},
            },
        )
    first = client.query(
        TableName=store.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "S#0"}},
    )
    assert "LastEvaluatedKey" in first  # the premise: more than one page
    # Only the three well-formed keys count; the 57 malformed ones are skipped, never raised.
    rows = dict(store.rows(DAY, DAY))
    assert rows == {key("danger"): 1, key("paid"): 1, key("block"): 1}


def test_init_is_idempotent_and_checks_the_key_schema(dynamodb_env: LocalServer) -> None:
    store = new_store()
    store.init()
    store.add(key())
    store.init()
    assert store.rows(DAY, DAY) == [(key(), 1)]

    client = dynamodb_client(fast=False)
    other = f"other-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=other,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.raises(CountStoreError, match="another key schema"):
        DynamoCountStore(other).init()


def test_the_cli_init_creates_the_configured_table(
    dynamodb_env: LocalServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from adviceline.cli import main

    table = f"cli-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COUNTS_BACKEND", "dynamodb")
    monkeypatch.setenv("COUNTS_TABLE", table)
    assert main(["counts", "init"]) == 0
    assert main(["counts", "init"]) == 0
    assert f"DynamoDB table {table}" in capsys.readouterr().out
    open_store(Settings.from_env()).add(key())
    assert main(["counts", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--json"]) == 0


def test_a_missing_table_is_a_clear_error(dynamodb_env: LocalServer) -> None:
    store = DynamoCountStore("no-such-table")
    with pytest.raises(CountStoreError, match=r"refused the count \(ResourceNotFoundException\)"):
        store.add(key())
    with pytest.raises(CountStoreError, match="no-such-table"):
        store.rows(DAY, DAY)


def test_dynamodb_mode_needs_a_table_name() -> None:
    with pytest.raises(ConfigError, match="COUNTS_TABLE"):
        open_store(Settings(counts_backend="dynamodb"))


@pytest.mark.parametrize(("backend", "absent"), [("sqlite", "botocore"), ("dynamodb", "sqlite3")])
def test_each_backend_loads_only_its_own_driver(backend: str, absent: str) -> None:
    code = f"""
import sys
from adviceline.config import Settings
from adviceline.counts.factory import open_store
assert "botocore" not in sys.modules and "sqlite3" not in sys.modules, "loaded at import"
store = open_store(Settings(counts_backend="{backend}", counts_table="t"))
assert "{absent}" not in sys.modules, "{absent} loaded"
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
