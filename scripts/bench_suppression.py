"""Benchmark of small-cell suppression against the implementation it replaced, in the same run.

`python scripts/bench_suppression.py` times `protect()` on made-up counts with a realistic,
skewed spread (19 countries, 9 languages, 11 topics, 2 channels) for 28, 90 and 366 days at 100
and 400 messages a day, several seeds each, and the reference implementation on one seed each
(stopped after --reference-timeout seconds: it takes minutes on the larger ranges). For every
reference run it also checks that both suppress exactly the same cells. A second table times
the exact audit near AUDIT_LIMIT, including spreads where it stops at AUDIT_STEPS.

The reference is the earlier implementation, kept verbatim below (renamed) so that tests can
compare against it too. It looks at the primary cells in the order a Python set of strings
happens to iterate, which changes with PYTHONHASHSEED from one process to the next; the
comparison gives the new code that same order (`_protect(..., first=...)`), and the new code
otherwise uses a fixed order.
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from itertools import combinations
from types import FrameType
from typing import Final

from adviceline.counts.suppression import AUDIT_LIMIT, AUDIT_STEPS, DIMENSIONS, _protect, protect

Key = tuple[str, ...]
Dims = tuple[int, ...]
Cell = tuple[Dims, Key]
Relation = tuple[Dims, int, Key]
Counts = list[tuple[Key, int]]

# -- realistic counts ----------------------------------------------------------------------------

COUNTRIES: Final = {
    # country: its usual language; ZZ is an unknown country.
    "GB": "en", "US": "en", "FR": "fr", "DE": "de", "ES": "es", "IT": "it", "NL": "nl",
    "PL": "pl", "PT": "pt", "SE": "sv", "BE": "nl", "IE": "en", "CA": "en", "AU": "en",
    "AT": "de", "CH": "de", "BR": "pt", "MX": "es", "ZZ": "en",
}  # fmt: skip
LANGUAGES: Final = ("en", "fr", "de", "es", "it", "nl", "pl", "pt", "sv")
TOPICS: Final = (
    "danger", "blackmail", "paid", "evidence", "block", "report", "remove", "parent", "signs",
    "support", "menu",
)  # fmt: skip


def realistic_cells(days: int, per_day: int, seed: int, *, own_language: float = 0.3) -> Counts:
    """Made-up counts: skewed countries and topics, some languages not the country's own."""
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    country_weights = [1 / (i + 1) ** 0.6 for i in range(len(countries))]
    topic_weights = [1 / (i + 1) ** 0.5 for i in range(len(TOPICS))]
    rng.shuffle(topic_weights)
    counts: dict[Key, int] = defaultdict(int)
    start = date(2025, 1, 1)
    for offset in range(days):
        day = (start + timedelta(days=offset)).isoformat()
        messages = max(0, round(rng.gauss(per_day, per_day**0.5)))
        picked = zip(
            rng.choices(countries, country_weights, k=messages),
            rng.choices(TOPICS, topic_weights, k=messages),
            strict=True,
        )
        for country, topic in picked:
            own = rng.random() < own_language
            language = COUNTRIES[country] if own else rng.choice(LANGUAGES)
            channel = "sms" if rng.random() < 0.55 else "whatsapp"
            counts[(day, channel, country, language, topic)] += 1
    return list(counts.items())


# -- the reference: the earlier implementation, verbatim but for names ---------------------------


@dataclass(frozen=True, slots=True)
class ReferenceProtected:
    """Every marginal table of one date range, with the cells that may not be shown."""

    tables: Mapping[Dims, Mapping[Key, int]]
    suppressed: frozenset[Cell]

    def table(self, by: Sequence[str]) -> list[tuple[Key, int | None]]:
        """T_by as (values in DIMENSIONS order, n or None when suppressed), sorted by values."""
        dims = _reference_dims(by)
        cells = self.tables.get(dims, {})
        return [
            (key, None if (dims, key) in self.suppressed else n) for key, n in sorted(cells.items())
        ]

    def total(self) -> int | None:
        """The grand total, or None when it had to be suppressed."""
        cells = self.tables.get((), {})
        n = cells.get((), 0)
        return None if ((), ()) in self.suppressed else n


def reference_protect(cells: Iterable[tuple[Key, int]], suppress_below: int) -> ReferenceProtected:
    """Build all marginal tables of `cells` (5-tuples of DIMENSIONS values) and suppress them."""
    if suppress_below < 0:
        raise ValueError("suppress_below must not be negative")
    fine: dict[Key, int] = defaultdict(int)
    for key, n in cells:
        if len(key) != len(DIMENSIONS):
            raise ValueError("a count cell has one value per dimension")
        fine[key] += n
    tables = _reference_marginals({key: n for key, n in fine.items() if n > 0})
    if suppress_below == 0:
        return ReferenceProtected(tables, frozenset())
    return ReferenceProtected(tables, _reference_suppress(tables, suppress_below))


