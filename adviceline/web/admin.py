"""The administrators' blueprint: dashboard, JSON and CSV of the suppressed counts."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Final
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)

from adviceline.config import ConfigError
from adviceline.counts.errors import CountStoreError
from adviceline.web import admin_counts
from adviceline.web.admin_assets import STATIC_DIR, chart_js_path
from adviceline.web.admin_auth import (
    WWW_AUTHENTICATE,
    Verdict,
    check_credentials,
    query_carries_token,
)
from adviceline.web.admin_headers import apply_security_headers
from adviceline.web.admin_view import (
    BREAKDOWNS,
    DEFAULT_DAYS,
    PRESET_DAYS,
    build_dashboard,
    default_range,
)
from adviceline.web.services import get_services

__all__ = ["PREFIX", "bp"]

log = logging.getLogger(__name__)

PREFIX: Final = "/admin"
CHART_JS: Final = "vendor/chart.umd.min.js"

bp = Blueprint("admin", __name__, url_prefix=PREFIX, template_folder="templates")


@dataclass(frozen=True, slots=True)
class _Link:
    label: str
    href: str
    days: int = 0
    current: bool = False


# -- authentication and headers --------------------------------------------------------------


@bp.before_request
def _authenticate() -> Response | None:
    """Refuse the request unless it carries the admin token; never open when none is configured."""
    services = get_services(current_app)
    try:
        token = services.admin_token()
    except ConfigError:
        log.warning("admin routes disabled: set ADMIN_TOKEN (or ADMIN_TOKEN_PARAM) to enable them")
        return _problem(503, "Admin disabled", "The admin pages are off: no admin token is set.")
    except Exception:  # An SSM outage must close the door, with one line that says why.
        log.error("admin routes unavailable: could not read ADMIN_TOKEN_PARAM from SSM")
        return _problem(503, "Admin unavailable", "The admin token could not be read; try later.")
    if query_carries_token(request.args.items(multi=True), token):
        return _problem(
            400,
            "Token in the address",
            "Never put the admin token in the address: send it as the password of the browser's "
            "sign-in prompt (HTTP Basic) or in an 'Authorization: Bearer' header.",
        )
    verdict = check_credentials(request.headers.get("Authorization"), token)
    if verdict is Verdict.OK:
        return None
    if verdict is Verdict.WRONG:
        log.warning("admin: refused a request with a wrong token")
    response = _problem(
        401, "Sign in", "Sign in with the admin token as the password (any user name)."
    )
    response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


@bp.after_app_request
def _secure(response: Response) -> Response:
    """Security headers on every response under /admin, errors and 404s included."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        apply_security_headers(response.headers, secure=request.is_secure)
    return response


# -- routes ------------------------------------------------------------------------------------


@bp.get("/")
@bp.get("")  # Registered first, so url_for builds /admin without the slash.
def dashboard() -> Response | str:
    """The dashboard: totals, a chart per day and the splits, for the chosen period."""
    today = admin_counts.today()
    # No dates: the counts' default period, the last 28 days ending today (UTC).
    start, end = admin_counts.parse_range(
        request.args.get("from"), request.args.get("to"), today=today
    )
    services = get_services(current_app)
    suppress_below = services.settings.suppress_below
    fetch = admin_counts.fetcher(services.store, start, end, suppress_below)
    model = build_dashboard(fetch, start, end, suppress_below=suppress_below)
    return render_template(
        "admin/dashboard.html",
        styled=True,
        d=model,
        today=today,
        charts=model.chart_data(),
        presets=_presets(today, start, end),
        downloads=_downloads(start, end),
        api_href=_href("admin.api_counts", start, end, "day"),
    )


@bp.get("/api/counts")
def api_counts() -> Response:
    """The suppressed counts as JSON, the same shape as `adviceline counts --json`."""
    query = admin_counts.parse_query(request.args, today=admin_counts.today())
    services = get_services(current_app)
    rows = admin_counts.as_json(services.store, query, services.settings.suppress_below)
    # Keys in the CLI's order (dimensions, then n), not sorted as jsonify would.
    return Response(json.dumps(rows, separators=(",", ":")), mimetype="application/json")


