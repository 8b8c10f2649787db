"""Configuration, read once from the environment by a factory (DESIGN.md lists the names)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ConfigError", "Settings"]

DEFAULT_COUNTS_DB = Path("var") / "counts.sqlite3"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable, never a secret."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the line reads from its environment."""

    counts_backend: str = "sqlite"
    counts_db: Path = DEFAULT_COUNTS_DB
    counts_table: str | None = None
    export_bucket: str | None = None
    public_base_url: str | None = None
    suppress_below: int = 10
    twilio_auth_token: str | None = None
    twilio_auth_token_param: str | None = None
    admin_token: str | None = None
    admin_token_param: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env

        def opt(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        backend = (opt("COUNTS_BACKEND") or "sqlite").lower()
        if backend not in ("sqlite", "dynamodb"):
            raise ConfigError("COUNTS_BACKEND must be 'sqlite' or 'dynamodb'")
        raw_below = opt("SUPPRESS_BELOW") or "10"
        try:
            suppress_below = int(raw_below)
        except ValueError:
            raise ConfigError("SUPPRESS_BELOW must be a whole number (0 disables)") from None
        if suppress_below < 0:
            raise ConfigError("SUPPRESS_BELOW must not be negative")
        base_url = opt("PUBLIC_BASE_URL")
        return cls(
            counts_backend=backend,
            counts_db=Path(opt("COUNTS_DB") or DEFAULT_COUNTS_DB),
            counts_table=opt("COUNTS_TABLE"),
            export_bucket=opt("EXPORT_BUCKET"),
            public_base_url=base_url.rstrip("/") if base_url else None,
            suppress_below=suppress_below,
            twilio_auth_token=opt("TWILIO_AUTH_TOKEN"),
            twilio_auth_token_param=opt("TWILIO_AUTH_TOKEN_PARAM"),
            admin_token=opt("ADMIN_TOKEN"),
            admin_token_param=opt("ADMIN_TOKEN_PARAM"),
        )
