"""The routing table: every line of tests/data/routing/*.jsonl routes to its topic and language.

Each line: {"body": str, "topic": str, "language": str, "from": optional E.164 sender}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adviceline.content import default_content
from adviceline.countries import sender_country
from adviceline.topics import LANGUAGES, TOPICS

TABLE = Path(__file__).parent / "data" / "routing"
CONTENT = default_content()


def _rows() -> list[Any]:
    rows = []
    for path in sorted(TABLE.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rows.append(pytest.param(json.loads(line), id=f"{path.stem}:{number}"))
    return rows


ROWS = _rows()


@pytest.mark.parametrize("row", ROWS)
def test_message_routes_to_its_topic_and_language(row: dict[str, Any]) -> None:
    assert set(row) <= {"body", "topic", "language", "from"}
    assert row["topic"] in TOPICS
    assert row["language"] in LANGUAGES
    country = sender_country(row.get("from", ""), None)
    routed = CONTENT.route(row["body"], country=country)
    assert (routed.topic, routed.language) == (row["topic"], row["language"])


def test_table_is_big_and_covers_every_language_and_topic() -> None:
    rows = [p.values[0] for p in ROWS]
    assert len(rows) >= 300
    assert {r["language"] for r in rows} == set(LANGUAGES)
    assert {r["topic"] for r in rows} == set(TOPICS)
    danger = [r for r in rows if r["topic"] == "danger"]
    assert {r["language"] for r in danger} == set(LANGUAGES)
