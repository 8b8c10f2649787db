"""The packaged bundle: the same answers as messages/, used only by the code that built it."""

from __future__ import annotations

import gc
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adviceline.bundle import BundleError, read_header
from adviceline.content import (
    BUNDLE_NAME,
    Content,
    compile_bundle,
    default_content,
    default_source,
    load_content,
)
from adviceline.topics import CHANNELS, LANGUAGES, TOPICS

ROOT = Path(__file__).resolve().parent.parent
REPO_MESSAGES = ROOT / "messages"
ROUTING_DATA = ROOT / "tests" / "data" / "routing"


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of messages/: what these tests compare stays put while they run."""
    copy = tmp_path_factory.mktemp("messages") / "messages"
    shutil.copytree(REPO_MESSAGES, copy)
    return copy


@pytest.fixture(scope="module")
def toml(messages: Path) -> Content:
    return load_content(messages)


@pytest.fixture(scope="module")
def bundle(messages: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_bundle(messages, tmp_path_factory.mktemp("bundle") / BUNDLE_NAME)


@pytest.fixture(scope="module")
def packed(bundle: Path) -> Content:
    return load_content(bundle)


def rows() -> Iterator[dict[str, str]]:
    for path in sorted(ROUTING_DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def test_default_content_in_a_checkout_is_read_from_messages() -> None:
    assert default_source() == REPO_MESSAGES
    assert default_content() is default_content()


def test_bundle_routes_every_test_message_as_messages_does(packed: Content, toml: Content) -> None:
    bodies = [row["body"] for row in rows()]
    assert len(bodies) > 500
    for body in [*bodies, "", "   ", "STOP", "reprot", "he wnats mony", "x" * 5000]:
        for country in ("GB", "FR", "DE", "ZZ"):
            assert packed.route(body, country=country) == toml.route(body, country=country), body


def test_bundle_renders_every_reply_as_messages_does(packed: Content, toml: Content) -> None:
    countries = [*sorted(toml.countries.countries), "ZZ", "AT", "US"]
    for topic in TOPICS:
        for language in LANGUAGES:
            for country in countries:
                for channel in CHANNELS:
                    expected = toml.render(topic, language, country, channel)
                    assert packed.render(topic, language, country, channel) == expected


def test_loading_leaves_the_garbage_collector_as_it_was(bundle: Path) -> None:
    assert gc.isenabled()
    load_content(bundle)
    assert gc.isenabled()
    gc.disable()
    try:
        load_content(bundle)
        assert not gc.isenabled()
    finally:
        gc.enable()


def forge(bundle: Path, out: Path, **changes: str) -> Path:
    """A copy of `bundle` whose header says something else."""
    with bundle.open("rb") as fh:
        header = pickle.load(fh)  # noqa: S301 - our own test artefact
        rest = fh.read()
    out.write_bytes(pickle.dumps({**header, **changes}, protocol=5) + rest)
    return out


@pytest.mark.parametrize("field", ["code", "sources", "format"])
def test_a_bundle_from_other_code_is_refused(bundle: Path, tmp_path: Path, field: str) -> None:
    # Built by this Python, the .pyc/source hashes decide; by another one, the sources do.
    changes = {field: "0" * 64}
    if field == "sources":
        changes["python"] = "00000000"
    forged = forge(bundle, tmp_path / BUNDLE_NAME, **changes)
    with pytest.raises(BundleError):
        load_content(forged)
    with pytest.raises(BundleError):
        read_header(forged)


def test_a_bundle_built_by_another_python_is_checked_against_the_sources(
    bundle: Path, tmp_path: Path, toml: Content
) -> None:
    forged = forge(bundle, tmp_path / BUNDLE_NAME, python="00000000", code="0" * 64)
    expected = toml.route("i paid him", country="GB")
    assert load_content(forged).route("i paid him", country="GB") == expected


def test_garbage_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / BUNDLE_NAME).write_bytes(b"\x80\x05garbage")
    with pytest.raises(BundleError):
        load_content(tmp_path / BUNDLE_NAME)


def test_default_source_uses_messages_when_the_bundle_is_not_current(
    bundle: Path, messages: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    package, beside = tmp_path / "adviceline", tmp_path / "messages"
    package.mkdir()
    shutil.copytree(messages, beside)
    shutil.copy(bundle, package / BUNDLE_NAME)
    assert default_source(package) == package / BUNDLE_NAME
    forge(bundle, package / BUNDLE_NAME, code="0" * 64)
    assert default_source(package) == beside  # other code: messages/ beside it is the truth
    assert "not using the content bundle" in caplog.text
    shutil.rmtree(beside)
    assert default_source(package) == package / BUNDLE_NAME  # alone, it is loaded and refused
    with pytest.raises(BundleError):
        load_content(default_source(package))


# --- a package-like tree, in fresh processes ----------------------------------------------------

PROBE = """
import json, sys
from adviceline.content import default_content, default_source
from adviceline.countries import sender_country
from adviceline.inbound import Inbound, answer
import adviceline
message = Inbound("whatsapp", "whatsapp:+33612345678", "il veut de l'argent")
result = answer(message, default_content())
print(json.dumps({
    "package": adviceline.__file__,
    "source": default_source().name,
    "answer": [result.topic, result.language, result.country],
    "loaded": sorted(m for m in ("phonenumbers", "rapidfuzz", "tomllib") if m in sys.modules),
    "uk": sender_country("whatsapp:+447700900123", None),
}))
"""


def run_probe(task: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(task)}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=task,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def task(tmp_path: Path, messages: Path) -> Path:
    """adviceline/ and its bundle, as in the zip (no messages/), built in the tree."""
    task = tmp_path / "task"
    shutil.copytree(
        ROOT / "adviceline",
        task / "adviceline",
        ignore=shutil.ignore_patterns("__pycache__", "*.pickle", "templates", "static"),
    )
    build = (
        "import sys; from pathlib import Path; from adviceline.content import compile_bundle; "
        "compile_bundle(Path(sys.argv[1]), Path('adviceline/bundle.pickle'))"
    )
    subprocess.run(
        [sys.executable, "-c", build, str(messages)],
        cwd=task,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(task)},
        check=True,
        timeout=120,
    )
    return task


def test_a_package_answers_from_its_bundle_without_phonenumbers(task: Path, toml: Content) -> None:
    run = run_probe(task)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert Path(out["package"]).is_relative_to(task)
    assert out["source"] == BUNDLE_NAME
    expected = toml.route("il veut de l'argent", country="FR")
    assert out["answer"] == [expected.topic, "fr", "FR"]
    assert out["loaded"] == []  # no TOML parsing, no phonenumbers (+33), no typo lookup
    assert out["uk"] == "GB"  # +44 is shared: phonenumbers decides


def test_a_package_whose_code_changed_refuses_its_bundle(task: Path, messages: Path) -> None:
    with (task / "adviceline" / "normalise.py").open("a", encoding="utf-8") as fh:
        fh.write("\n# changed after the bundle was built\n")
    run = run_probe(task)
    assert run.returncode != 0
    assert "BundleError" in run.stderr and "rebuild the package" in run.stderr
    shutil.copytree(messages, task / "messages")  # a checkout: messages/ beside it is used
    run = run_probe(task)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["source"] == "messages"
