"""Nothing personal is ever written: hundreds of messages in, every byte written scanned.

Each message carries a distinct phone number (SMS) or WhatsApp id, a made-up name and a made-up
marker word. They go through a delivery path (today: `inbound.handle` with the real content;
add more to DELIVERIES) into each backend (a SQLite file, dynalite) and the daily export (moto
S3). Then the SQLite file with its -wal/-shm, a full DynamoDB scan, every S3 object, all log
output at DEBUG (botocore's included) and everything printed are searched for any 6-digit run
of any number, any name and any marker word. One hit fails.
"""

from __future__ import annotations

import json
import logging
import random
import re
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from adviceline.content import default_content
from adviceline.counts.aws import dynamodb_client, s3_client
from adviceline.counts.dynamodb import DynamoCountStore
from adviceline.counts.export import export_day
from adviceline.counts.sqlite import SqliteCountStore
from adviceline.counts.store import CountStore
from adviceline.inbound import Inbound, handle
from tests.servers import LocalServer
from tests.webhook_fixtures import via_signed_webhook

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 14)
MESSAGES = 300
TEXTS = (
    "my name is {name}, he says he will post my pics unless I pay. {word}",
    "{word} I already paid {name} but he wants more",
    "how do I block {name} on insta {word}",
    "{name} here. hello {word}",
    "ich hab ihm Geld überwiesen, ich bin {name} {word}",
    "il menace de publier mes photos, je suis {name} {word}",
    "{word} {name} me pide dinero o publica mis fotos",
    "i want to kill myself {name} {word}",
)


@dataclass(frozen=True)
class Sent:
    """What was sent, and so what must never be found."""

    messages: list[Inbound]
    numbers: list[str]
    names: list[str]
    words: list[str]

    def needles(self) -> dict[str, str]:
        """Every string whose presence is a leak, with a label saying what it is."""
        found: dict[str, str] = {}
        for number in self.numbers:
            for i in range(len(number) - 5):
                found[number[i : i + 6]] = "a 6-digit run of a number"
        for name in self.names:
            found[name.lower()] = "a name"
        for word in self.words:
            found[word.lower()] = "a marker word"
        return found


def made_up(rng: random.Random, length: int) -> str:
    # Consonant-vowel syllables: pronounceable, and never a real word of the content.
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length // 2)) + "x"


def make_messages(seed: int = 20260314) -> Sent:
    rng = random.Random(seed)
    prefixes = ("447700", "33612", "4915112", "1202555", "34612", "39312", "48512", "4670")
    messages, numbers, names, words = [], [], [], []
    seen: set[str] = set()
    while len(messages) < MESSAGES:
        prefix = rng.choice(prefixes)
        number = prefix + "".join(rng.choice(string.digits) for _ in range(12 - len(prefix)))
        name = made_up(rng, 8).capitalize()
        word = made_up(rng, 10)
        if number in seen or name in seen or word in seen:
            continue
        seen.update((number, name, word))
        i = len(messages)
        whatsapp = i % 2 == 1
        sender = ("whatsapp:+" if whatsapp else "+") + number
        text = TEXTS[i % len(TEXTS)].format(name=name, word=word)
        messages.append(
            Inbound("whatsapp" if whatsapp else "sms", sender, text, num_media=i % 5 == 0)
        )
        numbers.append(number)
        names.append(name)
        words.append(word)
    return Sent(messages, numbers, names, words)


def via_inbound(messages: list[Inbound], store: CountStore) -> None:
    """The core path: `inbound.handle` with the real content, as every handler calls it."""
    content = default_content()
    for msg in messages:
        assert handle(msg, content=content, store=store, today=lambda: DAY).reply


# Delivery paths: name -> function(messages, store). The webhook tests may add theirs here.
DELIVERIES: dict[str, Callable[[list[Inbound], CountStore], None]] = {
    "inbound": via_inbound,
    # Signed HTTP API v2 events through handlers/webhook.py, as API Gateway delivers them.
    "signed webhook": lambda messages, store: via_signed_webhook(messages, store, day=DAY),
}


