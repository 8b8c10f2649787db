"""The admin-only app, for the admin Lambda function: the dashboard and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from adviceline.web.services import EXTENSION, Services

if TYPE_CHECKING:
    from adviceline.config import Settings
    from adviceline.counts import CountStore

__all__ = ["create_admin_app"]


def create_admin_app(
    settings: Settings | None = None,
    *,
    store: CountStore | None = None,
    services: Services | None = None,
) -> Flask:
    """An app with only the admin routes; the store and the token are opened on first use."""
    from adviceline.web.admin import bp

    app = Flask(__name__)
    app.extensions[EXTENSION] = services or Services(settings, store=store)
    app.register_blueprint(bp)
    return app
