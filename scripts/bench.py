"""Benchmarks of the webhook against a tutorial-style one, measured in the same run (`make bench`).

1. Cold start: a fresh Python process imports the handler (with .pyc) and answers its first
   signed message, counting it in a local DynamoDB (dynalite). The floor is what any DynamoDB
   write from Python costs in a fresh process: importing botocore, creating the client and
   sending one UpdateItem. Interpreter start-up is the same for all and is left out. Every case
   runs once first to write its .pyc (not counted), then the cases take turns, round after
   round, in a rotating order, so a busy moment on the machine hits them alike.
2. Warm handling p50/p99 in one process: the SQLite store, and the same dynalite for both apps.
3. Deployment zip size.

Counts of runs and requests are fixed and small, so the whole run takes about a minute.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
TOKEN = "bench-auth-token-0123456789abcdef"  # noqa: S105 - a made-up token for local runs
TABLE = "adviceline-counts-bench"
HOST = "abc123def4.execute-api.eu-west-2.amazonaws.com"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "eu-west-2",
}
MESSAGES = (
    "he wants money",
    "hello",
    "I already paid him",
    "il veut de l'argent",
    "ich habe angst, er will die bilder posten",
    "how do I get the pictures taken down",
    "",
    "my son is being blackmailed",
)

# What each fresh process runs: the event arrives on stdin; it prints timings as JSON.
OURS = """
import json, sys, time
event = json.loads(sys.stdin.read())
c0, t0 = time.process_time(), time.perf_counter()
from handlers import webhook
t1 = time.perf_counter()
response = getattr(webhook, event["rawPath"].strip("/"))(event)
t2 = time.perf_counter()
c2 = time.process_time()
assert response["statusCode"] == 200 and "<Message>" in response["body"], response
# The real answer, from the packaged bundle (not the fallback said when the content fails).
from adviceline.content import BUNDLE_NAME, default_source
from adviceline.web.webhooks import FALLBACK_REPLY
assert FALLBACK_REPLY[:40] not in response["body"] and default_source().name == BUNDLE_NAME
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "cpu": c2 - c0}))
"""
TUTORIAL = """
import json, sys, time
event = json.loads(sys.stdin.read())
c0, t0 = time.process_time(), time.perf_counter()
import app
t1 = time.perf_counter()
response = app.handler(event, None)
t2 = time.perf_counter()
c2 = time.process_time()
import base64
body = response["body"]
if response["isBase64Encoded"]:
    body = base64.b64decode(body).decode()