@dataclass
class Backend:
    """A store under test and how to read back every byte it holds."""

    store: CountStore
    dump: Callable[[], list[tuple[str, bytes]]]


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path / "var" / "counts.sqlite3"
        store = SqliteCountStore(path)

        def dump_sqlite() -> list[tuple[str, bytes]]:
            # Read while the connection is open, so the -wal and -shm files are there too.
            files = sorted(path.parent.glob(path.name + "*"))
            assert any(f.name.endswith("-wal") for f in files), files
            return [(f.name, f.read_bytes()) for f in files]

        yield Backend(store, dump_sqlite)
        store.close()
    else:
        request.getfixturevalue("dynamodb_env")
        dynamo = DynamoCountStore(f"privacy-{letters_only_id()}")
        dynamo.init()
        client = dynamodb_client(fast=False)

        def dump_dynamodb() -> list[tuple[str, bytes]]:
            items, start = [], None
            while True:
                page = client.scan(
                    TableName=dynamo.table, **({"ExclusiveStartKey": start} if start else {})
                )
                items.extend(page["Items"])
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
            assert items
            # Table names only: response metadata (CRC32 headers) holds random digit runs.
            tables = client.list_tables()["TableNames"]
            return [("dynamodb scan", json.dumps([items, tables]).encode())]

        yield Backend(dynamo, dump_dynamodb)


def s3_objects(bucket: str) -> list[tuple[str, bytes]]:
    s3 = s3_client()
    found = []
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        found.append((f"s3://{bucket}/{obj['Key']}", obj["Key"].encode() + b"\n" + body))
    assert found
    return found


# Machine-made tokens in SDK debug logs (signatures, hashes, request ids, timestamps, object
# addresses) hold random digit runs that would match a 6-digit window of some number by chance.
# They are removed from log text before the scan; a number as people write it (+44..., 0044...,
# whatsapp:+...) is never part of such a token.
_MACHINE_TOKENS = re.compile(
    r"0x[0-9a-f]+"
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|\b(?=[0-9a-z]*[a-z])(?=[0-9a-z]*[0-9])[0-9a-z]{20,}\b"
    r"|\b\d{8}t\d{6}z\b"
    # DynamoDB's response checksum header: a random decimal number of up to 10 digits.
    r"|x-amz-crc32\W+\d+",
)


def letters_only_id() -> str:
    """A unique name for a table or bucket with no digits in it (so it cannot match a number)."""
    return uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))[:12]


def scrub(text: str) -> str:
    """Log text without machine-made tokens (see _MACHINE_TOKENS)."""
    return _MACHINE_TOKENS.sub(" ", text.lower())


def hits(sources: list[tuple[str, bytes]], needles: dict[str, str]) -> list[str]:
    """Every (source, what) where a needle occurs; case-insensitive, bytes decoded leniently."""
    found = []
    for source, data in sources:
        text = data.decode("utf-8", errors="replace").lower()
        # Stores may escape non-ASCII; the needles are ASCII, so this catches them as well.
        for needle, what in needles.items():
            at = text.find(needle)
            if at >= 0:
                # Fake data only, so the context may be shown: it makes a failure quick to fix.
                found.append(f"{what} in {source}: ...{text[max(0, at - 60) : at + 20]!r}")
    return found


@pytest.mark.parametrize("delivery", sorted(DELIVERIES))
def test_nothing_personal_reaches_a_store_an_export_or_a_log(
    delivery: str,
    backend: Backend,
    s3_env: LocalServer,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, botocore and urllib3 included
    for name in ("botocore", "urllib3", "adviceline"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    sent = make_messages()

    DELIVERIES[delivery](sent.messages, backend.store)

    bucket = f"privacy-{letters_only_id()}"
    s3_client().create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    export_day(backend.store, s3_client(), bucket, DAY, suppress_below=0)
    export_day(backend.store, s3_client(), bucket, DAY, suppress_below=10)
    rows = dict(backend.store.rows(DAY, DAY))
    assert sum(rows.values()) == MESSAGES  # the path really counted every message

    logs = scrub(
        "\n".join(
            f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
        )
    )
    assert "botocore" in logs  # the premise: DEBUG output of the AWS SDK was captured
    printed = capfd.readouterr()
    sources = [
        *backend.dump(),
        *s3_objects(bucket),
        ("log records", logs.encode()),
        ("stdout", scrub(printed.out).encode()),
        ("stderr", scrub(printed.err).encode()),
    ]
    assert hits(sources, sent.needles()) == []


def test_the_scan_finds_a_planted_leak() -> None:
    # The scan must be able to fail: a number, a name and a word planted in a file are found.
    sent = make_messages()
    planted = [
        ("file", f"x{sent.numbers[7][2:9]}x".encode()),
        ("log", scrub(f"from=whatsapp:+{sent.numbers[8]} sig=9f3a77c0d1").encode()),
        ("log", scrub(f"hello {sent.names[3].upper()}").encode()),
        ("csv", f"day,{sent.words[250]}\n".encode()),
    ]
    for source in planted:
        assert hits([source], sent.needles()), source
