"""Anonymised counts: (UTC day, channel, country, language, topic) -> n, and nothing else."""

from __future__ import annotations

from adviceline.counts.keys import CountKey
from adviceline.counts.store import CountStore

__all__ = ["CountKey", "CountStore"]
