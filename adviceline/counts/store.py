"""The CountStore interface that every backend implements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from adviceline.counts.keys import CountKey

__all__ = ["CountStore"]


class CountStore(Protocol):
    """Where counts live: SQLite locally, DynamoDB in production."""

    def add(self, key: CountKey, n: int = 1) -> None:
        """Atomically add `n` to the cell `key`."""

    def rows(self, start: date, end: date) -> Iterable[tuple[CountKey, int]]:
        """Every stored cell with `start <= day <= end` (unsuppressed: callers suppress)."""

    def init(self) -> None:
        """Create the table or schema; safe to run again."""
