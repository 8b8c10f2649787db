"""The security headers every admin response carries, errors included."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from werkzeug.datastructures import Headers

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "HSTS", "apply_security_headers"]

# Scripts, styles, images and fetches come from the app itself only: no inline code, no CDN.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    )
)

SECURITY_HEADERS: Final[Mapping[str, str]] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    # The figures are sensitive and change by the hour: never keep them in a shared cache.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

HSTS: Final = "max-age=31536000"


def apply_security_headers(headers: Headers, *, secure: bool) -> None:
    """Set the security headers on `headers`, replacing any that a view set."""
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if secure:
        # Only over HTTPS: browsers ignore it on plain http, and it must never pin localhost.
        headers["Strict-Transport-Security"] = HSTS