assert response["statusCode"] == 200 and "<Message>" in body, response
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "cpu": c2 - c0}))
"""
FLOOR = """
import json, os, sys, time
sys.stdin.read()
c0, t0 = time.process_time(), time.perf_counter()
import botocore.session
client = botocore.session.get_session().create_client("dynamodb")
t1 = time.perf_counter()
client.update_item(
    TableName=os.environ["COUNTS_TABLE"],
    Key={"pk": {"S": "S#0"}, "sk": {"S": "2000-01-01#sms#ZZ#en#menu"}},
    UpdateExpression="ADD #n :one",
    ExpressionAttributeNames={"#n": "n"},
    ExpressionAttributeValues={":one": {"N": "1"}},
)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "cpu": time.process_time() - c0}))
"""


def signed_event(body: str, *, path: str = "/sms", sender: str = "+447700900123") -> dict[str, Any]:
    """An HTTP API v2 event carrying a signed inbound SMS or WhatsApp message."""
    from twilio.request_validator import RequestValidator

    form = {
        "MessageSid": "SM" + "0" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
        "FromCountry": "GB",
    }
    if path == "/whatsapp":
        # No FromCountry on WhatsApp: the country comes from the number (phonenumbers).
        del form["FromCountry"]
        form |= {"From": f"whatsapp:{sender}", "WaId": sender[1:], "ProfileName": "A"}
    raw = urlencode(form).encode()
    signature = RequestValidator(TOKEN).compute_signature(f"https://{HOST}{path}", form)
    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "host": HOST,
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-twilio-signature": signature,
        },
        "requestContext": {
            "domainName": HOST,
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4"},
            "stage": "$default",
        },
        "body": base64.b64encode(raw).decode(),
        "isBase64Encoded": True,
    }


# --- local DynamoDB ---------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_dynalite() -> tuple[subprocess.Popen[bytes], str]:
    """dynalite on a free loopback port, in memory; returns the process and its URL."""
    binary = ROOT / "node_modules" / ".bin" / "dynalite"
    if not binary.exists():
        raise SystemExit("bench: node_modules/.bin/dynalite is missing (make node)")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "--host", "127.0.0.1", "--port", str(port), "--createTableMs", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - loopback URL
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.05)
    else:
        stop(process)
        raise SystemExit("bench: dynalite did not start")
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process group this script started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def create_table(env: dict[str, str]) -> None:
    """The counts table, with the schema serverless.yml declares."""
    from adviceline.config import Settings
    from adviceline.counts.factory import open_store

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        open_store(Settings(counts_backend="dynamodb", counts_table=TABLE)).init()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --- cold start -------------------------------------------------------------------------------


def lambda_like_tree() -> Path:
    """adviceline/ and handlers/ with the content bundle, laid out as in the zip (no messages/).

    The bundle is made in the tree by the tree's code, as scripts/package_webhook.py does.
    """
    tree = BUILD / "bench" / "task"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.pyc", "*.pickle", "messages.json", "templates", "static"
    )
    shutil.copytree(ROOT / "adviceline", tree / "adviceline", ignore=ignore)
    shutil.copytree(ROOT / "handlers", tree / "handlers", ignore=ignore)
    build = (
        "import sys; from pathlib import Path; from adviceline.content import compile_bundle; "
        "compile_bundle(Path(sys.argv[1]), Path('adviceline/bundle.pickle'))"
    )
    subprocess.run(
        [sys.executable, "-c", build, str(ROOT / "messages")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"},
        check=True,
        timeout=300,
    )
    return tree


def cold_run(
    code: str, *, path: Path, env: dict[str, str], event: dict[str, Any]
) -> dict[str, float]:
    """One fresh process timing its import and its first reply: wall clock and, less sensitive
    to a busy machine (a cold start is CPU-bound), the CPU time it used for them."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(event),
        cwd=path,
        env={**env, "PYTHONPATH": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: cold run failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout)
    return result


def load_average() -> str:
    """The 1-minute load average, or "?" where the OS does not say."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def ms(seconds: float) -> float:
    """Seconds as milliseconds."""
    return seconds * 1000


# --- warm -------------------------------------------------------------------------------------


Warm = tuple[float, float, float]


def warm(call: Callable[[], object], n: int) -> Warm:
    """p50 and p99 in milliseconds over `n` calls, after a few warm-up calls, and the p99 of the
    CPU time per call (a busy machine preempts a call now and then: a 4 ms scheduler tick)."""
    for _ in range(20):
        call()
    times, cpu = [], []
    for _ in range(n):
        c0, t0 = time.process_time(), time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    times.sort()
    cpu.sort()
    p99 = min(n - 1, int(n * 0.99))
    return ms(times[n // 2]), ms(times[p99]), ms(cpu[p99])


def warm_ours(events: Sequence[dict[str, Any]], store: Any, n: int) -> Warm:
    """Our handler in this process with `store`, cycling through `events`."""
    from adviceline.config import Settings
    from adviceline.web.services import Services
    from handlers import webhook

    webhook._services = Services(Settings(twilio_auth_token=TOKEN), store=store)
    i = iter(range(10**9))

    def call() -> None:
        response = webhook.sms(events[next(i) % len(events)])
        if response["statusCode"] != 200:
            raise SystemExit(f"bench: unexpected answer {response['statusCode']}")

    try:
        return warm(call, n)
    finally:
        webhook._services = None


def warm_tutorial(event: dict[str, Any], env: dict[str, str], n: int) -> Warm:
    """The tutorial app in this process, against the same dynalite."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "scripts" / "bench_tutorial"))
    import app as tutorial

    def call() -> None:
        response = tutorial.handler(event, None)
        if response["statusCode"] != 200:
            raise SystemExit(f"bench: unexpected answer {response['statusCode']}")

    return warm(call, n)


