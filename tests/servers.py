"""Local stand-ins for AWS, started on free loopback ports: dynalite (DynamoDB) and moto (S3).

Each launcher waits until the server answers HTTP, fails with the server's own output when it
does not, and stops it (process group, SIGTERM then SIGKILL) when asked. The session fixtures in
tests/conftest.py use them; `LocalServer.env` holds the variables that point boto at a server,
for the current process (monkeypatch) or a child process (serverless-offline).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DYNALITE = ROOT / "node_modules" / ".bin" / "dynalite"
MOTO_SERVER = Path(sys.executable).with_name("moto_server")

# Fake credentials: the emulators accept anything; real AWS is never reachable from tests.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_REGION": "eu-west-2",
}
# Variables that could point boto somewhere else or at a real account; cleared in `env`.
_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")


class ServerFailed(RuntimeError):
    """A local server did not start; the message carries its output."""


@dataclass
class LocalServer:
    """A running local server: its name, endpoint URL, process and log file."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        """Stop the server and everything it started."""
        _stop(self.process)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_dynalite(log_dir: Path, *, timeout: float = 30.0) -> LocalServer:
    """dynalite from the project's node_modules (`make node`), in memory, tables active at once."""
    if not DYNALITE.exists():
        raise ServerFailed(f"{DYNALITE} is missing: run `make node` (npm ci) first")
    port = free_port()
    server = _start(
        "dynalite",
        [
            str(DYNALITE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0",
        ],
        port,
        log_dir,
        timeout,
    )
    server.env = {**FAKE_AWS, "AWS_ENDPOINT_URL_DYNAMODB": server.url}
    return server


def start_moto(log_dir: Path, *, timeout: float = 30.0) -> LocalServer:
    """moto's server from the venv (`make setup`). For S3 only: it loses concurrent counts."""
    if not MOTO_SERVER.exists():
        raise ServerFailed(f"{MOTO_SERVER} is missing: install requirements-dev.txt (make setup)")
    port = free_port()
    server = _start(
        "moto_server",
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        port,
        log_dir,
        timeout,
    )
    server.env = {**FAKE_AWS, "AWS_ENDPOINT_URL_S3": server.url}
    return server


def child_env(*servers: LocalServer) -> dict[str, str]:
    """This process's environment pointed at `servers`, for a child process."""
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    for server in servers:
        env.update(server.env)
    return env


def _start(name: str, argv: Sequence[str], port: int, log_dir: Path, timeout: float) -> LocalServer:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}-{port}.log"
    with log.open("wb") as out:
        # A new session, so stop() can end the whole group (npx/node wrappers included).
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerFailed(
                f"{name} exited with status {process.returncode} before answering on {url}:\n"
                + _tail(log)
            )
        if _answers(url):
            return LocalServer(name, url, process, log)
        if time.monotonic() > deadline:
            _stop(process)
            raise ServerFailed(
                f"{name} did not answer on {url} within {timeout:.0f} s:\n" + _tail(log)
            )
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means it is up (dynalite answers GET / with an error)
    except (OSError, urllib.error.URLError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(log: Path, lines: int = 30) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"
