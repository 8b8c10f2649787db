"""Small-cell suppression, primary and secondary: the one rule every reader of counts applies.

Every reader (the `counts` CLI, the admin JSON, CSV and dashboard, the S3 export) publishes, for one
date range, some of the marginal tables of the count table F(day, channel, country, language,
topic) -> n. For a set of dimensions B, the table T_B groups F by B and sums n: T_() is the grand
total, T_(topic,) the topic breakdown, T_(day, topic) a `--by day,topic` table, T_(all five) F
itself. All 32 tables of one range are protected *together*, so any number of reports for the same
range (any `--by`, JSON, CSV, dashboard) agree with each other and reveal no more combined than
each alone. With k = SUPPRESS_BELOW (0 disables suppression):

1. Primary suppression: every cell of every T_B with 0 < n < k is suppressed. Cells with n = 0
   do not exist and are never shown (a zero is not a person).
2. Secondary suppression: every cell of T_B (B not empty) is, for each dimension d in B, a child
   of the cell of T_(B without d) with the same other values, and that parent is the sum of its
   children. For each such relation {parent} + children, the number of suppressed members must
   never be exactly one, because the published members would give it away by subtraction. While
   some relation has exactly one: suppress its smallest unsuppressed child (ties: the lower key),
   or the parent when no child is left; then look again at every relation the newly suppressed
   cell belongs to. This ends: every step suppresses one more cell.

So: a group (a `--by` table, a row or column of one, a day's breakdown) never has a lone suppressed
cell beside its published total; a suppressed single-cell group suppresses its total; a total that
had to be suppressed hides at least one of its parts too, whichever table shows them.

Limits, stated plainly: the protection covers one date range. Two reports for overlapping ranges
differ by the days at their ends, and those differences are not protected here; the per-day cells
in any `--by day,...` table are themselves protected. The rule is the standard necessary
condition (no relation with a lone unknown), not an exact audit of every combination of
relations; tests/test_counts_suppression.py attacks it with exact linear algebra.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final

__all__ = ["DIMENSIONS", "Protected", "protect"]

DIMENSIONS: Final = ("day", "channel", "country", "language", "topic")

Key = tuple[str, ...]
Dims = tuple[int, ...]  # indices into DIMENSIONS, ascending
Cell = tuple[Dims, Key]
Relation = tuple[Dims, int, Key]  # child table, the dimension summed away, the parent's key


@dataclass(frozen=True, slots=True)
class Protected:
    """Every marginal table of one date range, with the cells that may not be shown."""

    tables: Mapping[Dims, Mapping[Key, int]]
    suppressed: frozenset[Cell]

    def table(self, by: Sequence[str]) -> list[tuple[Key, int | None]]:
        """T_by as (values in DIMENSIONS order, n or None when suppressed), sorted by values."""
        dims = _dims(by)
        cells = self.tables.get(dims, {})
        return [
            (key, None if (dims, key) in self.suppressed else n) for key, n in sorted(cells.items())
        ]

    def total(self) -> int | None:
        """The grand total, or None when it had to be suppressed."""
        cells = self.tables.get((), {})
        n = cells.get((), 0)
        return None if ((), ()) in self.suppressed else n


def protect(cells: Iterable[tuple[Key, int]], suppress_below: int) -> Protected:
    """Build all marginal tables of `cells` (5-tuples of DIMENSIONS values) and suppress them."""
    if suppress_below < 0:
        raise ValueError("suppress_below must not be negative")
    fine: dict[Key, int] = defaultdict(int)
    for key, n in cells:
        if len(key) != len(DIMENSIONS):
            raise ValueError("a count cell has one value per dimension")
        fine[key] += n
    tables = _marginals({key: n for key, n in fine.items() if n > 0})
    if suppress_below == 0:
        return Protected(tables, frozenset())
    return Protected(tables, _suppress(tables, suppress_below))


def _dims(by: Sequence[str]) -> Dims:
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise ValueError("unknown dimension; use " + ", ".join(DIMENSIONS))
    return tuple(i for i, name in enumerate(DIMENSIONS) if name in by)


def _marginals(fine: Mapping[Key, int]) -> dict[Dims, dict[Key, int]]:
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


def _suppress(tables: Mapping[Dims, Mapping[Key, int]], below: int) -> frozenset[Cell]:
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
    while leaks := _audit(tables, suppressed, below):
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


# The exact audit runs when the range has at most this many hidden finest cells (it costs about
# a second at that size); larger tables are dense, where the rule above has been enough.
AUDIT_LIMIT: Final = 3000
_PRIME: Final = (1 << 61) - 1


def _audit(
    tables: Mapping[Dims, Mapping[Key, int]], suppressed: set[Cell], below: int
) -> list[Cell]:
    """Small cells that published cells determine exactly (linear algebra modulo a large prime)."""
    every = tuple(range(len(DIMENSIONS)))
    hidden = sorted(key for key in tables[every] if (every, key) in suppressed)
    if not hidden or len(hidden) > AUDIT_LIMIT:
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