# --- size -------------------------------------------------------------------------------------


def tutorial_zip() -> Path:
    """What a tutorial deploys: twilio (all of it, with its HTTP stacks), flask, apig-wsgi."""
    out = BUILD / "bench" / "tutorial.zip"
    if out.exists():
        return out
    sys.path.insert(0, str(ROOT / "scripts"))
    import package_webhook as pkg

    tree = Path(tempfile.mkdtemp(dir=BUILD / "bench"))
    pkg.install_requirements(tree, pkg.pins(["twilio", "flask", "apig-wsgi"]), no_deps=False)
    shutil.copy2(ROOT / "scripts" / "bench_tutorial" / "app.py", tree / "app.py")
    pkg.write_zip(tree, out)
    shutil.rmtree(tree)
    return out


def webhook_zip() -> Path:
    """build/webhook.zip, built now from this tree (the wheels are cached)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_webhook.py"), "--only", "webhook"],
        check=True,
    )
    return BUILD / "webhook.zip"


def zip_mb(path: Path) -> tuple[float, float]:
    """Compressed and unpacked size in MB."""
    with zipfile.ZipFile(path) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    return path.stat().st_size / 1e6, unpacked / 1e6


# --- report -----------------------------------------------------------------------------------


def table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[object]], *, digits: int = 1
) -> None:
    """Print a Markdown table."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [f"{c:.{digits}f}" if isinstance(c, float) else str(c) for c in row]
        print("| " + " | ".join(cells) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and print the tables."""
    parser = argparse.ArgumentParser(description="webhook benchmarks (cold, warm, size)")
    parser.add_argument("--runs", type=int, default=11, help="fresh processes per cold start")
    parser.add_argument("--requests", type=int, default=2000, help="warm requests per case")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)

    dynalite, url = start_dynalite()
    try:
        aws = {**FAKE_AWS, "AWS_ENDPOINT_URL_DYNAMODB": url}
        create_table(aws)
        # The same environment for every case; no PYTHON* variable (bytecode policy, paths).
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "TWILIO_", "PYTHON", "COUNTS_"))
        }
        env = {
            **base,
            **aws,
            "COUNTS_BACKEND": "dynamodb",
            "COUNTS_TABLE": TABLE,
            "TWILIO_AUTH_TOKEN": TOKEN,
        }
        tree = lambda_like_tree()
        tutorial_dir = ROOT / "scripts" / "bench_tutorial"
        body = "he wants money"
        cases = {
            "floor": ("botocore client + 1 UpdateItem (floor)", FLOOR, tree, signed_event(body)),
            "sms": ("adviceline webhook.sms (FromCountry GB)", OURS, tree, signed_event(body)),
            "wa33": (
                "adviceline webhook.whatsapp +33 (one-region code)",
                OURS,
                tree,
                signed_event(body, path="/whatsapp", sender="+33612345678"),
            ),
            "wa44": (
                "adviceline webhook.whatsapp +44 (shared code)",
                OURS,
                tree,
                signed_event(body, path="/whatsapp", sender="+447700900123"),
            ),
            "tutorial": (
                "tutorial Flask + twilio.rest + boto3",
                TUTORIAL,
                tutorial_dir,
                signed_event(body),
            ),
        }
        print(
            f"\nCold start method: Python {sys.version.split()[0]}, one dynalite for all, "
            f"{args.runs} measured fresh processes per case after one that writes its .pyc "
            f"(every case then imports from cached .pyc, site-packages as pip compiled them); "
            f"rounds interleave the cases in a rotating order; interpreter start-up left out; "
            f"ours runs from a zip-like tree (adviceline/ + handlers/ + bundle, no messages/). "
            f"Load average at start: {load_average()}."
        )
        for _, code, path, ev in cases.values():
            cold_run(code, path=path, env=env, event=ev)  # writes the .pyc; not counted
        cold: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
        names = list(cases)
        for i in range(args.runs):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                _, code, path, ev = cases[name]
                cold[name].append(cold_run(code, path=path, env=env, event=ev))

        def total(r: dict[str, float]) -> float:
            return r["import"] + r["first"]

        def med(name: str, part: str | None = None) -> float:
            values = [total(r) if part is None else r[part] for r in cold[name]]
            return ms(statistics.median(values))

        def low(name: str) -> float:
            return ms(min(total(r) for r in cold[name]))

        def paired(name: str, other: str, how: Callable[[float, float], float]) -> float:
            """Median over rounds of how(ours, other) within the same round (drift cancels)."""
            pairs = zip(cold[name], cold[other], strict=True)
            return statistics.median(how(total(a), total(b)) for a, b in pairs)

        table(
            f"Cold start, fresh process, .pyc, against dynalite (ms, median of {args.runs})",
            ["case", "import", "first reply", "total", "min total", "CPU of total"],
            [
                (c[0], med(n, "import"), med(n, "first"), med(n), low(n), med(n, "cpu"))
                for n, c in cases.items()
            ],
        )
        print(
            f"\nLoad average at end: {load_average()}. "
            "Goals: <= 0.6x the tutorial, < 50 ms above the floor. Per round, then the median "
            "over rounds; in brackets: from the medians above, and from the CPU times."
        )
        tut, floor = med("tutorial"), med("floor")
        for name in ("sms", "wa33", "wa44"):
            ratio = paired(name, "tutorial", lambda a, b: a / b)
            above = ms(paired(name, "floor", lambda a, b: a - b))
            ours = med(name)
            cpu_ratio = med(name, "cpu") / med("tutorial", "cpu")
            cpu_above = med(name, "cpu") - med("floor", "cpu")
            print(
                f"- {name}: ours / tutorial = {ratio:.2f}x ({ours / tut:.2f}x; CPU "
                f"{cpu_ratio:.2f}x); above the SDK floor = {above:.1f} ms "
                f"({ours - floor:.1f} ms; CPU {cpu_above:.1f} ms)"
            )

        from adviceline.counts.sqlite import SqliteCountStore

        event = cases["sms"][3]
        events = [signed_event(m) for m in MESSAGES]
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_store = SqliteCountStore(Path(tmp) / "counts.sqlite3")
            sqlite_store.init()
            ours_sqlite = warm_ours(events, sqlite_store, args.requests)
        os.environ.update(aws)
        from adviceline.config import Settings
        from adviceline.counts.factory import open_store

        dyn_store = open_store(Settings(counts_backend="dynamodb", counts_table=TABLE))
        n_net = max(200, args.requests // 4)
        ours_dyn = warm_ours(events, dyn_store, n_net)
        tut_dyn = warm_tutorial(event, env, n_net)
        table(
            "Warm handling in one process (ms)",
            ["case", "requests", "p50", "p99", "p99 CPU"],
            [
                ("ours, SQLite store", args.requests, *ours_sqlite),
                ("ours, dynalite", n_net, *ours_dyn),
                ("tutorial, dynalite", n_net, *tut_dyn),
            ],
            digits=3,
        )
        print(
            f"\nours p99 on SQLite = {ours_sqlite[1]:.3f} ms, CPU {ours_sqlite[2]:.3f} ms "
            f"(goal < 1 ms; load average {load_average()}); "
            f"p50 ours / tutorial on dynalite = {ours_dyn[0] / tut_dyn[0]:.2f}x"
        )
    finally:
        stop(dynalite)

    ours_zip, tut_zip = zip_mb(webhook_zip()), zip_mb(tutorial_zip())
    table(
        "Deployment package (MB)",
        ["package", "zip", "unpacked"],
        [
            ("webhook.zip (scripts/package_webhook.py)", *ours_zip),
            ("tutorial: twilio + flask + apig-wsgi", *tut_zip),
        ],
    )
    print(f"\nwebhook zip / tutorial zip = {ours_zip[0] / tut_zip[0]:.2f}x (goal <= 5 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
