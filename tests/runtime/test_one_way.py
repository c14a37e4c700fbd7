"""scan, invoke, serve and the test client run a function one way (``runtime.invoke``):
the same event from the same binding, the same verdict, over real processes."""

import base64
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from apigw_doctor.rules import evaluate_payload
from support.serving import serve
from support.venvs import project_venv

#: an HTTP API whose handler dispatches on routeKey, the common pattern: the route
#: declared GET /watches has a bug (a dict body: 500), every other route key answers 404
ROUTE_KEYS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Watches:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: .
      Events:
        List: {Type: HttpApi, Properties: {Path: /watches, Method: GET}}
        One: {Type: HttpApi, Properties: {Path: "/watches/{id}", Method: GET}}
"""
DISPATCH = """\
import json

def handler(event, context):
    if event["routeKey"] == "GET /watches":
        return {"statusCode": 200, "body": {"watches": []}}  # the bug: not json.dumps'd
    if event["routeKey"] == "GET /watches/{id}":
        return {"statusCode": 200, "body": json.dumps(event["pathParameters"])}
    return {"statusCode": 404, "body": event["routeKey"]}
"""


def project(folder: Path, template: str, code: str, name: str = "app.py") -> Path:
    (folder / "template.yaml").write_text(textwrap.dedent(template))
    (folder / name).write_text(textwrap.dedent(code))
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_route_keys_are_the_declared_routes_in_scan_invoke_and_serve(tmp_path: Path) -> None:
    project(tmp_path, ROUTE_KEYS, DISPATCH)
    status, out, _ = run("scan", str(tmp_path), "--format", "json")
    calls = {c["path"]: c for c in json.loads(out)["handlers"][0]["calls"]}
    assert status == 1 and calls["/watches"]["status"] == 500  # the handler's logic ran
    assert calls["/watches/example-id"]["status"] == 200
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        status, out, _ = run("invoke", "Watches", "GET", "/watches", "--format", "json")
        assert status == 1 and json.loads(out)["status"] == 500
        status, out, _ = run("invoke", "Watches", "GET", "/watches/7", "--format", "json")
        assert status == 0 and json.loads(base64.b64decode(json.loads(out)["body_base64"])) == {
            "id": "7"
        }
        status, _, err = run("invoke", "Watches", "GET", "/nowhere")
        assert status == 2 and "matches no route of Watches" in err and "/watches/{id}" in err
    process, base = serve(cwd=tmp_path)
    try:
        assert httpx.get(base + "/watches").status_code == 500
        assert httpx.get(base + "/watches/7").json() == {"id": "7"}
    finally:
        process.terminate()
        process.communicate(timeout=30)


JWT_ROUTE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration: {issuer: "https://issuer.example", audience: [app]}
  Me:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: .
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref Api, Path: /me, Method: GET}}
"""
READS_CALLER = """\
import json

def handler(event, context):
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return {"statusCode": 200, "body": json.dumps({"sub": claims["sub"]})}
"""


def test_scan_sends_what_a_successful_authorizer_gives(tmp_path: Path) -> None:
    project(tmp_path, JWT_ROUTE, READS_CALLER)
    status, out, _ = run("scan", str(tmp_path), "--format", "json")
    report = json.loads(out)
    assert status == 0, report
    assert report["handlers"][0]["calls"][0]["status"] == 200
    assert any("sample" in n["note"] and "Jwt" in n["note"] for n in report["notes"])


@pytest.mark.parametrize(
    ("template", "name"),
    [
        (
            "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  old:\n"
            "    handler: app.handler\n    events:\n"
            "      - httpApi: {path: /v, method: get, payload: '1.0'}\n",
            "serverless.yml",
        ),
        (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Old:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
            "      Runtime: python3.12\n      CodeUri: .\n      Events:\n        Get:\n"
            "          Type: HttpApi\n          Properties: {Path: /v, Method: GET, "
            "PayloadFormatVersion: '1.0'}\n",
            "template.yaml",
        ),
    ],
)
def test_the_payload_version_set_on_the_function_is_the_one_sent(
    tmp_path: Path, template: str, name: str
) -> None:
    (tmp_path / name).write_text(template)
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': event.get('version', 'none')}\n"
    )
    status, out, _ = run("scan", str(tmp_path), "--format", "json")
    (handler,) = json.loads(out)["handlers"]
    assert status == 0 and handler["api"] == "http-1.0"


