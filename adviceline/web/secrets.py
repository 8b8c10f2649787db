"""Secrets from the environment or from an SSM SecureString, read once, with a client passed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from adviceline.config import ConfigError

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:  # The stubs are a dev-only dependency; at run time any object with get_parameter works.
    SSMClient = Any

__all__ = ["SSMClient", "read_parameter", "resolve_secret", "ssm_client"]


def ssm_client() -> SSMClient:
    """A new SSM client; boto3 is imported only here, so nothing pays for it unless it is needed."""
    import boto3

    return boto3.client("ssm")


def read_parameter(name: str, *, client: SSMClient) -> str:
    """The decrypted value of the SecureString parameter `name`; fails loudly when it is empty."""
    response = client.get_parameter(Name=name, WithDecryption=True)
    value = str(response.get("Parameter", {}).get("Value", "")).strip()
    if not value:
        raise ConfigError(f"SSM parameter {name} is empty")
    return value


def resolve_secret(
    value: str | None,
    param: str | None,
    *,
    variable: str,
    client_factory: Callable[[], SSMClient] = ssm_client,
) -> str:
    """`value` when set, else the SSM parameter `param`; neither is a configuration error."""
    if value:
        return value
    if param:
        return read_parameter(param, client=client_factory())
    raise ConfigError(f"{variable} (or {variable}_PARAM) must be set")