def reference_first(cells: Iterable[tuple[Key, int]], suppress_below: int) -> list[Cell]:
    """The primary cells in the order reference_protect looks at them, in this process."""
    fine: dict[Key, int] = defaultdict(int)
    for key, n in cells:
        fine[key] += n
    tables = _reference_marginals({key: n for key, n in fine.items() if n > 0})
    # Built exactly as in _reference_suppress, so the set iterates in the same order.
    suppressed: set[Cell] = {
        (dims, key)
        for dims, table in tables.items()
        for key, n in table.items()
        if n < suppress_below
    }
    return list(suppressed)


def _reference_dims(by: Sequence[str]) -> Dims:
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise ValueError("unknown dimension; use " + ", ".join(DIMENSIONS))
    return tuple(i for i, name in enumerate(DIMENSIONS) if name in by)


def _reference_marginals(fine: Mapping[Key, int]) -> dict[Dims, dict[Key, int]]:
    # Each table is summed from a finer one that has exactly one dimension more, which is much
    # cheaper than summing all 32 from the finest table.
    every = tuple(range(len(DIMENSIONS)))
    tables: dict[Dims, dict[Key, int]] = {every: dict(fine)}
    for size in range(len(DIMENSIONS) - 1, -1, -1):
        for dims in combinations(every, size):
            extra = min(set(every) - set(dims))
            finer = tuple(sorted((*dims, extra)))
            drop = finer.index(extra)
            table: dict[Key, int] = defaultdict(int)
            for key, n in tables[finer].items():
                table[key[:drop] + key[drop + 1 :]] += n
            tables[dims] = dict(table)
    return tables


def _reference_suppress(tables: Mapping[Dims, Mapping[Key, int]], below: int) -> frozenset[Cell]:
    children: dict[Relation, list[Key]] = defaultdict(list)
    for dims, table in tables.items():
        for key in table:
            for pos in range(len(dims)):
                children[(dims, dims[pos], key[:pos] + key[pos + 1 :])].append(key)

    def relations_of(cell: Cell) -> list[Relation]:
        dims, key = cell
        # As a child: one relation per dimension it has.
        found = [(dims, dims[pos], key[:pos] + key[pos + 1 :]) for pos in range(len(dims))]
        # As a parent: one relation per dimension it lacks (when that finer group has cells).
        for dim in range(len(DIMENSIONS)):
            if dim not in dims:
                rel = (tuple(sorted((*dims, dim))), dim, key)
                if rel in children:
                    found.append(rel)
        return found

    def members(rel: Relation) -> list[Cell]:
        dims, dim, parent_key = rel
        parent: Cell = (tuple(d for d in dims if d != dim), parent_key)
        return [parent, *((dims, k) for k in children[rel])]

    def settle(queue: deque[Relation]) -> None:
        # The lone-member rule, to a fixpoint.
        while queue:
            rel = queue.popleft()
            dims = rel[0]
            parent, *kids = members(rel)
            if (parent in suppressed) + sum(kid in suppressed for kid in kids) != 1:
                continue
            table = tables[dims]
            open_kids = [kid for kid in kids if kid not in suppressed]
            chosen = min(open_kids, key=lambda c: (table[c[1]], c[1])) if open_kids else parent
            suppressed.add(chosen)
            queue.extend(relations_of(chosen))

    suppressed: set[Cell] = {
        (dims, key) for dims, table in tables.items() for key, n in table.items() if n < below
    }
    settle(deque(rel for cell in suppressed for rel in relations_of(cell)))
    while leaks := _reference_audit(tables, suppressed, below):
        # A small cell can still be worked out by combining several relations: hide one more
        # published cell beside it (the smallest), settle again, and audit again.
        queue: deque[Relation] = deque()
        for leak in leaks:
            near = {m for rel in relations_of(leak) for m in members(rel)} - suppressed
            if not near:
                near = {
                    m
                    for cell in suppressed.intersection(
                        m for rel in relations_of(leak) for m in members(rel)
                    )
                    for rel in relations_of(cell)
                    for m in members(rel)
                } - suppressed
            if near:
                chosen = min(near, key=lambda c: (tables[c[0]][c[1]], c))
                suppressed.add(chosen)
                queue.extend(relations_of(chosen))
        if not queue:
            break
        settle(queue)
    return frozenset(suppressed)


REFERENCE_AUDIT_LIMIT: Final = 3000
_PRIME: Final = (1 << 61) - 1