def test_serve_shows_what_handlers_print_and_answers_on_the_stage_path(tmp_path: Path) -> None:
    project(
        tmp_path,
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Hello:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      CodeUri: .\n"
        "      Events: {Get: {Type: Api, Properties: {Path: /hello, Method: GET}}}\n",
        "def handler(event, context):\n"
        "    print('hello from the handler', event['path'])\n"
        "    return {'statusCode': 200, 'body': event['requestContext']['path']}\n",
    )
    process, base = serve(cwd=tmp_path)
    try:
        staged = httpx.get(base + "/Prod/hello")  # the deployed URL's own path
        assert staged.status_code == 200 and staged.text == "/Prod/hello"
        record = httpx.get(base + "/__apigw-doctor/api/requests").json()[0]
        detail = httpx.get(base + f"/__apigw-doctor/api/requests/{record['id']}").json()
        assert "hello from the handler /hello" in detail["functionLog"]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    printed = [line for line in err.splitlines() if "hello from the handler" in line]
    assert printed and printed[0].startswith("(") and "[Hello] hello from the handler" in printed[0]


def test_serve_sees_an_edit_on_the_next_request_in_every_worker(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import helper\n\ndef handler(event, context):\n"
        "    return {'statusCode': 200, 'body': helper.VERSION}\n"
    )
    (tmp_path / "helper.py").write_text("VERSION = 'old'\n")
    process, base = serve("app.py:handler", cwd=tmp_path, workers=2)
    try:
        with httpx.Client() as client:
            for _ in range(6):  # every worker imports the old code
                assert client.get(base + "/").text == "old"
            time.sleep(0.05)
            (tmp_path / "helper.py").write_text("VERSION = 'new!'\n")
            seen = {client.get(base + "/").text for _ in range(8)}
        assert seen == {"new!"}, seen  # never old and new in turn
    finally:
        process.terminate()
        process.communicate(timeout=30)


TWO_APIS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Public:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
  Admin:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
  PublicRoot:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.public
      Runtime: python3.12
      CodeUri: .
      Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Public, Path: /, Method: GET}}}
  AdminRoot:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.admin
      Runtime: python3.12
      CodeUri: .
      Events: {Get: {Type: Api, Properties: {RestApiId: !Ref Admin, Path: /, Method: GET}}}
