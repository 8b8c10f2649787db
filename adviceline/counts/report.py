"""Reading counts for people: date ranges, dimensions, suppressed tables, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Final

from adviceline.counts.errors import CountsQueryError
from adviceline.counts.store import CountStore
from adviceline.counts.suppression import DIMENSIONS, Protected, protect

__all__ = [
    "DEFAULT_DAYS",
    "DIMENSIONS",
    "EARLIEST_DAY",
    "MAX_DAYS",
    "Row",
    "parse_by",
    "parse_day",
    "parse_range",
    "report",
    "rows_to_csv",
    "summary",
    "table_rows",
    "total",
    "view",
]

DEFAULT_DAYS: Final = 28
MAX_DAYS: Final = 366
# Nothing was counted before this; it also keeps date arithmetic far from date.min.
EARLIEST_DAY: Final = date(2020, 1, 1)

# One row of a report: the `by` dimensions (day as an ISO string) and "n" (None when suppressed).
Row = dict[str, str | int | None]


def parse_day(value: str, *, name: str = "date") -> date:
    """An ISO calendar date (YYYY-MM-DD); the error never repeats the input."""
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CountsQueryError(f"{name} must be a date written YYYY-MM-DD") from None


def parse_range(from_: str | None, to: str | None, *, today: date) -> tuple[date, date]:
    """The inclusive UTC day range asked for; default: the last 28 days ending today."""
    end = parse_day(to, name="to") if to else today
    start = parse_day(from_, name="from") if from_ else end - timedelta(days=DEFAULT_DAYS - 1)
    # Tomorrow is allowed: an administrator ahead of UTC may already be there.
    latest = today + timedelta(days=1)
    for name, day in (("from", start), ("to", end)):
        if not EARLIEST_DAY <= day <= latest:
            raise CountsQueryError(
                f"{name} must be between {EARLIEST_DAY.isoformat()} and {latest.isoformat()}"
            )
    if start > end:
        raise CountsQueryError("from must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise CountsQueryError(f"a range may cover at most {MAX_DAYS} days")
    return start, end


def parse_by(by: str | None) -> tuple[str, ...]:
    """Comma-separated dimensions, returned in DIMENSIONS order; default: all five."""
    if by is None or not by.strip():
        return DIMENSIONS
    names = {part.strip().lower() for part in by.split(",") if part.strip()}
    if not names or names - set(DIMENSIONS):
        raise CountsQueryError("by must be a comma-separated list of: " + ",".join(DIMENSIONS))
    return tuple(name for name in DIMENSIONS if name in names)


def view(store: CountStore, start: date, end: date, suppress_below: int) -> Protected:
    """Every table of the range, protected together; read the store once, then ask it anything."""
    cells = (
        (
            (key.day.isoformat(), key.channel, key.country, key.language, key.topic),
            n,
        )
        for key, n in store.rows(start, end)
    )
    return protect(cells, suppress_below)


def table_rows(protected: Protected, by: Sequence[str]) -> list[Row]:
    """One suppressed table of `protected` as report rows."""
    dims = [name for name in DIMENSIONS if name in by]
    rows: list[Row] = []
    for key, n in protected.table(dims):
        row: Row = dict(zip(dims, key, strict=True))
        row["n"] = n
        rows.append(row)
    return rows


def report(
    store: CountStore, start: date, end: date, by: Sequence[str], suppress_below: int
) -> list[Row]:
    """The suppressed table grouped by `by` over [start, end], sorted by its dimensions."""
    return table_rows(view(store, start, end, suppress_below), by)


def total(store: CountStore, start: date, end: date, suppress_below: int) -> int | None:
    """The grand total over [start, end], or None when it had to be suppressed."""
    return view(store, start, end, suppress_below).total()


def summary(protected: Protected) -> dict[str, object]:
    """The dashboard's numbers: the grand total and one breakdown per dimension."""
    return {
        "total": protected.total(),
        **{name: table_rows(protected, (name,)) for name in DIMENSIONS},
    }


def rows_to_csv(rows: Sequence[Row], by: Sequence[str]) -> str:
    """CSV with a header of the `by` dimensions and `n`; a suppressed n is an empty cell."""
    dims = [name for name in DIMENSIONS if name in by]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*dims, "n"])
    for row in rows:
        n = row.get("n")
        writer.writerow([*(row[name] for name in dims), "" if n is None else n])
    return out.getvalue()
