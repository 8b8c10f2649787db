"""Where the dashboard's static files are: its own, and the chart library from npm."""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["CHART_JS_CANDIDATES", "STATIC_DIR", "chart_js_path"]

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
_REPO: Final = Path(__file__).resolve().parents[2]

# Chart.js is installed by npm (package.json), never committed. A checkout serves it straight from
# node_modules; the admin Lambda package carries a copy in static/vendor/ made at build time.
CHART_JS_CANDIDATES: Final = (
    STATIC_DIR / "vendor" / "chart.umd.min.js",
    _REPO / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js",
)


def chart_js_path() -> Path | None:
    """The first chart library file that exists, or None when npm has not installed it."""
    for path in CHART_JS_CANDIDATES:
        if path.is_file():
            return path
    return None
