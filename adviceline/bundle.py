"""The packaged build artefact: the loaded content and the calling-code table, pickled once.

The packaging script writes `adviceline/bundle.pickle` from the tree it ships (content.
compile_bundle), so a cold start unpickles ready-made objects instead of parsing messages/ and
building the routing index. The file is a header, the calling-code table and the Content, as three
pickles in a row. The header names the code and the messages it was built from: a bundle is used
only by the code that wrote it (BundleError otherwise), and never instead of a messages/ beside
the package that differs from the one it was built from (content.default_source).

Pickle is safe here because the file is our own build output, shipped read-only inside the
deployment package beside the code that reads it; it is never received from anyone.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.util
import io
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

__all__ = [
    "BUNDLE_NAME",
    "FORMAT",
    "BundleError",
    "code_digest",
    "messages_digest",
    "read_bundle",
    "read_header",
    "sources_digest",
    "write_bundle",
]

BUNDLE_NAME: Final = "bundle.pickle"
FORMAT: Final = 1  # bump when the layout of the file itself changes
_HERE: Final = Path(__file__).resolve().parent

CallingCodes = Mapping[str, "str | None"]


class BundleError(RuntimeError):
    """The bundle was not built from this code (or is not a bundle): rebuild the package."""


def _digest(items: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, value in sorted(items):
        digest.update(name.encode() + b"\0" + value + b"\0")
    return digest.hexdigest()


def _running_hash(source: Path) -> bytes:
    """The source hash of the code Python runs for `source`: the one a hash-based .pyc carries
    (the package's, used without reading the source), else the source's own."""
    pyc = Path(importlib.util.cache_from_source(str(source)))
    try:
        with pyc.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        head = b""
    if head[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(head[4:8], "little") & 1:
        return head[8:16]
    return importlib.util.source_hash(source.read_bytes())


@functools.cache
def code_digest(package_dir: Path = _HERE) -> str:
    """A hash of the engine's modules (adviceline/*.py) as this Python runs them: the pickled
    objects and the index depend on every one (normalising, routing, rendering, countries).
    Read from the .pyc headers where there are hash-based .pyc (the package), so a cold start
    reads no source file."""
    return _digest((p.name, _running_hash(p)) for p in package_dir.glob("*.py"))


@functools.cache
def sources_digest(package_dir: Path = _HERE) -> str:
    """A hash of the engine's sources, the same on every Python (for a bundle built by another
    Python than the one running it: a package built without .pyc)."""
    return _digest(
        (p.name, hashlib.sha256(p.read_bytes()).digest()) for p in package_dir.glob("*.py")
    )


def messages_digest(directory: Path) -> str:
    """A hash of the messages/ files the content was read from."""
    return _digest((p.name, p.read_bytes()) for p in Path(directory).glob("*.toml"))


def write_bundle(
    path: Path,
    *,
    content: object,
    messages: str,
    calling_codes: CallingCodes,
    phonenumbers_version: str,
) -> Path:
    """Write the bundle (header, calling-code table, content) to `path`."""
    header = {
        "format": FORMAT,
        "python": importlib.util.MAGIC_NUMBER.hex(),
        "code": code_digest(),
        "sources": sources_digest(),
        "messages": messages,
        "phonenumbers": phonenumbers_version,
    }
    parts = (header, dict(calling_codes), content)
    path = Path(path)
    path.write_bytes(b"".join(_share_strings(pickle.dumps(p, protocol=5)) for p in parts))
    return path


def read_header(path: Path) -> dict[str, Any]:
    """The bundle's header, checked against this code; BundleError if it does not belong to it."""
    with Path(path).open("rb") as fh:
        return _header(fh, path)


def read_bundle(path: Path, *, content: bool = True) -> tuple[dict[str, Any], CallingCodes, Any]:
    """Header, calling-code table and (if `content`) the Content; BundleError if stale."""
    with Path(path).open("rb") as fh:
        header = _header(fh, path)
        codes: CallingCodes = _load(fh)
        return header, codes, _load(fh) if content else None


def _header(fh: io.BufferedReader, path: Path) -> dict[str, Any]:
    try:
        header = _load(fh)
    except Exception as exc:  # noqa: BLE001 - whatever is wrong, it is not our bundle
        raise BundleError(f"{Path(path).name} is not a content bundle") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BundleError(f"{Path(path).name} has another format; rebuild the package")
    if header.get("python") == importlib.util.MAGIC_NUMBER.hex():
        current = header.get("code") == code_digest()
    else:
        current = header.get("sources") == sources_digest()
    if not current:
        raise BundleError(
            f"{Path(path).name} was built from other code than adviceline/ beside it; "
            "rebuild the package (scripts/package_webhook.py)"
        )
    return header


def _load(fh: io.BufferedReader) -> Any:
    # Tens of thousands of small containers: the cyclic GC would scan them again and again
    # while they are created, for nothing (they hold no cycles worth collecting now).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(fh)  # noqa: S301 - our own build artefact, shipped in the package
    finally:
        if enabled:
            gc.enable()


def _share_strings(blob: bytes) -> bytes:
    """The same pickle with equal strings stored once: a memo reference loads faster than a
    copy, and the index repeats its tags ("en/paid") and tokens many times (build time only)."""

    class Interning(pickle._Unpickler):  # the pure-Python unpickler lets us see each string
        dispatch = dict(pickle._Unpickler.dispatch)

    def interned(load: Callable[[Any], None]) -> Callable[[Any], None]:
        def load_and_intern(unpickler: Any) -> None:
            load(unpickler)
            unpickler.stack[-1] = sys.intern(unpickler.stack[-1])

        return load_and_intern

    for op in (pickle.SHORT_BINUNICODE, pickle.BINUNICODE, pickle.BINUNICODE8):
        Interning.dispatch[op[0]] = interned(pickle._Unpickler.dispatch[op[0]])
    return pickle.dumps(Interning(io.BytesIO(blob)).load(), protocol=5)
