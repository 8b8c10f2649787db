"""`adviceline counts [--from D] [--to D] [--by DIMS] [--csv | --json]` and `counts init`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from adviceline.config import ConfigError, Settings
from adviceline.counts.errors import CountsQueryError, CountStoreError
from adviceline.counts.report import (
    DIMENSIONS,
    Row,
    parse_by,
    parse_range,
    rows_to_csv,
    table_rows,
    view,
)

__all__ = ["SUPPRESSED_MARK", "format_table", "register"]

# What the plain table shows for a suppressed cell (JSON has null, CSV an empty cell).
SUPPRESSED_MARK = "suppressed"

_EPILOG = """\
Counts are per UTC day. Cells below SUPPRESS_BELOW (default 10) are suppressed, and so is any
other cell or total that would let one be worked out by subtraction.
"""


def register(verbs: Any) -> None:
    """Add `counts` (and its `init`) to the CLI's verbs."""
    parser = verbs.add_parser(
        "counts",
        help="show the anonymised, suppressed counts",
        description="Show the anonymised counts, suppressed, for a range of UTC days.",
        epilog=_EPILOG,
    )
    parser.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--to", metavar="YYYY-MM-DD", help="last day (default: today, UTC)")
    parser.add_argument(
        "--by",
        metavar="DIMS",
        help="comma-separated dimensions to group by, of: " + ",".join(DIMENSIONS),
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help="print CSV")
    output.add_argument("--json", action="store_true", help="print a JSON array")
    parser.set_defaults(func=_report, counts_parser=parser)
    actions = parser.add_subparsers(dest="counts_action", metavar="{init}")
    init = actions.add_parser(
        "init",
        help="create the configured store's table (safe to run again)",
        description="Create the configured count store's table or schema; safe to run again.",
    )
    init.set_defaults(func=_init, counts_parser=init)


def _report(args: argparse.Namespace) -> int:
    from adviceline.counts.factory import open_store
    from adviceline.inbound import utc_today

    try:
        settings = Settings.from_env()
        start, end = parse_range(args.from_, args.to, today=utc_today())
        by = parse_by(args.by)
    except (ConfigError, CountsQueryError) as exc:
        args.counts_parser.error(str(exc))  # exits with status 2
    try:
        protected = view(open_store(settings), start, end, settings.suppress_below)
    except (ConfigError, CountStoreError) as exc:
        print(f"adviceline counts: {exc}", file=sys.stderr)
        return 1
    rows = table_rows(protected, by)
    if args.json:
        print(json.dumps(rows, indent=1))
    elif args.csv:
        sys.stdout.write(rows_to_csv(rows, by))
    else:
        print(f"Counts for {start.isoformat()} to {end.isoformat()} (UTC), by {','.join(by)}")
        print(format_table(rows, by))
        grand = protected.total()
        print(f"total: {SUPPRESSED_MARK if grand is None else grand}")
        if settings.suppress_below:
            print(
                f"'{SUPPRESSED_MARK}': fewer than {settings.suppress_below} messages, "
                "or a figure that would reveal such a cell."
            )
    return 0


def _init(args: argparse.Namespace) -> int:
    from adviceline.counts.factory import open_store

    try:
        settings = Settings.from_env()
        store = open_store(settings)
        store.init()
    except ConfigError as exc:
        args.counts_parser.error(str(exc))
    except CountStoreError as exc:
        print(f"adviceline counts init: {exc}", file=sys.stderr)
        return 1
    where = (
        f"DynamoDB table {settings.counts_table}"
        if settings.counts_backend == "dynamodb"
        else f"SQLite file {settings.counts_db}"
    )
    print(f"counts store ready: {where}")
    return 0


def format_table(rows: list[Row], by: tuple[str, ...] | list[str]) -> str:
    """A plain, aligned text table; suppressed cells read SUPPRESSED_MARK."""
    header = [*by, "n"]
    body = [
        [*(str(row[name]) for name in by), SUPPRESSED_MARK if row["n"] is None else str(row["n"])]
        for row in rows
    ]
    if not body:
        return "(no counts in this range)"
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        left = [cell.ljust(width) for cell, width in zip(cells[:-1], widths, strict=False)]
        return "  ".join([*left, cells[-1].rjust(widths[-1])])

    return "\n".join([line(header), *(line(cells) for cells in body)])
