"""Who may see the counts: the admin token as an HTTP Basic password or a Bearer token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "QUERY_TOKEN_NAMES",
    "WWW_AUTHENTICATE",
    "Verdict",
    "check_credentials",
    "query_carries_token",
]

# The browser shows this realm in its password prompt; any username is accepted.
WWW_AUTHENTICATE = 'Basic realm="Advice line admin", charset="UTF-8"'

# Query parameters that look like credentials. URLs end up in logs, histories and Referer
# headers, so a token there is refused outright rather than quietly ignored.
QUERY_TOKEN_NAMES = frozenset(
    {
        "access_token",
        "admin_token",
        "api_key",
        "apikey",
        "auth",
        "authorization",
        "bearer",
        "key",
        "password",
        "secret",
        "token",
    }
)


class Verdict(Enum):
    """The outcome of checking a request's Authorization header."""

    OK = "ok"
    MISSING = "missing"
    WRONG = "wrong"


@dataclass(frozen=True, slots=True)
class _Presented:
    secret: bytes | None


def check_credentials(authorization: str | None, token: str) -> Verdict:
    """Whether `authorization` (the header's value) carries `token`, compared in constant time."""
    if not authorization or not authorization.strip():
        return Verdict.MISSING
    presented = _parse(authorization)
    if presented.secret is None:
        return Verdict.WRONG
    if _same(presented.secret, token.encode("utf-8")):
        return Verdict.OK
    return Verdict.WRONG


def query_carries_token(args: Iterable[tuple[str, str]], token: str | None) -> bool:
    """Whether the query string holds a credential-like parameter or the token itself."""
    expected = token.encode("utf-8") if token else None
    for name, value in args:
        if name.strip().lower() in QUERY_TOKEN_NAMES:
            return True
        if expected is not None and _same(value.encode("utf-8"), expected):
            return True
    return False


def _same(presented: bytes, expected: bytes) -> bool:
    # Constant time, and over equal-length digests so that not even the token's length shows.
    return hmac.compare_digest(
        hashlib.sha256(presented).digest(), hashlib.sha256(expected).digest()
    )


def _parse(authorization: str) -> _Presented:
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if not credentials:
        return _Presented(None)
    scheme = scheme.lower()
    if scheme == "bearer":
        return _Presented(credentials.encode("utf-8"))
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True)
        except (binascii.Error, ValueError):
            return _Presented(None)
        # RFC 7617: user-id ":" password; the user-id is ignored, the password is the token.
        _, colon, password = decoded.partition(b":")
        return _Presented(password if colon else None)
    return _Presented(None)
