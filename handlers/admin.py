"""Lambda entry point for the admin dashboard (HTTP API payload v2, GET /admin...)."""

from __future__ import annotations

from apig_wsgi import make_lambda_handler

from adviceline.web.admin_app import create_admin_app

__all__ = ["handler"]

# Built once per container: settings are read here, the store and the token on first use.
app = create_admin_app()
handler = make_lambda_handler(app)
