"""serverless.yml packaged with no AWS account: lint, least privilege, storage, the webhook zip."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serverless_fixtures import ROOT, Packaged, load_packager, packaged
from tests.webhook_fixtures import TOKEN, signed_event, sms_form

__all__ = ["packaged"]  # the session fixture, imported so pytest sees it

pytestmark = pytest.mark.slow

TABLE = {"Fn::GetAtt": ["CountsTable", "Arn"]}
# Every DynamoDB action that returns item data.
READS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PartiQLSelect",
    "dynamodb:ExecuteStatement",
    "dynamodb:BatchExecuteStatement",
    "dynamodb:ExportTableToPointInTime",
    "dynamodb:GetRecords",
    "dynamodb:RestoreTableToPointInTime",
)


def statements(template: dict[str, Any], role: str) -> Iterator[dict[str, Any]]:
    props = template["Resources"][role]["Properties"]
    assert "ManagedPolicyArns" not in props, "no managed policies: everything is listed here"
    for policy in props.get("Policies", []):
        yield from policy["PolicyDocument"]["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allowed(template: dict[str, Any], role: str, action: str, resource: Any) -> bool:
    """Does `role` allow `action` on `resource` (matching CloudFormation expressions as written)?"""
    for st in statements(template, role):
        if st["Effect"] != "Allow":
            continue
        actions = as_list(st.get("Action", []))
        if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
            continue
        if any(r == "*" or r == resource for r in as_list(st.get("Resource", []))):
            return True
    return False


def roles_of(template: dict[str, Any], *functions: str) -> set[str]:
    return {template["Resources"][f]["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions}


def test_template_passes_cfn_lint(packaged: Packaged) -> None:
    lint = subprocess.run(
        [
            str(Path(sys.executable).with_name("cfn-lint")),
            "--non-zero-exit-code",
            "error",
            "--",
            str(packaged.template_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_functions_routes_and_runtime(packaged: Packaged) -> None:
    res = packaged.template["Resources"]
    functions = {k: v["Properties"] for k, v in res.items() if v["Type"] == "AWS::Lambda::Function"}
    assert {p["Handler"] for p in functions.values()} == {
        "handlers/webhook.sms",
        "handlers/webhook.whatsapp",
        "handlers/admin.handler",
        "handlers/export.handler",
    }
    assert {p["Runtime"] for p in functions.values()} == {"python3.12"}
    routes = {
        v["Properties"]["RouteKey"] for v in res.values() if v["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert routes == {
        "POST /sms",
        "POST /whatsapp",
        "GET /admin",
        "GET /admin/api/counts",
        "GET /admin/counts.csv",
        "GET /admin/static/{path+}",
    }
    stage = next(v for v in res.values() if v["Type"] == "AWS::ApiGatewayV2::Stage")
    assert stage["Properties"]["StageName"] == "$default"
    assert "AccessLogSettings" not in stage["Properties"]  # no request log with caller details
    retention = {
        v["Properties"].get("RetentionInDays")
        for v in res.values()
        if v["Type"] == "AWS::Logs::LogGroup"
    }
    assert retention == {30}
    webhook_env = functions["SmsLambdaFunction"]["Environment"]["Variables"]
    assert webhook_env["COUNTS_BACKEND"] == "dynamodb"
    assert webhook_env["TWILIO_AUTH_TOKEN_PARAM"].startswith("/adviceline/")
    assert "TWILIO_AUTH_TOKEN" not in webhook_env  # the secret itself never sits in the template
    # One role per function family, and no shared default role.
    assert "IamRoleLambdaExecution" not in res


def test_webhook_role_can_count_but_cannot_read_the_table(packaged: Packaged) -> None:
    t = packaged.template
    assert roles_of(t, "SmsLambdaFunction", "WhatsappLambdaFunction") == {"WebhookRole"}
    assert allowed(t, "WebhookRole", "dynamodb:UpdateItem", TABLE)
    for action in READS + ("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"):
        assert not allowed(t, "WebhookRole", action, TABLE), action
    actions = {a for st in statements(t, "WebhookRole") for a in as_list(st["Action"])}
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:UpdateItem",
        "ssm:GetParameter",
        "kms:Decrypt",
    }
    for st in statements(t, "WebhookRole"):
        assert st["Effect"] == "Allow"
        if "ssm:GetParameter" in as_list(st["Action"]):
            assert "twilio-auth-token" in json.dumps(st["Resource"])
        if "kms:Decrypt" in as_list(st["Action"]):
            # Only through SSM, only for that one parameter.
            cond = st["Condition"]["StringEquals"]
            assert "twilio-auth-token" in json.dumps(cond["kms:EncryptionContext:PARAMETER_ARN"])
        if st["Resource"] == "*":
            assert "Condition" in st
    assert not allowed(t, "WebhookRole", "s3:GetObject", "*")


def test_admin_and_export_roles_are_least_privilege(packaged: Packaged) -> None:
    t = packaged.template
    assert roles_of(t, "AdminLambdaFunction") == {"AdminRole"}
    assert roles_of(t, "ExportLambdaFunction") == {"ExportRole"}
    assert allowed(t, "AdminRole", "dynamodb:Query", TABLE)
    assert not allowed(t, "AdminRole", "dynamodb:UpdateItem", TABLE)
    assert not allowed(t, "AdminRole", "dynamodb:Scan", TABLE)
    assert allowed(t, "ExportRole", "dynamodb:Query", TABLE)
    assert not allowed(t, "ExportRole", "dynamodb:UpdateItem", TABLE)
    exports = {"Fn::Join": ["", [{"Fn::GetAtt": ["ExportBucket", "Arn"]}, "/counts/*"]]}
    assert allowed(t, "ExportRole", "s3:PutObject", exports)
    assert not allowed(t, "ExportRole", "s3:GetObject", exports)
    admin_ssm = [
        st for st in statements(t, "AdminRole") if "ssm:GetParameter" in as_list(st["Action"])
    ]
    assert len(admin_ssm) == 1 and "admin-token" in json.dumps(admin_ssm[0]["Resource"])


def test_table_and_bucket_keep_data_safe(packaged: Packaged) -> None:
    res = packaged.template["Resources"]
    table = res["CountsTable"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["TableName"] == "adviceline-counts-dev"
    from adviceline.counts.dynamodb import PARTITION_KEY, SORT_KEY

    assert {(k["AttributeName"], k["KeyType"]) for k in props["KeySchema"]} == {
        (PARTITION_KEY, "HASH"),
        (SORT_KEY, "RANGE"),
    }

    bucket = res["ExportBucket"]
    assert bucket["DeletionPolicy"] == "Retain"
    b = bucket["Properties"]
    assert set(b["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(b["PublicAccessBlockConfiguration"]) == 4
    assert b["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert b["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] > 0
    assert b["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "-dev" in json.dumps(b["BucketName"])
    policy = res["ExportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy
    )


def test_webhook_zip_is_small_and_holds_only_what_runs(packaged: Packaged) -> None:
    zip_path = packaged.build / "webhook.zip"
    assert zip_path.stat().st_size <= 5 * 1024 * 1024
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    tops = {n.split("/", 1)[0] for n in names}
    for banned in (
        "boto3",
        "botocore",
        "flask",
        "werkzeug",
        "aiohttp",
        "requests",
        "jwt",
        "node_modules",
        "tests",
    ):
        assert banned not in tops, banned
    assert not [
        n
        for n in names
        if n.startswith("twilio/")
        and not n.startswith(("twilio/twiml/", "twilio/__", "twilio/request_validator"))
    ]
    assert "handlers/admin.py" not in names and "handlers/webhook.py" in names
    assert "adviceline/bundle.pickle" in names
    assert not [n for n in names if n.startswith("messages/") or n.endswith(".toml")]
    assert "handlers/__pycache__/webhook.cpython-312.pyc" in names
    assert not [n for n in names if n.endswith(".cpython-311.pyc")]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert names == sorted(names)


def test_zip_build_is_deterministic(packaged: Packaged, tmp_path: Path) -> None:
    # Same inputs, same bytes (the wheel cache is reused: this rebuilds the tree only).
    packager = load_packager()
    python = packager.find_python()
    cache = packager._cache_dir(packaged.build)
    fn = packager.FUNCTIONS["webhook"]
    first = packager.build(fn, tmp_path / "a", python=python, cache=cache)
    second = packager.build(fn, tmp_path / "b", python=python, cache=cache)
    with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as two:
        assert one.namelist() == two.namelist()
        differ = [n for n in one.namelist() if one.read(n) != two.read(n)]
    assert differ == []
    assert first.read_bytes() == second.read_bytes()


def test_packaged_webhook_answers_on_python_312_from_pyc_only(
    packaged: Packaged, tmp_path: Path
) -> None:
    """Extract the zip as Lambda does, spoil every source file, and answer a signed message."""
    python = load_packager().find_python()
    if python is None:
        pytest.fail("no Python 3.12 to run the packaged webhook with (pyenv install 3.12)")
    task = tmp_path / "task"
    with zipfile.ZipFile(packaged.build / "webhook.zip") as zf:
        zf.extractall(task)
    for source in task.rglob("*.py"):
        # Unchecked-hash .pyc are used without reading the source: a read would fail here.
        source.write_text("raise ImportError('source was compiled at cold start')\n")
    event = signed_event(sms_form("he wants money"))
    script = (
        "import json, sys\n"
        "from handlers import webhook\n"
        "event = json.loads(sys.stdin.read())\n"
        "response = webhook.sms(event)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'boto3', 'botocore', 'requests', 'aiohttp') or m.startswith('twilio.rest'))\n"
        "print(json.dumps({'response': response, 'loaded': loaded, "
        "'version': list(sys.version_info[:2])}))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(task),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "COUNTS_BACKEND": "sqlite",
        "COUNTS_DB": str(tmp_path / "counts.sqlite3"),
    }
    run = subprocess.run(
        [python, "-S", "-c", script],
        input=json.dumps(event),
        cwd=task,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["version"] == [3, 12]
    assert out["response"]["statusCode"] == 200
    assert "<Message>" in out["response"]["body"]
    assert out["loaded"] == []


def test_osls_is_the_pinned_local_one() -> None:
    pkg = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert pkg["devDependencies"]["osls"] == "4.3.1"
    assert shutil.which("npx") is not None


@pytest.mark.parametrize("function", ["admin", "export"])
def test_other_packages_import_on_python_312(
    packaged: Packaged, tmp_path: Path, function: str
) -> None:
    """Each zip carries everything its handler imports (boto3 aside: the runtime has it)."""
    python = load_packager().find_python()
    if python is None:
        pytest.fail("no Python 3.12 to import the packaged handlers with (pyenv install 3.12)")
    task = tmp_path / function
    with zipfile.ZipFile(packaged.build / f"{function}.zip") as zf:
        zf.extractall(task)
        names = zf.namelist()
    assert not [n for n in names if n.startswith(("twilio/rest/", "boto3/", "botocore/"))]
    run = subprocess.run(
        [python, "-S", "-c", f"import handlers.{function} as h; print(callable(h.handler))"],
        cwd=task,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(task)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"


def test_admin_zip_serves_the_chart_library_itself(packaged: Packaged) -> None:
    # The dashboard's CSP is default-src 'self': the chart library must travel in the package.
    with zipfile.ZipFile(packaged.build / "admin.zip") as zf:
        shipped = zf.read("adviceline/web/static/vendor/chart.umd.min.js")
        names = zf.namelist()
    npm_copy = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
    assert shipped == npm_copy.read_bytes()
    assert "adviceline/web/templates/admin/dashboard.html" in names
    assert "adviceline/web/static/admin/dashboard.js" in names
