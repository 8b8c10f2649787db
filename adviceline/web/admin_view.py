"""What the dashboard shows, built from suppressed report rows; no Flask, no store."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from adviceline.counts.report import DEFAULT_DAYS
from adviceline.topics import CHANNELS, OTHER_TOPIC, UNKNOWN_COUNTRY, UNKNOWN_LANGUAGE

__all__ = [
    "BREAKDOWNS",
    "DEFAULT_DAYS",
    "PRESET_DAYS",
    "Breakdown",
    "Cell",
    "Dashboard",
    "Fetch",
    "build_dashboard",
    "default_range",
]

# The dashboard opens on the counts' default period (four weeks); the presets are one click away.
PRESET_DAYS: Final = (7, 28, 90, 365)

# `fetch(by)` gives the report rows of one grouping: the `by` values and "n" (None = suppressed).
Fetch = Callable[[tuple[str, ...]], Sequence[Mapping[str, Any]]]

TOPIC_LABELS: Final[Mapping[str, str]] = {
    "danger": "In danger",
    "blackmail": "Blackmail",
    "paid": "Already paid",
    "evidence": "Keeping evidence",
    "block": "Blocking",
    "report": "Reporting",
    "remove": "Image removal",
    "parent": "Parent or carer",
    "signs": "Is it a scam?",
    "support": "Emotional support",
    "menu": "Greeting or menu",
    OTHER_TOPIC: "Other",
}
LANGUAGE_LABELS: Final[Mapping[str, str]] = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "sv": "Swedish",
    UNKNOWN_LANGUAGE: "Unknown",
}
CHANNEL_LABELS: Final[Mapping[str, str]] = {"sms": "SMS", "whatsapp": "WhatsApp"}
# Country names for the line's usual countries; any other code is shown as it is.
COUNTRY_LABELS: Final[Mapping[str, str]] = {
    "AT": "Austria",
    "AU": "Australia",
    "BE": "Belgium",
    "CA": "Canada",
    "CH": "Switzerland",
    "DE": "Germany",
    "DK": "Denmark",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IT": "Italy",
    "LU": "Luxembourg",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PL": "Poland",
    "PT": "Portugal",
    "SE": "Sweden",
    "US": "United States",
    UNKNOWN_COUNTRY: "Unknown",
}


@dataclass(frozen=True, slots=True)
class BreakdownSpec:
    """One split of the counts: which dimension, and how the page names it."""

    dim: str
    title: str
    labels: Mapping[str, str]


BREAKDOWNS: Final = (
    BreakdownSpec("topic", "Topics", TOPIC_LABELS),
    BreakdownSpec("country", "Countries", COUNTRY_LABELS),
    BreakdownSpec("language", "Languages", LANGUAGE_LABELS),
    BreakdownSpec("channel", "Channels", CHANNEL_LABELS),
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure on the page; `n` is None when it is suppressed."""

    code: str
    label: str
    n: int | None
    share: float | None = None

    @property
    def suppressed(self) -> bool:
        """Whether the figure is hidden."""
        return self.n is None


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A split of the period's messages by one dimension, largest first, suppressed last."""

    dim: str
    title: str
    cells: tuple[Cell, ...]

    @property
    def suppressed(self) -> int:
        """How many of its cells are hidden."""
        return sum(cell.suppressed for cell in self.cells)

    @property
    def chartable(self) -> bool:
        """Whether a chart would show anything: at least one figure is not hidden."""
        return any(cell.n for cell in self.cells)


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard template renders."""

    start: date
    end: date
    suppress_below: int
    total: Cell
    channels: tuple[Cell, ...]
    per_day: tuple[Cell, ...]
    breakdowns: tuple[Breakdown, ...]
    empty: bool

    @property
    def days(self) -> int:
        """The number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def days_chartable(self) -> bool:
        """Whether the per-day chart would show anything."""
        return any(cell.n for cell in self.per_day)

    @property
    def hidden_days(self) -> int:
        """How many days are suppressed."""
        return sum(cell.suppressed for cell in self.per_day)

    @property
    def busiest_day(self) -> Cell | None:
        """The day with the most messages among those shown, if any has more than none."""
        shown = [c for c in self.per_day if c.n]
        return max(shown, key=lambda c: c.n or 0) if shown else None

    def chart_data(self) -> dict[str, Any]:
        """What the page's script draws, as plain JSON: labels and values (null = suppressed)."""
        charts: dict[str, Any] = {
            "per_day": _series(self.per_day, short=True),
        }
        for b in self.breakdowns:
            charts[b.dim] = _series(b.cells, short=False)
        return charts


def default_range(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The last `days` days, today included."""
    return today - timedelta(days=days - 1), today


def build_dashboard(fetch: Fetch, start: date, end: date, *, suppress_below: int) -> Dashboard:
    """Ask `fetch` for each grouping of the period and shape the answers for the page."""
    total_rows = fetch(())
    total_n = _single_total(total_rows)
    total = Cell("total", "Messages", total_n)
    empty = not total_rows or total_n == 0

    per_day_rows = {str(row["day"]): _n(row) for row in fetch(("day",))}
    per_day = tuple(
        Cell(d.isoformat(), d.strftime("%a %d %b"), per_day_rows.get(d.isoformat(), 0))
        for d in _days(start, end)
    )

    breakdowns = []
    channels: tuple[Cell, ...] = ()
    for spec in BREAKDOWNS:
        rows = fetch((spec.dim,))
        cells = [_cell(spec, str(row[spec.dim]), _n(row), total_n) for row in rows]
        if spec.dim == "channel":
            present = {c.code for c in cells}
            # Both channels are always shown: a channel with no messages is a fact, not a gap.
            cells += [_cell(spec, ch, 0, total_n) for ch in CHANNELS if ch not in present]
            channels = tuple(sorted(cells, key=lambda c: CHANNELS.index(c.code)))
        breakdowns.append(Breakdown(spec.dim, spec.title, _ordered(cells)))
    return Dashboard(
        start=start,
        end=end,
        suppress_below=suppress_below,
        total=total,
        channels=channels,
        per_day=per_day,
        breakdowns=tuple(breakdowns),
        empty=empty,
    )


def _n(row: Mapping[str, Any]) -> int | None:
    n = row.get("n")
    return None if n is None else int(n)


def _single_total(rows: Sequence[Mapping[str, Any]]) -> int | None:
    if not rows:
        return 0
    return _n(rows[0])


def _cell(spec: BreakdownSpec, code: str, n: int | None, total: int | None) -> Cell:
    share = n / total if n is not None and total else None
    return Cell(code, spec.labels.get(code, code), n, share)


def _ordered(cells: list[Cell]) -> tuple[Cell, ...]:
    # Largest first so the charts read top-down; hidden figures last, in a stable order.
    return tuple(sorted(cells, key=lambda c: (c.n is None, -(c.n or 0), c.label)))


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _series(cells: Sequence[Cell], *, short: bool) -> dict[str, Any]:
    return {
        "codes": [c.code for c in cells],
        "labels": [c.code if short else c.label for c in cells],
        "values": [c.n for c in cells],
    }
