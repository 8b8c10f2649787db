"""The advice engine's CLI verbs: `reply`, `chat`, `check-content`; none records anything."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from adviceline.topics import CHANNELS, TOPICS, Channel

if TYPE_CHECKING:
    from adviceline.content import Content

__all__ = ["record", "register", "reply_lines"]

_FIELDS = ("topic", "language", "country", "channel", "segments", "encoding", "reply")


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add reply, chat and check-content to the `adviceline` command."""
    reply = verbs.add_parser(
        "reply",
        help="print what the line would answer (records nothing)",
        description="Print what the line would answer to TEXT; nothing is recorded. With --jsonl, "
        'read lines {"from", "body", "channel"} on stdin and write one JSON line per input line: '
        '{"topic", "language", "country", "channel", "segments", "encoding", "reply"}. A line '
        'that is not such an object gives {"error": ...} in its place (and on stderr); the batch '
        "goes on and the exit status is 1.",
    )
    reply.add_argument("--from", dest="sender", default="", metavar="E164", help="sender number")
    reply.add_argument("--country", default=None, help="Twilio's FromCountry (ISO code)")
    reply.add_argument("--channel", choices=CHANNELS, default="sms")
    reply.add_argument("--json", action="store_true", help="print one JSON object")
    reply.add_argument("--jsonl", action="store_true", help="batch: JSON lines on stdin")
    reply.add_argument("--messages", type=Path, default=None, help=argparse.SUPPRESS)
    reply.add_argument("text", nargs="*", metavar="TEXT")
    reply.set_defaults(func=_reply)

    chat = verbs.add_parser("chat", help="interactive simulator (records nothing)")
    chat.add_argument("--from", dest="sender", default="", metavar="E164")
    chat.add_argument("--country", default=None, help="Twilio's FromCountry (ISO code)")
    chat.add_argument("--channel", choices=CHANNELS, default="sms")
    chat.add_argument("--messages", type=Path, default=None, help=argparse.SUPPRESS)
    chat.set_defaults(func=_chat)

    check = verbs.add_parser(
        "check-content",
        help="validate messages/ over every language, topic, channel and country",
    )
    check.add_argument("--quiet", action="store_true", help="print only problems")
    check.add_argument("--messages", type=Path, default=None, help="a messages/ directory")
    check.set_defaults(func=_check)


def record(
    body: str, sender: str, channel: Channel, from_country: str | None = None, *, content: Content
) -> dict[str, Any]:
    """The answer to one message as the --json/--jsonl object, fields in DESIGN.md's order."""
    from adviceline.inbound import Inbound, answer
    from adviceline.segments import count_segments

    result = answer(Inbound(channel, sender, body, from_country), content)
    seg = count_segments(result.reply)
    # WhatsApp is billed per message, not per segment: Twilio reports 1 for it.
    segments = seg.segments if channel == "sms" else 1
    values = (result.topic, result.language, result.country, channel)
    return dict(zip(_FIELDS, (*values, segments, seg.encoding, result.reply), strict=True))


def reply_lines(lines: Iterable[str], out: IO[str], err: IO[str], *, content: Content) -> int:
    """Answer JSON lines; a bad line gives an error line in its place. Returns the exit status."""
    status = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("not a JSON object")
            body, sender = item.get("body", ""), item.get("from", "")
            channel = item.get("channel", "sms") or "sms"
            country = item.get("from_country", item.get("country"))
            if not isinstance(body, str) or not isinstance(sender, str):
                raise ValueError('"body" and "from" must be strings')
            if channel not in CHANNELS:
                raise ValueError('"channel" must be "sms" or "whatsapp"')
            if country is not None and not isinstance(country, str):
                raise ValueError('"from_country" must be a string')
            out_item: dict[str, Any] = record(
                body, sender, cast(Channel, channel), country, content=content
            )
        except ValueError as exc:  # JSONDecodeError included; the line itself is never echoed
            reason = "not valid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            message = f"line {number}: {reason}"
            print(message, file=err)
            out_item = {"error": message}
            status = 1
        out.write(json.dumps(out_item, ensure_ascii=False) + "\n")
        out.flush()
    return status


def _content(path: Path | None) -> Content:
    from adviceline.content import default_content, load_content

    return load_content(path) if path is not None else default_content()


def _reply(args: argparse.Namespace) -> int:
    content = _content(args.messages)
    if args.jsonl:
        if args.text:
            print("reply: give TEXT or --jsonl, not both", file=sys.stderr)
            return 2
        return reply_lines(sys.stdin, sys.stdout, sys.stderr, content=content)
    item = record(" ".join(args.text), args.sender, args.channel, args.country, content=content)
    if args.json:
        print(json.dumps(item, ensure_ascii=False, indent=2))
    else:
        print(item["reply"])
    return 0


def _chat(args: argparse.Namespace) -> int:
    content = _content(args.messages)
    sender, channel, country = args.sender, args.channel, args.country
    print(
        "Type a message as someone texting the line would. Nothing is recorded.\n"
        "Commands: /from +E164   /country CC   /channel sms|whatsapp   /help   Ctrl-D to quit."
    )
    while True:
        try:
            line = input(f"{channel}> ")
        except EOFError:
            print()
            return 0
        command, _, value = line.strip().partition(" ")
        if command == "/from":
            sender = value.strip()
        elif command == "/country":
            country = value.strip().upper() or None
        elif command == "/channel" and value.strip() in CHANNELS:
            channel = value.strip()
        elif command in {"/help", "/channel"}:
            print(f"/channel sms|whatsapp; topics: {' '.join(TOPICS)}")
        else:
            item = record(line, sender, channel, country, content=content)
            print(f"\n{item['reply']}\n")
            print(
                f"  [topic {item['topic']} | language {item['language']} | country "
                f"{item['country']} | {channel} | {item['segments']} segment(s) {item['encoding']}"
                f" | {len(item['reply'])} chars]\n"
            )
            continue
        where = sender or "no number"
        print(f"  [from {where} | country {country or 'from the number'} | channel {channel}]")


def _check(args: argparse.Namespace) -> int:
    from adviceline.content_check import check_content

    report = check_content(args.messages)
    if not args.quiet:
        print(f"Countries checked: {' '.join(report.countries)}")
        print("language topic      SMS (most segments)  WhatsApp (most chars)")
        for (code, topic), cell in report.cells.items():
            print(
                f"{code:8} {topic:10}  {cell.sms_segments} {cell.sms_encoding:16} "
                f"{cell.whatsapp_chars:5}"
            )
        if report.shown_m:
            print("\nMedium-confidence entries shown in replies (re-verify before launch):")
            print("\n".join(f"  {line}" for line in report.shown_m))
        if report.warnings:
            print("\nWarnings:")
            print("\n".join(f"  {line}" for line in report.warnings))
    if report.problems:
        print(f"\n{len(report.problems)} problem(s):", file=sys.stderr)
        print("\n".join(f"  {line}" for line in report.problems), file=sys.stderr)
        return 1
    if not args.quiet:
        print("\nNo problems.")
    return 0
