"""Session fixtures for the deployment tests: the Lambda zips and the packaged template."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.servers import LocalServer, free_port

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BUILD = ARTIFACTS / "build"
TEMPLATE_DIR = ARTIFACTS / "serverless"


def load_packager() -> ModuleType:
    """scripts/package_webhook.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "package_webhook", ROOT / "scripts" / "package_webhook.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("package_webhook", module)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Packaged:
    """What `make package` produces, built into test-artifacts/."""

    build: Path
    template: dict[str, Any]
    template_path: Path


def npx() -> str:
    found = shutil.which("npx")
    if found is None:
        pytest.fail("npx not found: the deployment tests need Node.js (make node)")
    return found


@pytest.fixture(scope="session")
def packaged() -> Packaged:
    """Build every zip with scripts/package_webhook.py, then `npx osls package` with no account."""
    BUILD.mkdir(parents=True, exist_ok=True)
    build = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_webhook.py"), "--out", str(BUILD)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    shutil.rmtree(TEMPLATE_DIR, ignore_errors=True)
    # No AWS account: no credentials at all reach osls.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"ADVICELINE_BUILD_DIR": str(BUILD), "SLS_TELEMETRY_DISABLED": "1"}
    sls = subprocess.run(
        [npx(), "--no-install", "osls", "package", "--package", str(TEMPLATE_DIR)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sls.returncode == 0, sls.stdout + sls.stderr
    path = TEMPLATE_DIR / "cloudformation-template-update-stack.json"
    return Packaged(BUILD, json.loads(path.read_text(encoding="utf-8")), path)


def start_offline(env: dict[str, str], log_dir: Path, *, timeout: float = 60.0) -> LocalServer:
    """`osls offline` (serverless-offline) on free loopback ports, running the handlers in .venv."""
    osls = ROOT / "node_modules" / ".bin" / "osls"
    if not osls.exists():
        pytest.fail(f"{osls} is missing: run `make node` (npm ci) first")
    port, lambda_port = free_port(), free_port()
    venv = Path(sys.prefix)
    env = {
        **env,
        # serverless-offline runs `python3` from PATH; the venv's comes first.
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "SLS_TELEMETRY_DISABLED": "1",
    }
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"serverless-offline-{port}.log"
    argv = [
        str(osls),
        "offline",
        "--host",
        "127.0.0.1",
        "--httpPort",
        str(port),
        "--lambdaPort",
        str(lambda_port),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LocalServer("serverless-offline", f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout
    while b"Server ready" not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail("serverless-offline did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)
    return server
