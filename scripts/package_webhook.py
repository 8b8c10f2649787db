"""Build the Lambda zips without Docker: Lambda-platform wheels, only what runs, compiled for 3.12.

    python scripts/package_webhook.py [--out build] [--only webhook|admin|export] [--no-pyc]

The webhook zip holds twilio's TwiML and signature modules (not twilio.rest and its HTTP stacks),
phonenumberslite, rapidfuzz, adviceline/, handlers/webhook.py and messages/ loaded and indexed in
one pickled bundle (adviceline/bundle.py). boto3 and botocore are left out: the Lambda runtime
has them. Bytecode is compiled by a Python 3.12, the runtime's version: a 3.11 .pyc would be
ignored there, and /var/task is read-only, so every cold start would compile the sources again.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = "3.12"
# Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34): any wheel up to manylinux_2_34 runs;
# rapidfuzz 3.14 publishes manylinux_2_28 wheels only, others still manylinux2014.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64")
# Inside twilio, only these are imported by the webhook (stdlib-only modules).
TWILIO_KEEP = {"__init__.py", "request_validator.py", "twiml"}
TWIML_KEEP = {"__init__.py", "messaging_response.py"}
# Fixed zip timestamp so the same input gives the same bytes (and the same code hash on AWS).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
DROP_DIRS = {"__pycache__", "tests", "test", "node_modules", "bin"}
DROP_SUFFIXES = {".pyi", ".pyc", ".pyo", ".c", ".h", ".pxd", ".pyx", ".cpp"}


@dataclass(frozen=True)
class Function:
    """One deployment package: third-party requirements (by name) and project files."""

    name: str
    requirements: tuple[str, ...]
    handlers: tuple[str, ...]
    web_assets: bool  # the dashboard's templates and static files


FUNCTIONS = {
    "webhook": Function(
        "webhook", ("twilio", "phonenumberslite", "rapidfuzz"), ("webhook",), False
    ),
    "admin": Function(
        "admin",
        ("twilio", "phonenumberslite", "rapidfuzz", "flask", "apig-wsgi"),
        ("admin",),
        True,
    ),
    "export": Function("export", ("phonenumberslite", "rapidfuzz"), ("export",), False),
}


def pins(names: Iterable[str], requirements: Path = ROOT / "requirements.txt") -> list[str]:
    """`name==version` for each of `names`, as pinned in requirements.txt."""
    pinned: dict[str, str] = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name = line.split("==", 1)[0].strip().lower()
            pinned[name] = line
    missing = [n for n in names if n.lower() not in pinned]
    if missing:
        raise SystemExit(f"not pinned in requirements.txt: {', '.join(missing)}")
    return [pinned[n.lower()] for n in names]


def find_python(version: str = RUNTIME) -> str | None:
    """A Python `version` interpreter: on PATH, from pyenv, or from uv; None if there is none."""
    candidates = [shutil.which(f"python{version}") or ""]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        glob.glob(str(pyenv_root / "versions" / f"{version}*" / "bin" / "python3"))
    )
    uv = shutil.which("uv")
    if uv:
        found = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            check=False,
        )
        candidates.append(found.stdout.strip())
    for candidate in candidates:
        if candidate and _version_of(candidate) == version:
            return candidate
    return None


def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def install_requirements(target: Path, requirements: Sequence[str], *, no_deps: bool) -> None:
    """pip-install Lambda-platform wheels for CPython 3.12 into `target`."""
    if not requirements:
        return
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(target),
        *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
        "--only-binary=:all:",
        "--python-version",
        RUNTIME,
        "--implementation",
        "cp",
        *(["--no-deps"] if no_deps else []),
        *requirements,
    ]
    subprocess.run(cmd, check=True)


def slim(target: Path) -> None:
    """Remove what never runs on Lambda: twilio.rest and its HTTP stacks, tests, caches, stubs."""
    twilio = target / "twilio"
    if twilio.is_dir():
        for entry in twilio.iterdir():
            if entry.name not in TWILIO_KEEP:
                _remove(entry)
        for entry in (twilio / "twiml").iterdir():
            if entry.name not in TWIML_KEEP:
                _remove(entry)
    # A wheel's RECORD lists files removed above; the licence and metadata stay.
    for record in target.glob("*.dist-info/RECORD"):
        record.unlink()
    # twilio's HTTP stacks (installed only if a function pulls twilio's dependencies in).
    for name in (
        "aiohttp",
        "aiohttp_retry",
        "requests",
        "jwt",
        "urllib3",
        "certifi",
        "idna",
        "charset_normalizer",
        "multidict",
        "yarl",
        "frozenlist",
        "aiosignal",
        "propcache",
        "aiohappyeyeballs",
        "attrs",
        "boto3",
        "botocore",
        "s3transfer",
    ):
        _remove(target / name)
        for info in target.glob(f"{name.replace('_', '*')}-*.dist-info"):
            _remove(info)
    # rapidfuzz ships each C++ extension twice, for AVX2 and for any x86-64, and imports the AVX2
    # one only if present (else the generic one, with the same results). The handful of typo
    # comparisons a message needs don't need AVX2; the copies are 1.3 MB of the zip.
    for path in target.glob("rapidfuzz/**/*_avx2.*.so"):
        path.unlink()
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_dir() and path.name in DROP_DIRS:
            _remove(path)
        elif path.is_file() and path.suffix in DROP_SUFFIXES:
            path.unlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def add_project(target: Path, fn: Function) -> None:
    """Copy adviceline/, the function's handler and the compiled content into `target`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pickle", "messages.json")
    shutil.copytree(ROOT / "adviceline", target / "adviceline", ignore=ignore)
    if fn.web_assets:
        add_chart_library(target)
    else:
        for name in ("templates", "static"):
            _remove(target / "adviceline" / "web" / name)
    handlers = target / "handlers"
    handlers.mkdir()
    shutil.copy2(ROOT / "handlers" / "__init__.py", handlers / "__init__.py")
    for name in fn.handlers:
        shutil.copy2(ROOT / "handlers" / f"{name}.py", handlers / f"{name}.py")


