"""The engine's CLI verbs: reply (text, --json, --jsonl), chat and check-content."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from adviceline.cli import main
from adviceline.cli_advice import reply_lines
from adviceline.content import default_content

FIELDS = ["topic", "language", "country", "channel", "segments", "encoding", "reply"]
ROOT = Path(__file__).resolve().parent.parent


def test_reply_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reply", "--from", "+447700900123", "i paid him"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("It is not your fault. Don't pay any more")
    assert "Text MENU for all topics." in out


def test_reply_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["reply", "--json", "--from", "whatsapp:+12025550143", "--channel", "whatsapp", "kms"]
    assert main(argv) == 0
    item = json.loads(capsys.readouterr().out)
    assert list(item) == FIELDS
    assert item["topic"] == "danger"
    assert (item["country"], item["channel"], item["language"]) == ("US", "whatsapp", "en")
    assert "911" in item["reply"][:40]


def test_reply_jsonl_batch_keeps_going_after_a_bad_line() -> None:
    lines = [
        json.dumps({"from": "+447700900123", "body": "he posted my pics", "channel": "sms"}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"from": "+33612345678", "body": "", "channel": "fax"}),
        "",
        json.dumps({"from": "+33612345678", "body": "SOS"}),
    ]
    out, err = io.StringIO(), io.StringIO()
    status = reply_lines(lines, out, err, content=default_content())
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 1
    assert len(results) == 5  # the blank line is skipped, every other line answered in order
    assert list(results[0]) == FIELDS
    assert results[0]["topic"] == "remove" and results[0]["country"] == "GB"
    assert results[1] == {"error": "line 2: not valid JSON"}
    assert results[2] == {"error": "line 3: not a JSON object"}
    assert results[3] == {"error": 'line 4: "channel" must be "sms" or "whatsapp"'}
    assert results[4]["topic"] == "danger" and results[4]["country"] == "FR"
    assert results[4]["channel"] == "sms"
    assert err.getvalue().count("line ") == 3
    assert "not json" not in err.getvalue()  # the input itself is never echoed


def test_reply_jsonl_end_to_end_through_the_console() -> None:
    lines = [
        {"from": "+447700900123", "body": "I paid and he wants more", "channel": "sms"},
        {"from": "whatsapp:+4915123456789", "body": "SOS", "channel": "whatsapp"},
        {"from": "+12025550143", "body": "how do I report him", "channel": "sms"},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    done = subprocess.run(
        [sys.executable, "-m", "adviceline", "reply", "--jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [list(r) for r in results] == [FIELDS] * 3
    assert [r["topic"] for r in results] == ["paid", "danger", "report"]
    assert [r["country"] for r in results] == ["GB", "DE", "US"]
    assert results[0]["encoding"] == "GSM-7" and 1 <= results[0]["segments"] <= 3
    assert results[2]["reply"].startswith("Report it to ")


def test_chat_shows_the_facts_under_each_reply(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("/from +33612345678\nSOS\n/channel whatsapp\nMENU\n")
    )
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "[topic danger | language fr | country FR | sms |" in out
    assert "[topic menu | language fr | country FR | whatsapp |" in out


def test_check_content_passes_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_check_content_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content"]) == 0
    out = capsys.readouterr().out
    assert "en       danger      " in out
    assert "Medium-confidence entries shown in replies" in out
    assert out.rstrip().endswith("No problems.")
