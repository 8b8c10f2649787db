"""The admin routes' questions to the counts area: parameters in, suppressed tables out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from werkzeug.datastructures import MultiDict

from adviceline.counts.errors import CountsQueryError
from adviceline.counts.report import Row, parse_by, parse_range, rows_to_csv, table_rows, view
from adviceline.counts.store import CountStore
from adviceline.web.admin_view import Fetch

__all__ = [
    "CountsQueryError",
    "Query",
    "as_csv",
    "as_json",
    "fetcher",
    "parse_query",
    "parse_range",
    "today",
]


def today() -> date:
    """The current UTC day: counts are kept per UTC day."""
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class Query:
    """A validated request for counts: an inclusive day range and the dimensions to group by."""

    start: date
    end: date
    by: tuple[str, ...]

    def filename(self) -> str:
        """A download name that says what is inside; built only from validated values."""
        dims = "-".join(self.by) if self.by else "total"
        return f"adviceline-counts_{self.start.isoformat()}_{self.end.isoformat()}_by-{dims}.csv"


def parse_query(args: MultiDict[str, str], *, today: date) -> Query:
    """`from`, `to` and `by` from a query string, checked by the counts area's own rules."""
    start, end = parse_range(args.get("from"), args.get("to"), today=today)
    # `by=day&by=topic` means the same as `by=day,topic`.
    by_values = [value for value in args.getlist("by") if value.strip()]
    by = parse_by(",".join(by_values) if by_values else None)
    return Query(start, end, by)


def as_json(store: CountStore, query: Query, suppress_below: int) -> list[Row]:
    """The body of /admin/api/counts: the array `adviceline counts --json` prints."""
    return table_rows(view(store, query.start, query.end, suppress_below), query.by)


def as_csv(store: CountStore, query: Query, suppress_below: int) -> str:
    """The body of /admin/counts.csv: the same CSV as `adviceline counts --csv`."""
    rows = table_rows(view(store, query.start, query.end, suppress_below), query.by)
    return rows_to_csv(rows, query.by)


def fetcher(store: CountStore, start: date, end: date, suppress_below: int) -> Fetch:
    """A function that reads any table of the range, all protected together (one store read)."""
    protected = view(store, start, end, suppress_below)

    def fetch(by: tuple[str, ...]) -> Sequence[Row]:
        return table_rows(protected, by)

    return fetch