CHART_JS = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"


def add_chart_library(target: Path) -> None:
    """Copy npm's Chart.js where the dashboard serves it from (no CDN: the page's CSP is 'self')."""
    if not CHART_JS.is_file():
        raise SystemExit(f"package: {CHART_JS.relative_to(ROOT)} is missing; run `make node` first")
    vendor = target / "adviceline" / "web" / "static" / "vendor"
    vendor.mkdir(parents=True, exist_ok=True)
    shutil.copy2(CHART_JS, vendor / CHART_JS.name)


# Run in the package tree itself, by the runtime's Python when there is one: the bundle is made
# by the code and the phonenumbers it ships with, and pickled by the Python that will load it.
_COMPILE = """
import sys
from pathlib import Path
from adviceline.content import BUNDLE_NAME, compile_bundle
compile_bundle(Path(sys.argv[1]), Path("adviceline") / BUNDLE_NAME)
"""
# A fresh process of the same Python then proves the package uses it: content from the bundle,
# the country of a WhatsApp number without importing phonenumbers when one region has its code.
_CHECK = """
import sys
from adviceline.content import BUNDLE_NAME, default_content, default_source
from adviceline.countries import sender_country
assert default_source().name == BUNDLE_NAME, default_source()
content = default_content()
routed = content.route("he wants money", country="FR")
assert content.render(routed.topic, routed.language, "FR", "sms"), routed
assert sender_country("whatsapp:+33612345678", None) == "FR"
assert "phonenumbers" not in sys.modules, "the calling-code table was not used"
assert sender_country("whatsapp:+447700900123", None) == "GB"
"""


def add_content(target: Path, python: str | None) -> None:
    """The advice loaded and indexed, with the calling-code table, in adviceline/bundle.pickle.

    Only the bundle ships (not messages/*.toml). It is made in the tree, by the tree's code and
    phonenumbers, then loaded by a fresh process as a cold start would. A fixed hash seed makes
    the same tree give the same bytes (set order). Without a Python 3.12 (--no-pyc) this Python
    makes it; the runtime then checks it against the sources rather than the .pyc.
    """
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0", "PYTHONPATH": str(target)}
    # -S: only the tree's packages and the standard library, as on Lambda.
    cmd = [python, "-S", "-B"] if python else [sys.executable, "-S", "-B"]
    for script in (_COMPILE, _CHECK):
        subprocess.run(
            [*cmd, "-c", script, str(ROOT / "messages")],
            cwd=target,
            env=env,
            check=True,
            timeout=300,
        )