@bp.get("/counts.csv")
def counts_csv() -> Response:
    """The suppressed counts as a CSV download."""
    query = admin_counts.parse_query(request.args, today=admin_counts.today())
    services = get_services(current_app)
    text = admin_counts.as_csv(services.store, query, services.settings.suppress_below)
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{query.filename()}"'
    return response


@bp.get("/static/<path:filename>")
def asset(filename: str) -> Response:
    """The page's own CSS and JS, and the chart library from node_modules or the package."""
    if filename == CHART_JS:
        path = chart_js_path()
        if path is None:
            log.error("chart library missing: run `npm ci` (or package it) to serve %s", CHART_JS)
            return _problem(404, "Not found", "The chart library is not installed.")
        return send_file(path, mimetype="text/javascript", max_age=0)
    return send_from_directory(STATIC_DIR, filename, max_age=0)


@bp.errorhandler(admin_counts.CountsQueryError)
def _bad_query(exc: admin_counts.CountsQueryError) -> Response:
    """Bad dates or dimensions, in the form the route speaks (the message echoes no input)."""
    # The heading and the way back are shown on the dashboard's HTML page only.
    return _problem(400, "That period cannot be shown", str(exc), show_back=True)


@bp.errorhandler(CountStoreError)
def _store_down(exc: CountStoreError) -> Response:
    """The store cannot be read: say so plainly (the message names no user data)."""
    log.error("admin: the count store cannot be read: %s", exc)
    return _problem(503, "Counts unavailable", "The counts cannot be read right now; try later.")


@bp.get("/<path:rest>")
def not_found(rest: str) -> Response:
    """Anything else under /admin: a 404, but only after authentication."""
    del rest
    return _problem(404, "Not found", "There is no such admin page.", show_back=True)


# -- helpers -----------------------------------------------------------------------------------


def _problem(status: int, heading: str, message: str, *, show_back: bool = False) -> Response:
    """An error in the form the route speaks: JSON for the API, text for CSV, HTML for pages."""
    endpoint = request.endpoint or ""
    if endpoint == "admin.api_counts" or request.path.startswith(PREFIX + "/api/"):
        response = jsonify({"error": message, "status": status})
    elif endpoint == "admin.counts_csv":
        response = Response(message + "\n", mimetype="text/plain")
    else:
        html = render_template(
            "admin/error.html",
            styled=status not in (401, 503),
            status=status,
            heading=heading,
            message=message,
            show_back=show_back,
            default_days=DEFAULT_DAYS,
        )
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def _href(endpoint: str, start: date, end: date, by: str | None = None) -> str:
    params = {"from": start.isoformat(), "to": end.isoformat()}
    if by:
        params["by"] = by
    return f"{url_for(endpoint)}?{urlencode(params)}"


def _presets(today: date, start: date, end: date) -> list[_Link]:
    links = []
    for days in PRESET_DAYS:
        p_start, p_end = default_range(today, days)
        links.append(
            _Link(
                label=f"Last {days} days",
                href=_href("admin.dashboard", p_start, p_end),
                days=days,
                current=(p_start, p_end) == (start, end),
            )
        )
    return links


def _downloads(start: date, end: date) -> list[_Link]:
    links = [_Link("Per day", _href("admin.counts_csv", start, end, "day"))]
    links += [
        _Link(f"Per {spec.dim}", _href("admin.counts_csv", start, end, spec.dim))
        for spec in BREAKDOWNS
    ]
    every = ",".join(("day", *(spec.dim for spec in BREAKDOWNS)))
    links.append(_Link("Per day and every dimension", _href("admin.counts_csv", start, end, every)))
    return links


@bp.app_template_filter("day_short")
def _day_short(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


@bp.app_template_filter("day_long")
def _day_long(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
