"""The local line as one Flask app: the two webhooks through the same core, plus the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, request

from adviceline.web.services import EXTENSION, Services, get_services
from adviceline.web.twilio_request import MAX_BODY_BYTES
from adviceline.web.webhooks import WebRequest, respond

if TYPE_CHECKING:
    from adviceline.config import Settings
    from adviceline.content import Content
    from adviceline.counts import CountStore
    from adviceline.topics import Channel

__all__ = ["create_app"]


def create_app(
    settings: Settings | None = None,
    *,
    store: CountStore | None = None,
    content: Content | None = None,
    services: Services | None = None,
) -> Flask:
    """Build the app; nothing is opened until the first request that needs it."""
    from adviceline.web.admin import bp as admin_bp

    app = Flask(__name__)
    # A bound on what a request may make the server read; the core refuses large forms itself.
    app.config["MAX_CONTENT_LENGTH"] = 8 * MAX_BODY_BYTES
    app.extensions[EXTENSION] = services or Services(settings, store=store, content=content)
    app.add_url_rule("/sms", "sms", _sms, methods=["POST"])
    app.add_url_rule("/whatsapp", "whatsapp", _whatsapp, methods=["POST"])
    app.register_blueprint(admin_bp)
    return app


def _sms() -> Response:
    return _webhook("sms")


def _whatsapp() -> Response:
    return _webhook("whatsapp")


def _webhook(route: Channel) -> Response:
    environ = request.environ
    # The raw path as sent (werkzeug keeps it in RAW_URI), because Twilio signed it byte for byte.
    raw_path = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?", 1)[0]
    result = respond(
        WebRequest(
            method=request.method,
            path=raw_path or request.path,
            query=request.query_string.decode("latin-1"),
            headers={name.lower(): value for name, value in request.headers.items()},
            body=request.get_data(cache=False),
            scheme=request.scheme,
        ),
        get_services(current_app),
        route=route,
    )
    response = Response(result.body, status=result.status, content_type=result.content_type)
    for name, value in result.headers:
        response.headers[name] = value
    return response