def compile_pyc(target: Path, python: str) -> None:
    """Compile every module with the runtime's Python into __pycache__/*.cpython-312.pyc.

    Unchecked-hash .pyc files are used without looking at the source's mtime, which the zip's
    fixed timestamps would otherwise make stale; /var/task is read-only, so this is the only copy.
    """
    subprocess.run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(target),
            "-p",
            "/var/task",
            str(target),
        ],
        check=True,
    )


def write_zip(source: Path, zip_path: Path) -> None:
    """Zip `source` deterministically: sorted names, fixed timestamps and permissions."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_suffix(".tmp")
    files = sorted(
        (p for p in source.rglob("*") if p.is_file()),
        key=lambda p: p.relative_to(source).as_posix(),
    )
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), ZIP_DATE)
            mode = 0o755 if os.access(path, os.X_OK) and path.suffix == ".so" else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(zip_path)


def build(fn: Function, out: Path, *, python: str | None, cache: Path) -> Path:
    """Build `out/<fn>.zip` (and leave its tree in `out/<fn>/` for inspection)."""
    tree = out / fn.name
    _remove(tree)
    tree.mkdir(parents=True)
    for name in fn.handlers:
        if not (ROOT / "handlers" / f"{name}.py").is_file():
            raise SystemExit(f"package: handlers/{name}.py does not exist yet")
    deps = cache / fn.name
    if not deps.is_dir():
        # Third-party wheels are cached per function: reinstalled only when the pins change.
        staging = Path(tempfile.mkdtemp(dir=cache.parent))
        # twilio alone is installed without its dependencies: its HTTP stacks serve twilio.rest.
        others = [r for r in fn.requirements if r != "twilio"]
        install_requirements(staging, pins(others), no_deps=False)
        if "twilio" in fn.requirements:
            install_requirements(staging, pins(["twilio"]), no_deps=True)
        slim(staging)
        staging.replace(deps)
    shutil.copytree(deps, tree, dirs_exist_ok=True)
    add_project(tree, fn)
    if python:
        compile_pyc(tree, python)
    add_content(tree, python)
    zip_path = out / f"{fn.name}.zip"
    write_zip(tree, zip_path)
    return zip_path


def _cache_dir(out: Path) -> Path:
    import hashlib

    digest = hashlib.sha256()
    for path in (ROOT / "requirements.txt", Path(__file__)):
        digest.update(path.read_bytes())
    cache = out / ".wheels" / digest.hexdigest()[:16]
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def main(argv: Sequence[str] | None = None) -> int:
    """Build the requested zips and print their sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    parser.add_argument("--only", choices=sorted(FUNCTIONS), action="append")
    parser.add_argument(
        "--no-pyc",
        action="store_true",
        help="ship sources only (slower cold starts) when no Python 3.12 is installed",
    )
    args = parser.parse_args(argv)
    python = None
    if not args.no_pyc:
        python = find_python()
        if python is None:
            print(
                f"package: no Python {RUNTIME} found (PATH, pyenv, uv) to compile .pyc for the "
                f"Lambda runtime; install one (e.g. `pyenv install {RUNTIME}` or "
                f"`uv python install {RUNTIME}`) or pass --no-pyc",
                file=sys.stderr,
            )
            return 2
    out: Path = args.out.resolve()
    cache = _cache_dir(out)
    for name in args.only or sorted(FUNCTIONS):
        zip_path = build(FUNCTIONS[name], out, python=python, cache=cache)
        size = zip_path.stat().st_size
        print(
            f"{zip_path.relative_to(out.parent) if out.parent in zip_path.parents else zip_path}"
            f"  {size / 1e6:.2f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
