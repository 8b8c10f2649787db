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
   cell belongs to. This ends: every step suppresses one more cell. The order is fixed, so the
   same counts give the same cells in every process: the relations of the primary cells, cell by
   cell in (table, key) order, each cell's relations as a child then as a parent (by dimension);
   then those of each newly suppressed cell, first come first served.
3. An exact audit, for ranges with at most AUDIT_LIMIT hidden cells of F: a small cell that the
   published cells still determine, by combining several relations, gets the smallest published
   cell beside it suppressed too; then step 2 again, and the audit again, until it finds nothing.

So: a group (a `--by` table, a row or column of one, a day's breakdown) never has a lone suppressed
cell beside its published total; a suppressed single-cell group suppresses its total; a total that
had to be suppressed hides at least one of its parts too, whichever table shows them.

Limits, stated plainly: the protection covers one date range. Two reports for overlapping ranges
differ by the days at their ends, and those differences are not protected here; the per-day cells
in any `--by day,...` table are themselves protected. Without the audit (a larger range, or one
whose audit would need more than AUDIT_STEPS) the rule is the standard necessary condition (no
relation with a lone unknown), not an exact check of every combination of relations;
tests/test_counts_suppression.py attacks it with exact linear algebra.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from itertools import combinations
from typing import Final

__all__ = ["AUDIT_LIMIT", "AUDIT_STEPS", "DIMENSIONS", "Protected", "protect"]

DIMENSIONS: Final = ("day", "channel", "country", "language", "topic")

Key = tuple[str, ...]
Dims = tuple[int, ...]  # indices into DIMENSIONS, ascending
Cell = tuple[Dims, Key]

# The exact audit runs when the range has at most this many hidden cells of F. Measured on a
# 2-core machine (scripts/bench_suppression.py), realistic ranges of that size (four weeks at 100
# messages a day, a week at 430) take 0.1 to 0.3 s in all.
AUDIT_LIMIT: Final = 3000
# It stops, as if it had found nothing, after this many steps (an entry of a row of its linear
# algebra updated; all rounds together): about a second on the same machine. Unusual spreads (a
# SUPPRESS_BELOW of 3 or 5, hundreds of published cells over the same few hidden ones) would
# otherwise take from several seconds to minutes.
AUDIT_STEPS: Final = 3_000_000
_PRIME: Final = (1 << 61) - 1

_D: Final = len(DIMENSIONS)
_EVERY: Final = tuple(range(_D))
# Every table, in (dims) order: the order in which cells are first looked at.
_TABLES: Final = tuple(sorted(d for size in range(_D + 1) for d in combinations(_EVERY, size)))
_TABLE_RANK: Final = {dims: rank for rank, dims in enumerate(_TABLES)}


class _Grid:
    """Cells as ints: a bit field per dimension, the value's rank + 1, or 0 when summed away."""

    __slots__ = ("low", "mask", "ranks", "shift", "tables", "values")

    def __init__(self, keys: Collection[Key]) -> None:
        self.values = tuple(tuple(sorted({key[d] for key in keys})) for d in _EVERY)
        self.ranks = tuple({v: i + 1 for i, v in enumerate(vals)} for vals in self.values)
        self.low = tuple((1 << len(vals).bit_length()) - 1 for vals in self.values)
        shift = [0] * _D
        for d in range(_D - 2, -1, -1):
            shift[d] = shift[d + 1] + self.low[d + 1].bit_length()
        # The first dimension is the most significant field: within a table, ids sort as keys do.
        self.shift = tuple(shift)
        self.mask = tuple(low << s for low, s in zip(self.low, self.shift, strict=True))
        # Keeping the fields of dims: a cell of F -> the cell of T_dims above it.
        self.tables = tuple(sum(self.mask[d] for d in dims) for dims in _TABLES)

    def encode(self, dims: Dims, key: Key) -> int:
        """The id of the cell of T_dims with these values."""
        return sum(self.ranks[d][v] << self.shift[d] for d, v in zip(dims, key, strict=True))

    def encode_fine(self, keys: Iterable[Key]) -> list[int]:
        """The ids of cells of F."""
        p0, p1, p2, p3, p4 = (
            {v: rank << s for v, rank in ranks.items()}
            for ranks, s in zip(self.ranks, self.shift, strict=True)
        )
        return [p0[a] + p1[b] + p2[c] + p3[d] + p4[e] for a, b, c, d, e in keys]

    def dims(self, cell: int) -> Dims:
        """The table a cell belongs to."""
        return tuple(d for d in _EVERY if cell & self.mask[d])

    def key(self, cell: int, dims: Dims) -> Key:
        """The values of a cell of T_dims."""
        values, shift, low = self.values, self.shift, self.low
        return tuple(values[d][(cell >> shift[d] & low[d]) - 1] for d in dims)

    def cell(self, cell: int) -> Cell:
        """A cell id as (dims, values)."""
        dims = self.dims(cell)
        return dims, self.key(cell, dims)

    def order(self, cell: int) -> tuple[int, int]:
        """Sorts cells as their (dims, values) sort."""
        return _TABLE_RANK[self.dims(cell)], cell


class Protected:
    """Every marginal table of one date range, with the cells that may not be shown."""

    __slots__ = ("_cells", "_grid", "_hidden", "_suppressed", "_tables")

    def __init__(
        self, grid: _Grid, cells: Mapping[Dims, Mapping[int, int]], hidden: AbstractSet[int]
    ) -> None:
        self._grid = grid
        self._cells = cells
        self._hidden = hidden
        self._tables: dict[Dims, dict[Key, int]] | None = None
        self._suppressed: frozenset[Cell] | None = None

    @property
    def tables(self) -> Mapping[Dims, Mapping[Key, int]]:
        """All 32 tables by their values (built when first asked for: readers want only a few)."""
        if self._tables is None:
            key = self._grid.key
            self._tables = {
                dims: {key(cell, dims): n for cell, n in sorted(cells.items())}
                for dims, cells in self._cells.items()
            }
        return self._tables

    @property
    def suppressed(self) -> frozenset[Cell]:
        """Every cell that may not be shown, as (dims, values)."""
        if self._suppressed is None:
            self._suppressed = frozenset(map(self._grid.cell, self._hidden))
        return self._suppressed

    def table(self, by: Sequence[str]) -> list[tuple[Key, int | None]]:
        """T_by as (values in DIMENSIONS order, n or None when suppressed), sorted by values."""
        dims = _dims(by)
        key, hidden = self._grid.key, self._hidden
        return [
            (key(cell, dims), None if cell in hidden else n)
            for cell, n in sorted(self._cells[dims].items())
        ]

    def total(self) -> int | None:
        """The grand total, or None when it had to be suppressed."""
        # Every dimension summed away: the grand total's id is 0.
        n = self._cells[()].get(0, 0)
        return None if 0 in self._hidden else n


def protect(cells: Iterable[tuple[Key, int]], suppress_below: int) -> Protected:
    """Build all marginal tables of `cells` (5-tuples of DIMENSIONS values) and suppress them."""
    return _protect(cells, suppress_below)


def _protect(
    cells: Iterable[tuple[Key, int]], suppress_below: int, first: Iterable[Cell] | None = None
) -> Protected:
    # `first`: the primary cells in another order than (table, key), for tests that compare.
    if suppress_below < 0:
        raise ValueError("suppress_below must not be negative")
    fine: dict[Key, int] = defaultdict(int)
    for key, n in cells:
        if len(key) != _D:
            raise ValueError("a count cell has one value per dimension")
        fine[key] += n
    positive = {key: n for key, n in fine.items() if n > 0}
    grid = _Grid(positive)
    tables = _marginals(grid, dict(zip(grid.encode_fine(positive), positive.values(), strict=True)))
    if suppress_below == 0:
        return Protected(grid, tables, frozenset())
    order = None if first is None else [grid.encode(*cell) for cell in first]
    return Protected(grid, tables, _Suppression(grid, tables, suppress_below).run(order))


def _dims(by: Sequence[str]) -> Dims:
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise ValueError("unknown dimension; use " + ", ".join(DIMENSIONS))
    return tuple(i for i, name in enumerate(DIMENSIONS) if name in by)


def _marginals(grid: _Grid, fine: dict[int, int]) -> dict[Dims, dict[int, int]]:
    # Each table is summed from the smallest table with exactly one dimension more, which is
    # much cheaper than summing all 32 from the finest table.
    tables: dict[Dims, dict[int, int]] = {_EVERY: fine}
    for size in range(_D - 1, -1, -1):
        for dims in combinations(_EVERY, size):
            extra = min(
                (d for d in _EVERY if d not in dims),
                key=lambda d: len(tables[tuple(sorted((*dims, d)))]),
            )
            keep = ~grid.mask[extra]
            table: dict[int, int] = {}
            get = table.get
            for cell, n in tables[tuple(sorted((*dims, extra)))].items():
                parent = cell & keep
                table[parent] = get(parent, 0) + n
            tables[dims] = table
    return tables


class _Suppression:
    """Steps 1 to 3 on cell ids. A relation is an int too: its parent's id << 3 | the dimension."""

    def __init__(self, grid: _Grid, tables: Mapping[Dims, Mapping[int, int]], below: int) -> None:
        self.grid = grid
        self.tables = tables
        self.below = below
        self.n: dict[int, int] = {}
        for table in tables.values():
            self.n.update(table)
        self.hidden: set[int] = set()
        self.count: Counter[int] = Counter()  # relation -> how many of its members are hidden
        self.kids: dict[int, list[int]] = {}  # relation -> children by (n, id), once grouped
        self.grouped: set[tuple[Dims, int]] = set()
        self.next: dict[int, int] = {}  # relation -> index of its first child perhaps not hidden
        self.nearby: dict[int, int | None] = {}  # cell -> what around() last found
        self.column: dict[int, int] = {}  # a hidden cell of F -> its column in the audit
        self.groups: dict[int, list[int]] = defaultdict(list)  # cell -> the columns below it
        self.steps = _Steps(AUDIT_STEPS)

    def run(self, order: Sequence[int] | None) -> set[int]:
        """The suppressed cells."""
        self.settle(self.primary(order))
        leaks = self.audit(None)
        while leaks:
            # A small cell can still be worked out by combining several relations: hide one more
            # published cell beside it (the smallest), settle again, and audit again.
            queue: deque[int] = deque()
            chose = False
            for leak in leaks:
                chosen = self.around(leak)
                if chosen is None:
                    # Everything beside it is hidden: look one step further out.
                    chosen = self.least(
                        self.around(m) for rel in self.relations(leak) for m in self.members(rel)
                    )
                if chosen is not None:
                    queue.extend(self.hide(chosen))
                    chose = True
            if not chose:
                break
            self.settle(queue)
            # Hiding more never lets a cell be worked out that could not be before, so only the
            # cells that leaked can leak again.
            leaks = self.audit(leaks)
        return self.hidden

    def primary(self, order: Sequence[int] | None) -> deque[int]:
        """Hide the small cells; return the relations left with exactly one, in order."""
        grid, below, count, hidden = self.grid, self.below, self.count, self.hidden
        small = {
            dims: sorted(cell for cell, n in table.items() if n < below)
            for dims, table in self.tables.items()
        }
        for dims, cells in small.items():
            hidden.update(cells)
            for d in _EVERY:
                if d in dims:
                    keep = ~grid.mask[d]
                    count.update([(c & keep) << 3 | d for c in cells])
                else:
                    count.update([c << 3 | d for c in cells])
        if order is not None:
            return deque(rel for cell in order for rel in self.relations(cell) if count[rel] == 1)

        def place(rel: int) -> tuple[int, int, int]:
            # Where the relation's one hidden member comes among the primary cells, then where
            # the relation comes among that member's relations.
            parent = rel >> 3
            member = parent
            if parent not in hidden:
                member = next(c for c in self.children(rel) if c in hidden)
            return (*grid.order(member), self.relations(member).index(rel))

        # A relation with two or more hidden members never needs a look: counts only grow.
        return deque(sorted((rel for rel, k in count.items() if k == 1), key=place))

    def relations(self, cell: int) -> list[int]:
        """The relations of a cell: as a child (its dimensions), then as a parent (the others)."""
        child, parent = [], []
        for d, mask in enumerate(self.grid.mask):
            if cell & mask:
                child.append((cell & ~mask) << 3 | d)
            else:
                parent.append(cell << 3 | d)
        return child + parent

    def children(self, rel: int) -> list[int]:
        """The children of a relation, smallest first (n, then values)."""
        kids = self.kids.get(rel)
        if kids is None:
            parent, d = rel >> 3, rel & 7
            dims = tuple(sorted((*self.grid.dims(parent), d)))
            if (dims, d) in self.grouped:
                raise AssertionError("every cell has children along each dimension it lacks")
            # Group the whole table along d at once: its other relations are usually asked next.
            self.grouped.add((dims, d))
            keep = ~self.grid.mask[d]
            table = self.tables[dims]
            # Sorted by (n, id) once: each group then comes out in that order.
            cells = sorted(table)
            cells.sort(key=table.__getitem__)
            groups: dict[int, list[int]] = defaultdict(list)
            for cell in cells:
                groups[(cell & keep) << 3 | d].append(cell)
            self.kids.update(groups)
            kids = self.kids[rel]
        return kids

    def members(self, rel: int) -> list[int]:
        """The parent and the children of a relation."""
        return [rel >> 3, *self.children(rel)]

    def first_open(self, rel: int) -> int | None:
        """The smallest child of a relation that is not hidden, if any."""
        kids, hidden = self.children(rel), self.hidden
        # Cells are only ever added to `hidden`, so the answer only ever moves forward.
        i = self.next.get(rel, 0)
        while i < len(kids) and kids[i] in hidden:
            i += 1
        self.next[rel] = i
        return kids[i] if i < len(kids) else None

    def around(self, cell: int) -> int | None:
        """The smallest cell that is not hidden in the relations of `cell`, if any."""
        chosen = self.nearby.get(cell, -1)
        # Cells only ever become hidden, so the smallest stays the smallest while it is open.
        if chosen == -1 or (chosen is not None and chosen in self.hidden):
            hidden = self.hidden
            chosen = self.least(
                member
                for rel in self.relations(cell)
                for member in (self.first_open(rel), rel >> 3)
                if member is not None and member not in hidden
            )
            self.nearby[cell] = chosen
        return chosen

    def least(self, cells: Iterable[int | None]) -> int | None:
        """The smallest of some cells (n, then table and values), ignoring None."""
        n, order = self.n, self.grid.order
        chosen: int | None = None
        least = 0
        for cell in cells:
            if cell is None or cell == chosen:
                continue
            size = n[cell]
            if chosen is None or size < least or (size == least and order(cell) < order(chosen)):
                chosen, least = cell, size
        return chosen

    def hide(self, cell: int) -> list[int]:
        """Suppress one more cell; return its relations that now have exactly one hidden."""
        self.hidden.add(cell)
        count = self.count
        lone = []
        for rel in self.relations(cell):
            count[rel] += 1
            if count[rel] == 1:
                lone.append(rel)
        return lone

    def settle(self, queue: deque[int]) -> None:
        """The lone-member rule, to a fixpoint."""
        count = self.count
        while queue:
            rel = queue.popleft()
            # Counts only grow: a relation needs a look only while it has exactly one.
            if count[rel] == 1:
                kid = self.first_open(rel)
                queue.extend(self.hide(rel >> 3 if kid is None else kid))

    def audit(self, among: Collection[int] | None) -> list[int]:
        """The small cells (of `among`) that the published cells determine, modulo a prime."""
        hidden = self.hidden
        fresh = [c for c in self.tables[_EVERY] if c in hidden and c not in self.column]
        if (not self.column and not fresh) or len(self.column) + len(fresh) > AUDIT_LIMIT:
            return []
        try:
            return self._audit(sorted(fresh), among)
        except _OutOfSteps:
            return []

    def _audit(self, fresh: list[int], among: Collection[int] | None) -> list[int]:
        hidden, n, below, count, steps = self.hidden, self.n, self.below, self.count, self.steps
        # The unknowns are the hidden cells of F (published ones are known numbers), one column
        # each; every other cell is the sum of the cells of F below it. Kept from round to round:
        # cells only ever become hidden, so columns are only ever added.
        groups, masks = self.groups, self.grid.tables
        steps.spend(len(fresh) * len(masks) + len(groups))
        for cell in fresh:
            col = self.column[cell] = len(self.column)
            for mask in masks:
                groups[cell & mask].append(col)
        size = len(self.column)
        small = {
            cell: groups[cell]
            for cell in (groups if among is None else among)
            if cell in hidden and n[cell] < below
        }
        # A published cell is the sum of its children along any dimension d it lacks, and its
        # published children's columns are in their own rows (or rows further down): the same
        # row space with shorter rows keeps only the columns under hidden children, along the d
        # with the fewest of those. With none, the row adds nothing.
        grid, cells_of = self.grid, list(self.column)
        rows = []
        for cell, cols in groups.items():
            if cell in hidden:
                continue
            kids, d = min((count[cell << 3 | d], d) for d in _EVERY if not cell & grid.mask[d])
            if kids:
                steps.spend(len(cols))
                keep = grid.tables[_TABLE_RANK[grid.dims(cell | grid.mask[d])]]
                rows.append([c for c in cols if cells_of[c] & keep in hidden])
        basis = _Basis(rows, steps)
        # A random assignment under which every published cell sums to 0: a small cell that does
        # not sum to 0 under it is not determined. The others are checked exactly; a cell whose
        # children along some dimension are all determined is determined too.
        probe = basis.null_vector(size)
        steps.spend(sum(map(len, small.values())))
        maybe = {cell for cell, cols in small.items() if not sum(probe[c] for c in cols) % _PRIME}
        leaks: set[int] = set()
        for cell in sorted(maybe, key=lambda c: -len(self.grid.dims(c))):
            if any(
                all(kid in leaks for kid in self.children(cell << 3 | d))
                for d, mask in enumerate(self.grid.mask)
                if not cell & mask
            ) or basis.spans(small[cell]):
                leaks.add(cell)
        return sorted(leaks, key=self.grid.order)


class _OutOfSteps(Exception):
    """The audit used up AUDIT_STEPS."""


class _Steps:
    """What is left of the audit's budget of steps."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        """Count steps about to be taken; raise _OutOfSteps when there are not enough left."""
        self.left -= steps
        if self.left < 0:
            raise _OutOfSteps


class _Basis:
    """The row space of 0/1 rows modulo _PRIME, by sparse elimination (fewest entries first)."""

    def __init__(self, rows: Iterable[list[int]], steps: _Steps) -> None:
        self.steps = steps
        active = {i: dict.fromkeys(row, 1) for i, row in enumerate(rows)}
        steps.spend(sum(map(len, active.values())))
        where: dict[int, set[int]] = defaultdict(set)  # column -> the active rows that have it
        for i, row in active.items():
            for col in row:
                where[col].add(i)
        # Pivot on the column in the fewest rows: much less fill-in than a fixed order.
        heap = [(len(rs), col) for col, rs in where.items()]
        heapq.heapify(heap)
        # (pivot column, its row, scaled to 1 there); no row has an earlier row's pivot column.
        self.pivots: list[tuple[int, dict[int, int]]] = []
        while heap:
            count, col = heapq.heappop(heap)
            holders = where.get(col)
            if not holders or len(holders) != count:
                continue  # outdated: the column's current count was pushed too
            i = min(holders, key=lambda i: (len(active[i]), i))
            row = active.pop(i)
            steps.spend(len(row) * len(holders))
            inverse = pow(row[col], _PRIME - 2, _PRIME)
            row = {c: v * inverse % _PRIME for c, v in row.items()}
            for c in row:
                where[c].discard(i)
            for other in sorted(holders - {i}):
                target = active[other]
                minus = _PRIME - target[col]
                get = target.get
                for c, v in row.items():
                    old = get(c)
                    if old is None:
                        # Never 0: both factors are non-zero modulo a prime.
                        target[c] = minus * v % _PRIME
                        where[c].add(other)
                    elif new := (old + minus * v) % _PRIME:
                        target[c] = new
                    else:
                        del target[c]
                        where[c].discard(other)
                if not target:
                    del active[other]
            del where[col]
            for c in row:
                if c in where:
                    heapq.heappush(heap, (len(where[c]), c))
            self.pivots.append((col, row))
        self.rank = {col: k for k, (col, _) in enumerate(self.pivots)}
        self.fill = sum(len(row) for _, row in self.pivots)

    def null_vector(self, size: int) -> list[int]:
        """A random vector that every row maps to 0 (fixed seed: the same in every process)."""
        self.steps.spend(self.fill + size)
        rng = random.Random(size)  # noqa: S311 - a probe, not a secret
        z = [rng.randrange(1, _PRIME) for _ in range(size)]
        self._solve(z)
        return z

    def _solve(self, z: list[int]) -> None:
        # Set the pivot columns from the others, last row first: a row's other columns are free
        # or pivots of later rows, all set by then.
        for col, row in reversed(self.pivots):
            z[col] = -sum(v * z[c] for c, v in row.items() if c != col) % _PRIME

    def spans(self, cols: Iterable[int]) -> bool:
        """Whether the 0/1 row with these columns is a combination of the rows."""
        row = dict.fromkeys(cols, 1)
        rank = self.rank
        todo = [rank[c] for c in row if c in rank]
        heapq.heapify(todo)
        while todo:
            col, pivot = self.pivots[heapq.heappop(todo)]
            factor = row.get(col)
            if not factor:
                continue
            self.steps.spend(len(pivot))
            for c, v in pivot.items():
                new = (row.get(c, 0) - factor * v) % _PRIME
                if new:
                    if c not in row and c in rank:
                        heapq.heappush(todo, rank[c])
                    row[c] = new
                else:
                    row.pop(c, None)
        return not row
