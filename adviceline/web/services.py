"""What the web side needs, created once and lazily: settings, count store, content, secrets."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from adviceline.config import Settings
from adviceline.web.secrets import SSMClient, resolve_secret, ssm_client

if TYPE_CHECKING:
    from flask import Flask

    from adviceline.content import Content
    from adviceline.counts import CountStore

__all__ = ["EXTENSION", "Services", "get_services"]

# The key under which create_app keeps the Services object in `app.extensions`.
EXTENSION = "adviceline"

T = TypeVar("T")


class Services:
    """Settings plus lazily opened resources; nothing connects or reads a secret until first use."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: CountStore | None = None,
        content: Content | None = None,
        dynamodb_client: Any = None,
        ssm_client_factory: Callable[[], SSMClient] = ssm_client,
    ) -> None:
        self.settings = Settings.from_env() if settings is None else settings
        self._store = store
        self._content = content
        self._dynamodb_client = dynamodb_client
        self._ssm_client_factory = ssm_client_factory
        self._ssm: SSMClient | None = None
        self._twilio_auth_token: str | None = None
        self._admin_token: str | None = None
        # One lock for first use only: Flask's threaded server may ask from two threads at once.
        self._lock = threading.Lock()

    def _once(self, attr: str, make: Callable[[], T]) -> T:
        value: T | None = getattr(self, attr)
        if value is None:
            with self._lock:
                value = getattr(self, attr)
                if value is None:
                    value = make()
                    setattr(self, attr, value)
        return value

    @property
    def store(self) -> CountStore:
        """The count store, opened on first use (SQLite locally, DynamoDB on AWS)."""
        return self._once("_store", self._open_store)

    @property
    def content(self) -> Content:
        """The advice content, loaded on first use (cached once per process by the engine)."""
        return self._once("_content", _default_content)

    def twilio_auth_token(self) -> str:
        """TWILIO_AUTH_TOKEN, or the SSM SecureString TWILIO_AUTH_TOKEN_PARAM, read once."""
        s = self.settings
        return self._secret(
            "_twilio_auth_token",
            s.twilio_auth_token,
            s.twilio_auth_token_param,
            "TWILIO_AUTH_TOKEN",
        )

    def admin_token(self) -> str:
        """ADMIN_TOKEN, or the SSM SecureString ADMIN_TOKEN_PARAM, read once."""
        s = self.settings
        return self._secret("_admin_token", s.admin_token, s.admin_token_param, "ADMIN_TOKEN")

    def _secret(self, attr: str, value: str | None, param: str | None, variable: str) -> str:
        return self._once(
            attr,
            lambda: resolve_secret(
                value, param, variable=variable, client_factory=self._ssm_client
            ),
        )

    def _ssm_client(self) -> SSMClient:
        # Called with the lock held by _once: one SSM client per container at most.
        if self._ssm is None:
            self._ssm = self._ssm_client_factory()
        return self._ssm

    def _open_store(self) -> CountStore:
        from adviceline.counts.factory import open_store

        return open_store(self.settings, dynamodb_client=self._dynamodb_client)


def _default_content() -> Content:
    from adviceline.content import default_content

    return default_content()


def get_services(app: Flask) -> Services:
    """The Services object that create_app put on `app`."""
    services: Services = app.extensions[EXTENSION]
    return services