def _reference_audit(
    tables: Mapping[Dims, Mapping[Key, int]], suppressed: set[Cell], below: int
) -> list[Cell]:
    """Small cells that published cells determine exactly (linear algebra modulo a large prime)."""
    every = tuple(range(len(DIMENSIONS)))
    hidden = sorted(key for key in tables[every] if (every, key) in suppressed)
    if not hidden or len(hidden) > REFERENCE_AUDIT_LIMIT:
        return []
    # Unknowns: the hidden finest cells (published ones are known numbers). Every other cell
    # is the sum of the finest cells below it.
    index = {key: i for i, key in enumerate(hidden)}
    groups: dict[Cell, list[int]] = defaultdict(list)
    for dims in tables:
        if dims != every:
            for key in hidden:
                groups[(dims, tuple(key[d] for d in dims))].append(index[key])
    for key in hidden:
        groups[(every, key)].append(index[key])
    basis: dict[int, dict[int, int]] = {}

    def reduce(row: dict[int, int]) -> dict[int, int]:
        while row:
            pivot = max(row)
            known = basis.get(pivot)
            if known is None:
                return row
            factor = row[pivot]
            for col, value in known.items():
                new = (row.get(col, 0) - factor * value) % _PRIME
                if new:
                    row[col] = new
                else:
                    row.pop(col, None)
        return row

    for cell, unknowns in groups.items():
        if cell not in suppressed:
            row = reduce(dict.fromkeys(unknowns, 1))
            if row:
                pivot = max(row)
                inverse = pow(row[pivot], _PRIME - 2, _PRIME)
                basis[pivot] = {col: value * inverse % _PRIME for col, value in row.items()}
    return sorted(
        cell
        for cell, unknowns in groups.items()
        if cell in suppressed
        and tables[cell[0]][cell[1]] < below
        and not reduce(dict.fromkeys(unknowns, 1))
    )


# -- timing --------------------------------------------------------------------------------------


class _TimedOut(Exception):
    """The reference ran past its time limit."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimedOut


def timed(work: Callable[[], object]) -> float:
    """Wall-clock seconds one call takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def reference_run(cells: Counts, below: int, limit: float) -> tuple[float | None, bool | None]:
    """Seconds the reference takes (None past `limit`) and whether both suppress the same cells."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        start = time.perf_counter()
        reference = reference_protect(cells, below)
        seconds = time.perf_counter() - start
    except _TimedOut:
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    same = _protect(cells, below, first=reference_first(cells, below))
    return seconds, same.suppressed == reference.suppressed


def speed_table(args: argparse.Namespace) -> None:
    """Timings of protect() for each range and volume, against the reference."""
    print(f"suppress_below={args.below}; new: {args.seeds} seeds, median (max); reference: seed 0")
    header = f"{'days':>5} {'msgs/day':>8} {'cells':>7} {'new':>16} {'reference':>11} {'ratio':>7}"
    print(header + "  same cells")
    for days in args.days:
        for per_day in args.per_day:
            runs = [realistic_cells(days, per_day, seed) for seed in range(args.seeds)]
            times = [timed(partial(protect, cells, args.below)) for cells in runs]
            ref, same = (None, None)
            if args.reference_timeout > 0:
                ref, same = reference_run(runs[0], args.below, args.reference_timeout)
            new = f"{statistics.median(times):.3f}s ({max(times):.3f}s)"
            ref_text = f">{args.reference_timeout:.0f}s" if ref is None else f"{ref:.2f}s"
            ratio = "-" if ref is None else f"{ref / times[0]:.0f}x"
            if ref is None and args.reference_timeout > 0:
                ratio = f">{args.reference_timeout / times[0]:.0f}x"
            verdict = {True: "yes", False: "NO", None: "-"}[same]
            cells_text = f"{len(runs[0]):>7}"
            line = f"{days:>5} {per_day:>8} {cells_text} {new:>16} {ref_text:>11} {ratio:>7}"
            print(f"{line}  {verdict}", flush=True)


def audit_table(args: argparse.Namespace) -> None:
    """Timings where the exact audit runs: near AUDIT_LIMIT hidden cells of F."""
    print(f"\nexact audit (AUDIT_LIMIT={AUDIT_LIMIT} hidden cells of F, AUDIT_STEPS={AUDIT_STEPS})")
    print(f"{'days':>5} {'msgs/day':>8} {'below':>5} {'own lang':>8} {'cells':>6} {'seconds':>16}")
    shapes = [(28, 100, 10, 0.3), (60, 50, 10, 0.3), (7, 430, 10, 0.3), (28, 105, 10, 0.9)]
    # Low thresholds publish far more cells over the same hidden ones: the budget stops these.
    shapes += [(14, 224, 5, 0.3), (45, 54, 3, 0.3), (10, 241, 3, 0.3)]
    for days, per_day, below, own in shapes:
        runs = [
            realistic_cells(days, per_day, seed, own_language=own) for seed in range(args.seeds)
        ]
        times = [timed(partial(protect, cells, below)) for cells in runs]
        seconds = f"{statistics.median(times):.3f}s ({max(times):.3f}s)"
        line = f"{days:>5} {per_day:>8} {below:>5} {own:>8} {len(runs[0]):>6} {seconds:>16}"
        print(line, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="runs per range (default 3)")
    parser.add_argument("--below", type=int, default=10, help="SUPPRESS_BELOW (default 10)")
    parser.add_argument(
        "--days", type=int, nargs="+", default=[28, 90, 366], help="ranges (default 28 90 366)"
    )
    parser.add_argument("--per-day", type=int, nargs="+", default=[100, 400])
    parser.add_argument(
        "--reference-timeout",
        type=float,
        default=60,
        help="seconds before giving up on one reference run; 0 skips it (default 60)",
    )
    parser.add_argument("--no-audit", action="store_true", help="skip the audit table")
    args = parser.parse_args(argv)
    speed_table(args)
    if not args.no_audit:
        audit_table(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
