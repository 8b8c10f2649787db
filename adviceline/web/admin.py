"""The administrators' blueprint: dashboard, JSON and CSV of the suppressed counts."""

from __future__ import annotations

from flask import Blueprint

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
def dashboard() -> tuple[str, int]:
    """Placeholder until the dashboard lands."""
    return "admin dashboard", 503
