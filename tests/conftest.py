"""Session-wide local servers shared by every area's tests: dynalite (DynamoDB) and moto (S3).

`dynalite` and `moto_s3` start once per test session on free loopback ports and stop at its end;
`.url` is the endpoint, `.env` the variables that point boto at it. `dynamodb_env` / `s3_env`
set those variables (and fake credentials) for one test in this process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import LocalServer, ServerFailed, start_dynalite, start_moto


def _serve(start: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    assert callable(start)
    try:
        server: LocalServer = start(tmp_path_factory.mktemp("servers"))
    except ServerFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dynalite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A dynalite server for the whole session (in memory; tables are active at once)."""
    yield from _serve(start_dynalite, tmp_path_factory)


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A moto server for the whole session, used for S3 only."""
    yield from _serve(start_moto, tmp_path_factory)


def _point_at(monkeypatch: pytest.MonkeyPatch, *servers: LocalServer) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for server in servers:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)


@pytest.fixture
def dynamodb_env(monkeypatch: pytest.MonkeyPatch, dynalite: LocalServer) -> LocalServer:
    """This test's boto clients reach dynalite (AWS_ENDPOINT_URL_DYNAMODB, fake credentials)."""
    _point_at(monkeypatch, dynalite)
    return dynalite


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch, moto_s3: LocalServer) -> LocalServer:
    """This test's boto clients reach moto's S3 (AWS_ENDPOINT_URL_S3, fake credentials)."""
    _point_at(monkeypatch, moto_s3)
    return moto_s3
