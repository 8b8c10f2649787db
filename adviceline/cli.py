"""Command line: `adviceline reply|chat|check-content|counts|serve|send` (verbs in DESIGN.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser with every verb; each area registers its own verbs."""
    # Imported here so `adviceline --help` stays fast and each area owns its arguments.
    from adviceline import cli_advice
    from adviceline.counts import cli as counts_cli
    from adviceline.web import cli as web_cli

    parser = argparse.ArgumentParser(
        prog="adviceline",
        description="SMS and WhatsApp advice line for people blackmailed with intimate images.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    cli_advice.register(verbs)
    counts_cli.register(verbs)
    web_cli.register(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    return status
