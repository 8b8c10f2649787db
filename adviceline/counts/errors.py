"""The two errors of the counts area: a store that cannot work, and a query that makes no sense."""

from __future__ import annotations

__all__ = ["CountStoreError", "CountsQueryError"]


class CountStoreError(RuntimeError):
    """The count store cannot be used; the message names the problem, never any user data."""


class CountsQueryError(ValueError):
    """A request for counts is malformed (dates, range, dimensions); the message says how."""