"""


def test_two_apis_with_the_same_route_are_both_reachable(tmp_path: Path) -> None:
    project(
        tmp_path,
        TWO_APIS,
        "def public(event, context):\n    return {'statusCode': 200, 'body': 'public'}\n\n"
        "def admin(event, context):\n    return {'statusCode': 200, 'body': 'admin'}\n",
    )
    process, base = serve(cwd=tmp_path)
    try:
        assert httpx.get(base + "/").text == "admin"  # the first API by name keeps the paths
        assert httpx.get(base + "/Public/").text == "public"
        assert httpx.get(base + "/Public").text == "public"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "warning: APIs Admin and Public declare the same route(s)" in err
    assert "/Public/" in err  # the route table says how to reach it


def test_a_relative_python_path_is_the_users_not_the_code_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "service"
    code.mkdir()
    project(
        code,
        ROUTE_KEYS,
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n",
    )
    project_venv(tmp_path, "only_in_the_venv", "")  # tmp_path/.venv, not beside the template
    monkeypatch.chdir(tmp_path)
    status, out, err = run("scan", "service", "--python", ".venv/bin/python", "--format", "json")
    assert status == 0, err
    assert json.loads(out)["python"]["path"] == str(tmp_path / ".venv" / "bin" / "python")


def test_one_fix_text_per_cause() -> None:
    """A Decimal in json.dumps gets the json.dumps fix lint gives, not "return 400"; a
    header holding a list gets multiValueHeaders, not str([...])."""
    error = {"errorType": "TypeError", "errorMessage": "Object of type Decimal is not JSON "
             "serializable", "requestId": "r", "stackTrace": []}  # fmt: skip
    verdict = evaluate_payload(json.dumps(error).encode(), api="rest", function_error="Unhandled")
    (decimal,) = verdict.errors
    assert decimal.code == "GW704" and "default=str" in decimal.fix and "400" not in decimal.fix
    result = {"statusCode": 200, "headers": {"Set-Cookie": ["a=1", "b=2"]}, "body": ""}
    listed = evaluate_payload(json.dumps(result).encode(), api="rest")
    assert [f.code for f in listed.errors] == ["GW413"]
    assert "multiValueHeaders" in listed.errors[0].fix and "str(" not in listed.errors[0].fix


@pytest.mark.parametrize(
    "args",
    [
        ["aws", "audit", "--rest-api-id", "abc123"],
        ["aws", "enable-logging", "--rest-api-id", "abc123", "--stage", "prod"],
        ["logs", "--rest-api-id", "abc123", "--stage", "prod"],
    ],
)
def test_no_region_is_one_clear_line(args: list[str], tmp_path: Path) -> None:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    done = subprocess.run(
        [sys.executable, "-m", "apigw_doctor", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr
    assert "no AWS region; pass --region or set AWS_DEFAULT_REGION" in done.stderr


def test_enable_logging_dry_run_needs_no_account(tmp_path: Path) -> None:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                   "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true",
                   "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}  # fmt: skip
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "apigw_doctor",
            "aws",
            "enable-logging",
            "--rest-api-id",
            "a1",
            "--stage",
            "prod",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "aws apigateway update-stage --rest-api-id a1 --stage-name prod" in done.stdout
    assert "without checking" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_during_scan_exits_130_quietly(tmp_path: Path) -> None:
    project(
        tmp_path,
        ROUTE_KEYS,
        "import time\n\ndef handler(event, context):\n    time.sleep(30)\n",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "apigw_doctor", "scan", str(tmp_path), "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # the handler is running by now
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err and "would fail" not in out


def test_serve_banner_comes_once_the_port_takes_connections(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'up'}\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apigw_doctor",
            "serve",
            "app.py:handler",
            "--port",
            "0",
            "--workers",
            "1",
        ],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = ""
        while "serving" not in line:
            line = process.stderr.readline()
            assert line, "serve ended before its banner"
        url = line.split(" on ", 1)[1].split(" ;")[0]
        assert httpx.get(url, timeout=30).text == "up"  # no retry: the banner is the signal
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_takes_a_project_folder_and_names_the_functions_of_a_wrong_target(
    tmp_path: Path,
) -> None:
    (tmp_path / "svc").mkdir()
    project(tmp_path / "svc", ROUTE_KEYS, DISPATCH)
    process, base = serve("svc", cwd=tmp_path)
    try:
        assert httpx.get(base + "/watches/3").json() == {"id": "3"}
    finally:
        process.terminate()
        process.communicate(timeout=30)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path / "svc")
        status, _, err = run("invoke", "Watchs", "GET", "/watches")
    assert status == 2 and "Watches" in err and "_apigw_doctor" not in err


SERVERLESS_TABLE = """\
service: shop
provider:
  name: aws
  runtime: python3.12
  environment:
    TABLE: ${self:service}-${self:provider.stage}-items
functions:
  list:
    handler: handler.list_items
    events:
      - httpApi: {path: /items, method: get}
resources:
  Resources:
    Items:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${self:provider.stage}-items
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
"""
COUNTS_AT_IMPORT = """\
import json, os
import boto3

COUNT = boto3.resource("dynamodb").Table(os.environ["TABLE"]).scan()["Count"]

def list_items(event, context):
    return {"statusCode": 200, "body": json.dumps({"count": COUNT})}
"""


def test_mock_aws_has_the_serverless_resources_and_serves_calls_made_at_import(
    tmp_path: Path,
) -> None:
    (tmp_path / "serverless.yml").write_text(SERVERLESS_TABLE)
    (tmp_path / "handler.py").write_text(COUNTS_AT_IMPORT)
    status, out, err = run("scan", str(tmp_path), "--mock-aws", "--format", "json")
    (handler,) = json.loads(out)["handlers"]
    assert status == 0, (out, err)
    assert handler["notCheckedHere"] is None and handler["calls"][0]["status"] == 200
