"""Suppression: small cells hidden, and no published figure gives one away, even combined.

The attacker here knows every published cell of every table of a range (any `--by`, totals,
marginals) and solves the linear system exactly, in rational arithmetic, written independently
of the module under test: a small cell it can pin down is a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adviceline.counts.suppression import DIMENSIONS, Protected, protect

Fine = tuple[str, str, str, str, str]
D = "2026-03-14"


def cell(channel: str, country: str, topic: str, *, day: str = D, language: str = "en") -> Fine:
    return (day, channel, country, language, topic)


def published(p: Protected, by: Sequence[str]) -> dict[tuple[str, ...], int | None]:
    return dict(p.table(by))


def recoverable(p: Protected, below: int) -> list[tuple[tuple[int, ...], tuple[str, ...], int]]:
    """Every small suppressed cell that the published cells determine exactly."""
    every = tuple(range(len(DIMENSIONS)))
    fine = sorted(p.tables[every])
    col = {key: i for i, key in enumerate(fine)}

    def vector(dims: tuple[int, ...], key: tuple[str, ...]) -> dict[int, Fraction]:
        return {col[f]: Fraction(1) for f in fine if tuple(f[d] for d in dims) == key}

    basis: dict[int, dict[int, Fraction]] = {}

    def reduce(row: dict[int, Fraction]) -> dict[int, Fraction]:
        row = dict(row)
        while row:
            pivot = min(row)
            if pivot not in basis:
                return row
            factor = row[pivot] / basis[pivot][pivot]
            for c, v in basis[pivot].items():
                value = row.get(c, Fraction(0)) - factor * v
                if value:
                    row[c] = value
                else:
                    row.pop(c, None)
        return row

    for dims, table in p.tables.items():
        for key in table:
            if (dims, key) not in p.suppressed:
                row = reduce(vector(dims, key))
                if row:
                    basis[min(row)] = row
    return [
        (dims, key, n)
        for dims, table in p.tables.items()
        for key, n in table.items()
        if (dims, key) in p.suppressed and n < below and not reduce(vector(dims, key))
    ]


def test_cells_below_the_threshold_are_suppressed_and_big_ones_shown() -> None:
    cells = [
        (cell(ch, c, t), 50)
        for ch, c, t in product(("sms", "whatsapp"), ("GB", "FR"), ("paid", "block"))
    ]
    p = protect([*cells, (cell("sms", "GB", "danger"), 4)], 10)
    fine = published(p, DIMENSIONS)
    assert fine[cell("sms", "GB", "danger")] is None
    assert all(n is None or n >= 10 for n in fine.values())
    assert p.total() == 404
    assert published(p, ("topic",))[("paid",)] == 200


def test_a_lone_small_cell_in_a_group_hides_the_next_smallest_too() -> None:
    p = protect(
        [
            (cell("sms", "GB", "paid"), 40),
            (cell("sms", "GB", "block"), 25),
            (cell("sms", "GB", "danger"), 3),
        ],
        10,
    )
    by_topic = published(p, ("topic",))
    assert by_topic[("danger",)] is None
    assert by_topic[("block",)] is None  # the next smallest, or 68 - 40 - 25 gives 3
    assert by_topic[("paid",)] == 40
    assert p.total() == 68
    assert recoverable(p, 10) == []


def test_a_group_with_one_suppressed_cell_hides_its_total() -> None:
    # Only one country, and it is small: its total would be the cell itself.
    p = protect([(cell("sms", "IS", "paid"), 3)], 10)
    assert p.total() is None
    assert published(p, ("country",)) == {("IS",): None}


def test_subtraction_from_the_marginals_recovers_nothing() -> None:
    # A 2 x 3 table with margins; one small cell. Try every subtraction an admin could do.
    p = protect(
        [
            (cell("sms", "GB", "paid"), 30),
            (cell("sms", "GB", "block"), 20),
            (cell("sms", "GB", "danger"), 2),
            (cell("sms", "FR", "paid"), 15),
            (cell("sms", "FR", "block"), 18),
            (cell("sms", "FR", "danger"), 11),
        ],
        10,
    )
    table = published(p, ("country", "topic"))
    countries = published(p, ("country",))
    topics = published(p, ("topic",))
    assert table[("GB", "danger")] is None
    # Row GB: its total minus its published cells must not be computable down to one cell.
    for country, topic_keys in (
        ("GB", ("paid", "block", "danger")),
        ("FR", ("paid", "block", "danger")),
    ):
        hidden = [t for t in topic_keys if table[(country, t)] is None]
        assert len(hidden) != 1 or countries[(country,)] is None
    for topic in ("paid", "block", "danger"):
        hidden = [c for c in ("GB", "FR") if table[(c, topic)] is None]
        assert len(hidden) != 1 or topics[(topic,)] is None
    assert recoverable(p, 10) == []


def test_every_table_of_a_range_is_protected_together() -> None:
    cells = [
        (cell("sms", "GB", "paid"), 50),
        (cell("sms", "GB", "paid", day="2026-03-15"), 3),
        (cell("whatsapp", "FR", "block", language="fr"), 12),
        (cell("sms", "FR", "block", language="fr", day="2026-03-15"), 25),
    ]
    p = protect(cells, 10)
    by_day = published(p, ("day",))
    by_day_topic = published(p, ("day", "topic"))
    # However the tables are combined, the 3 cannot be worked out.
    assert by_day_topic[("2026-03-15", "paid")] is None
    assert recoverable(p, 10) == []
    assert set(by_day) == {("2026-03-14",), ("2026-03-15",)}


def test_zero_disables_suppression() -> None:
    p = protect([(cell("sms", "GB", "paid"), 1)], 0)
    assert p.total() == 1
    assert published(p, DIMENSIONS) == {cell("sms", "GB", "paid"): 1}
    assert p.suppressed == frozenset()


def test_no_data_is_a_published_zero() -> None:
    p = protect([], 10)
    assert p.total() == 0
    assert p.table(("topic",)) == []


small = st.integers(1, 9)
big = st.integers(10, 60)
keys = st.tuples(
    st.sampled_from(("2026-03-13", "2026-03-14", "2026-03-15")),
    st.sampled_from(("sms", "whatsapp")),
    st.sampled_from(("GB", "FR", "DE")),
    st.sampled_from(("en", "fr")),
    st.sampled_from(("paid", "block", "menu")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, st.one_of(small, big), min_size=1, max_size=14))
def test_no_small_cell_can_be_recovered_from_all_published_tables(cells: dict[Fine, int]) -> None:
    p = protect(cells.items(), 10)
    assert recoverable(p, 10) == []
    # And the rule itself: primary cells hidden, and no relation with a lone hidden member.
    for dims, table in p.tables.items():
        for key, n in table.items():
            if n < 10:
                assert (dims, key) in p.suppressed


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(keys, st.one_of(small, big), min_size=1, max_size=14))
def test_published_figures_are_the_true_sums(cells: dict[Fine, int]) -> None:
    p = protect(cells.items(), 10)
    for by in (("topic",), ("day", "country"), DIMENSIONS):
        for key, n in p.table(by):
            if n is not None:
                dims = [DIMENSIONS.index(name) for name in by]
                assert n == sum(v for k, v in cells.items() if tuple(k[d] for d in dims) == key)
