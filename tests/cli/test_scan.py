"""`apigw-doctor scan`: lint plus real calls, on the bundled example and on traps."""

import base64
import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from support.projects import sam_api
from support.venvs import project_venv

PROJECTS = Path(__file__).parents[1] / "project" / "projects"
PROJECT = Path(__file__).resolve().parents[2] / "examples" / "project"


def scan(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_example_project_shows_every_cause_of_the_seed_note() -> None:
    status, report, _ = scan(str(PROJECT))
    assert status == 1
    handlers = {h["name"]: h for h in report["handlers"]}
    call_codes = {
        name: {f["code"] for c in h["calls"] for f in c["findings"]} for name, h in handlers.items()
    }
    lint_codes = {name: {f["code"] for f in h["lint"]} for name, h in handlers.items()}
    assert "GW101" in call_codes["GetItemFunction"]  # None from a code path
    assert "GW901" in lint_codes["GetItemFunction"]
    assert "GW301" in call_codes["ListItemsFunction"]  # body not a string
    assert "GW101" in call_codes["HelloFunction"]  # a string result
    assert "GW202" in call_codes["CreateItemFunction"]  # missing statusCode (HTTP)
    assert "GW601" in call_codes["ExportFunction"]  # over the payload limit
    assert "GW501" in call_codes["ThumbnailFunction"]  # binary without media types
    assert "GW704" in call_codes["PriceFunction"]  # json.dumps of a Decimal: TypeError
    assert "GW701" in call_codes["DeleteItemFunction"]  # escaping exception
    assert not handlers["HealthFunction"]["failing"]
    assert handlers["DeleteItemFunction"]["calls"][0]["path"] == "/items/example-id"


def test_text_report() -> None:
    result = CliRunner().invoke(main, ["scan", str(PROJECT)])
    assert result.exit_code == 1
    assert "FAIL GetItemFunction" in result.stdout
    assert "ok   HealthFunction" in result.stdout
    assert "9 handler(s): 7 would fail behind API Gateway" in result.stdout


def write(folder: Path, text: str) -> None:
    (folder / "app.py").write_text(textwrap.dedent(text))


def test_without_template_hangs_and_exits_are_contained(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        import sys
        import time

        def spins(event, context):
            while True:  # a hang that does not hog the CPU for the rest of the tests
                time.sleep(0.05)

        def exits(event, context):
            sys.exit(3)

        def fine(event, context):
            return {"statusCode": 200, "body": "ok"}
    """,
    )
    status, report, _ = scan(str(tmp_path), "--timeout", "0.5")
    handlers = {h["name"]: h for h in report["handlers"]}
    # scan's limit (0.5 s) is not the function's (3 s without a template): no verdict
    assert "scan's --timeout" in handlers["spins"]["notCheckedHere"]
    status, report, _ = scan(str(tmp_path), "--timeout", "5")
    handlers = {h["name"]: h for h in report["handlers"]}
    assert status == 1
    assert report["template"] is None
    assert handlers["spins"]["calls"][0]["findings"][0]["code"] == "GW703"  # Lambda's 3 s
    assert "exit status 3" in handlers["exits"]["calls"][0]["findings"][0]["message"]
    assert not handlers["fine"]["failing"]


def test_clean_project_exits_0(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        def handler(event, context):
            return {"statusCode": 200, "body": "ok"}
    """,
    )
    status, report, _ = scan(str(tmp_path))
    assert status == 0
    assert [h["name"] for h in report["handlers"]] == ["handler"]


def test_handler_that_cannot_be_imported(tmp_path: Path) -> None:
    sam_api(tmp_path, "app.missing")
    write(tmp_path, "def handler(event, context):\n    return {}\n")
    status, report, _ = scan(str(tmp_path))
    assert status == 1
    assert "has no 'missing'" in report["handlers"][0]["problem"]


@pytest.mark.parametrize("command", ["scan", "lint", "serve"])
def test_a_template_that_cannot_be_read_stops_every_command(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A green scan of what was found without the template would hide every route."""
    (tmp_path / "template.yaml").write_text("Resources:\n  Fn: [unclosed\n")
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [command, *([] if command == "serve" else ["."])])
    assert result.exit_code == 2, result.output
    assert f"{(tmp_path / 'template.yaml').resolve()}:3:1: not valid YAML" in result.stderr


@pytest.mark.parametrize(
    ("project", "handlers", "skipped"),
    [
        ("sam-shop", {"Items", "Orders"}, {"AuthFunction", "Report", "Worker"}),
        ("sls", {"api", "legacy", "url"}, {"consumer"}),
        ("cdk", {"ItemsFn5C3D"}, {"NodeFn", "WorkerFn11"}),
        ("nested", {"Hello"}, set()),
        ("image", {"FromCommand", "FromDockerfile"}, set()),
        ("repo", {"A"}, {"b"}),
    ],
)
def test_scan_calls_exactly_the_api_handlers(
    project: str, handlers: set[str], skipped: set[str]
) -> None:
    _, report, _ = scan(str(PROJECTS / project))
    assert {h["name"] for h in report["handlers"]} == handlers
    assert {s["name"] for s in report["skipped"]} == skipped


def test_scan_sends_each_route_of_a_function() -> None:
    _, report, _ = scan(str(PROJECTS / "sam-shop"))
    orders = next(h for h in report["handlers"] if h["name"] == "Orders")
    assert sorted((c["method"], c["resource"]) for c in orders["calls"]) == [
        ("GET", "/orders/{id}"),
        ("GET", "/{proxy+}"),
        ("POST", "/orders"),
    ]
    items = next(h for h in report["handlers"] if h["name"] == "Items")
    assert items["calls"][0]["status"] == 200  # the layer is importable, TABLE is set


def test_only_non_api_functions_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(PROJECTS / "repo" / "svc-b")])
    assert result.exit_code == 2
    assert "no Python API handler" in result.stderr
    assert "skip b: triggered by schedule" in result.stdout


def test_a_missing_package_is_not_checked_here_not_a_failure(tmp_path: Path) -> None:
    sam_api(tmp_path, "app.handler")
    write(tmp_path, "import no_such_package_here\n\ndef handler(event, context):\n    return {}\n")
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "no_such_package_here" in handler["notCheckedHere"]


def test_what_a_handler_prints_stays_out_of_the_report(tmp_path: Path) -> None:
    sam_api(tmp_path, "app.handler")
    write(
        tmp_path,
        "import urllib.request\n\n"
        "def handler(event, context):\n"
        "    print('Received event:', event)\n"
        "    urllib.request.urlopen('http://no-such-host.invalid/', timeout=2)\n"
        "    return {'statusCode': 200}\n",
    )
    status, report, _ = scan(str(tmp_path))  # the JSON parses: nothing printed into it
    (handler,) = report["handlers"]
    assert "Received event:" in handler["functionLog"]
    assert status == 0 and not handler["failing"]
    assert "cannot reach" in handler["notCheckedHere"]


def test_handlers_are_imported_as_lambda_imports_them() -> None:
    """``shop.orders.handler`` is a package module with relative imports; another
    function's ``shop`` is a different module in a different code folder."""
    status, report, _ = scan(str(PROJECTS / "packaged"))
    bodies = {h["name"]: base64.b64decode(h["calls"][0]["body_base64"]) for h in report["handlers"]}
    assert status == 0
    assert bodies == {"Orders": b'"orders"', "Other": b"other"}


def test_env_vars_file_in_sam_locals_format(tmp_path: Path) -> None:
    sam_api(tmp_path, "app.handler")
    write(
        tmp_path,
        "import os\n\ndef handler(event, context):\n"
        "    return {'statusCode': 200, 'body': os.environ['GREETING'] + os.environ['NAME']}\n",
    )
    env = tmp_path / "env.json"
    env.write_text('{"Parameters": {"GREETING": "hi "}, "Fn": {"NAME": "fn"}}')
    _, report, _ = scan(str(tmp_path), "--env-vars", str(env))
    (handler,) = report["handlers"]
    assert base64.b64decode(handler["calls"][0]["body_base64"]) == b"hi fn"
    env.write_text("[1, 2]")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--env-vars", str(env)])
    assert result.exit_code == 2 and "sam local --env-vars" in result.stderr


def test_an_asyncio_adapter_runs_as_on_lambdas_main_thread(tmp_path: Path) -> None:
    """Mangum and other ASGI adapters look for the thread's event loop."""
    sam_api(tmp_path, "app.handler")
    write(
        tmp_path,
        "import asyncio\n\n"
        "async def app():\n    return {'statusCode': 200, 'body': 'async'}\n\n"
        "def handler(event, context):\n"
        "    return asyncio.get_event_loop().run_until_complete(app())\n",
    )
    status, report, _ = scan(str(tmp_path))
    assert status == 0
    assert report["handlers"][0]["calls"][0]["status"] == 200


def test_a_variable_only_the_deployment_sets_is_not_checked_here(tmp_path: Path) -> None:
    write(
        tmp_path,
        "import os\nTABLE = os.environ['ORDERS_TABLE']\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': event['httpMethod'] + TABLE}\n",
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "ORDERS_TABLE" in handler["notCheckedHere"] and "--env-vars" in handler["notCheckedHere"]


def test_mock_aws_checks_a_dynamodb_handler_end_to_end() -> None:
    project = PROJECTS / "dynamo"
    _, report, _ = scan(str(project))
    assert "called AWS" in report["handlers"][0]["notCheckedHere"]  # without AWS
    status, report, _ = scan(str(project), "--mock-aws")
    (call,) = report["handlers"][0]["calls"]
    assert status == 0 and call["status"] == 201
    assert json.loads(base64.b64decode(call["body_base64"])) == {"id": "1", "price": "3"}


def test_framework_handlers_scan_as_they_run_on_lambda() -> None:
    """Mangum + FastAPI (an asyncio adapter on the worker's main thread) and a
    Powertools resolver, each in its own worker, MemorySize reaching the context."""
    status, report, _ = scan(str(PROJECTS / "frameworks"))
    assert status == 0
    bodies = {
        h["name"]: json.loads(base64.b64decode(h["calls"][0]["body_base64"]))
        for h in report["handlers"]
    }
    assert bodies == {
        "AsgiFunction": {"id": "example-id", "via": "fastapi"},
        "RoutedFunction": {"message": "hello", "memory": "256"},
    }


def test_wsgi_adapters_scan_as_they_run_on_lambda() -> None:
    """aws-wsgi's awsgi.response and apig-wsgi's make_lambda_handler wrap a WSGI app:
    each runs for real; aws-wsgi reads REST's event shape, so behind an HTTP API's
    payload 2.0 it raises (KeyError: 'httpMethod'), as it does on Lambda."""
    status, report, _ = scan(str(PROJECTS / "wsgi-adapters"))
    outcome = {
        h["name"]: (c["status"], {f["code"] for f in c["findings"] if f["severity"] == "error"})
        for h in report["handlers"]
        for c in h["calls"]
    }
    assert outcome == {
        "Awsgi": (200, set()),
        "ApigWsgi": (200, set()),
        "AwsgiOnHttpApi": (500, {"GW701"}),
    }
    assert status == 1


@pytest.mark.parametrize(
    "handler",
    [
        "import awsgi\n\ndef handler(event, context):\n"
        "    return awsgi.response(application, event, context)\n",
        "from awsgi import response\n\ndef handler(event, context):\n"
        "    return response(application, event, context)\n",
    ],
)
def test_without_a_template_a_handler_handing_its_event_to_an_adapter_is_called(
    tmp_path: Path, handler: str
) -> None:
    shutil.copy(PROJECTS / "wsgi-adapters" / "src" / "wsgi_app.py", tmp_path)
    write(tmp_path, "from wsgi_app import application\n" + handler)
    status, report, _ = scan(str(tmp_path))
    (found,) = report["handlers"]
    assert status == 0 and found["calls"][0]["status"] == 200


def venv_project(folder: Path) -> Path:
    sam_api(folder, "app.handler")
    write(
        folder,
        "import onlyhere\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': onlyhere.WHERE}\n",
    )
    return project_venv(folder, "onlyhere", "WHERE = 'the project venv'\n")


def test_handlers_run_in_the_projects_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = venv_project(tmp_path)
    monkeypatch.delenv("APIGW_DOCTOR_PYTHON")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    status, report, _ = scan(str(tmp_path))
    assert status == 0
    assert report["python"]["path"] == str(python)
    assert report["python"]["source"] == f".venv in {tmp_path.resolve()}"
    assert base64.b64decode(report["handlers"][0]["calls"][0]["body_base64"]) == (
        b"the project venv"
    )
    # the tool's own Python lacks the package: not checked here, with the fix
    status, report, _ = scan(str(tmp_path), "--python", sys.executable)
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "'onlyhere'" in handler["notCheckedHere"]
    assert f"{sys.executable} -m pip install -r requirements.txt" in handler["notCheckedHere"]


def test_a_function_over_its_memory_size_fails_as_on_lambda(tmp_path: Path) -> None:
    # no MemorySize: SAM's default, 128 MB; a long timeout so a busy machine still hits memory first
    sam_api(tmp_path, "app.handler", properties="      CodeUri: .\n      Timeout: 60\n")
    write(
        tmp_path,
        "def handler(event, context):\n"
        "    rows = b'x' * (400 * 1024 * 1024)\n"
        "    return {'statusCode': 200, 'body': str(len(rows))}\n",
    )
    status, report, _ = scan(str(tmp_path))
    (call,) = report["handlers"][0]["calls"]
    assert status == 1 and call["status"] == 502
    assert "Runtime.OutOfMemory" in json.dumps(call["findings"])


def test_an_installed_package_of_another_version_is_not_checked_here(tmp_path: Path) -> None:
    """``cannot import name`` from an installed package: the deployment bundles the
    version the function was written for; this Python has another."""
    sam_api(tmp_path, "app.handler")
    write(tmp_path, "from pinned import new_name\n\ndef handler(event, context):\n    return {}\n")
    python = project_venv(tmp_path, "pinned", "old_name = 1\n")
    status, report, _ = scan(str(tmp_path), "--python", str(python))
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "the version of 'pinned' installed" in handler["notCheckedHere"]
    assert "new_name" in handler["notCheckedHere"]
    # the project's own module lacking a name is a real failure (a source of another
    # size: one of the same size written in the same second would be run from the
    # stale .pyc Python keeps beside it)
    write(tmp_path, "from helpers import nothing\n\n\ndef handler(event, context):\n  return {}\n")
    (tmp_path / "helpers.py").write_text("something = 1\n")
    status, report, _ = scan(str(tmp_path), "--python", str(python))
    assert status == 1 and "cannot import name 'nothing'" in report["handlers"][0]["problem"]


def test_a_layer_given_as_source_is_importable_as_sam_build_makes_it() -> None:
    status, report, _ = scan(str(PROJECTS / "source-layer"))
    (call,) = report["handlers"][0]["calls"]
    assert status == 0 and base64.b64decode(call["body_base64"]) == b"from the source layer"


def test_a_field_the_sample_body_lacks_is_not_a_verdict(tmp_path: Path) -> None:
    sam_api(tmp_path, method="POST", path="/items", properties="")
    write(
        tmp_path,
        "import json\n\n"
        "def handler(event, context):\n"
        "    item = json.loads(event['body'])\n"
        "    return {'statusCode': 201, 'body': item['name']}\n",
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "needs the field 'name'" in handler["notCheckedHere"]


def test_scan_calls_an_api_with_cors_as_a_browser_page_would() -> None:
    status, report, _ = scan(str(PROJECTS / "secured"))
    items = next(h for h in report["handlers"] if h["name"] == "Items")
    calls = {c["resource"]: c for c in items["calls"]}
    broken = [f["code"] for f in calls["/broken"]["findings"]]
    assert status == 1 and broken[-1] == "GW771"  # the 502 the browser hides
    assert not [f for f in calls["/items"]["findings"] if f["code"].startswith("GW77")]
    assert {s["name"] for s in report["skipped"]} == {
        "TokenFunction",
        "RequestFunction",
        "SimpleFunction",
    }  # authorizers are not API handlers


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ("      Handler: run.sh\n      CodeUri: .\n", "is a script"),
        ("      Handler: missing.handler\n      CodeUri: .\n", "not in this checkout"),
        ("      Handler: app.handler\n      CodeUri: build/\n", "not in this checkout"),
    ],
)  # fmt: skip
def test_code_that_is_not_here_is_not_checked_here(
    tmp_path: Path, properties: str, reason: str
) -> None:
    handler, _, rest = properties.partition("\n")
    sam_api(tmp_path, handler.split(": ", 1)[1], properties=rest)
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json"])
    (skipped,) = json.loads(result.stdout)["skipped"]
    assert result.exit_code == 2 and not skipped["checkedHere"]
    assert reason in skipped["reason"]


def test_websocket_routes_are_not_api_handlers(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Ws: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: ws, ProtocolType: WEBSOCKET,"
        " RouteSelectionExpression: $request.body.action}}\n"
        "  Integration:\n"
        "    Type: AWS::ApiGatewayV2::Integration\n"
        "    Properties:\n"
        "      ApiId: !Ref Ws\n"
        "      IntegrationType: AWS_PROXY\n"
        "      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/"
        "2015-03-31/functions/${Fn.Arn}/invocations\n"
        "  Connect:\n"
        "    Type: AWS::ApiGatewayV2::Route\n"
        "    Properties:\n"
        "      {ApiId: !Ref Ws, RouteKey: $connect, Target: !Sub 'integrations/${Integration}'}\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: app.handler, Runtime: python3.12, Code: .}\n"
    )
    write(tmp_path, "def handler(event, context):\n    return {}\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json"])
    (skipped,) = json.loads(result.stdout)["skipped"]
    assert result.exit_code == 2 and skipped["reason"].startswith("triggered by websocket")


@pytest.mark.parametrize(
    ("action", "said"),
    [
        pytest.param(
            "with open('/mnt/lambda/data.txt', 'w') as f:\n        f.write('x')",
            "/mnt/lambda/data.txt",
            id="a file system Lambda mounts",
        ),
        pytest.param(
            "import subprocess\n"
            "    subprocess.run(['apigw-doctor-no-such-program', '--version'], check=True)",
            "'apigw-doctor-no-such-program'",
            id="a program an image or a layer may install",
        ),
    ],
)
def test_what_this_machine_lacks_is_not_checked_here(
    tmp_path: Path, action: str, said: str
) -> None:
    sam_api(tmp_path, "app.handler")
    write(
        tmp_path, f"def handler(event, context):\n    {action}\n    return {{'statusCode': 200}}\n"
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and said in handler["notCheckedHere"]


def test_a_module_that_calls_aws_as_it_is_imported_is_not_checked_here(tmp_path: Path) -> None:
    sam_api(tmp_path)
    write(
        tmp_path,
        "import boto3\n"
        "ACCOUNT = boto3.client('sts', region_name='us-east-1').get_caller_identity()\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': ACCOUNT['Account']}\n",
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and handler["problem"] is None
    assert "importing it called AWS: sts GetCallerIdentity" in handler["notCheckedHere"]


def test_a_variable_read_when_called_is_not_checked_here(tmp_path: Path) -> None:
    sam_api(tmp_path)
    write(
        tmp_path,
        "import os\n\n"
        "def handler(event, context):\n"
        "    bucket = os.environ['UPLOAD_BUCKET']\n"
        "    return {'statusCode': 200, 'body': bucket}\n",
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert "calling it reads the environment variable UPLOAD_BUCKET" in handler["notCheckedHere"]
    # a KeyError of the handler's own dict is a real failure
    write(tmp_path, "def handler(event, context):\n    return {'statusCode': 200}['body']\n")
    status, report, _ = scan(str(tmp_path))
    assert status == 1 and report["handlers"][0]["failing"]


def test_code_written_in_the_template_runs_as_lambda_writes_it(tmp_path: Path) -> None:
    sam_api(
        tmp_path,
        "index.handler",
        properties="      InlineCode: |\n"
        "        def handler(event, context):\n"
        "            return {'statusCode': 200, 'body': {'inline': True}}\n",
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 1 and handler["target"] == f"{tmp_path / 'template.yaml'} (inline code of Fn)"
    assert next(f["code"] for f in handler["calls"][0]["findings"]) == "GW301"


def test_a_scan_writes_nothing_into_the_project(tmp_path: Path) -> None:
    sam_api(tmp_path, "pkg.app.handler")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "helper.py").write_text("BODY = 'ok'\n")
    (tmp_path / "pkg" / "app.py").write_text(
        "from pkg.helper import BODY\n\n"
        "def handler(event, context):\n    return {'statusCode': 200, 'body': BODY}\n"
    )
    before = sorted(tmp_path.rglob("*"))
    status, report, _ = scan(str(tmp_path))
    assert status == 0 and report["handlers"][0]["calls"][0]["status"] == 200
    assert sorted(tmp_path.rglob("*")) == before  # no __pycache__ beside the code


def test_code_given_as_a_zip_archive_runs_from_the_archive(tmp_path: Path) -> None:
    sam_api(tmp_path, "index.handler", properties="      CodeUri: build/function.zip\n")
    (tmp_path / "build").mkdir()
    with zipfile.ZipFile(tmp_path / "build" / "function.zip", "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 'not a dict'\n")
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert handler["target"].endswith("build/function.zip (index.py:handler)")
    assert status == 1 and handler["calls"][0]["status"] == 502


def test_a_template_without_api_gateways_invoke_permission_is_warned_about() -> None:
    """Hand-written CloudFormation: nothing lets API Gateway invoke the function (SAM
    and CDK write the permission themselves, and the sam-shop project has it)."""
    status, report, _ = scan(str(PROJECTS / "cdk-secured"))
    (handler,) = report["handlers"]
    assert status == 0 and [f["code"] for f in handler["template"]] == ["GW769"]
    _, report, _ = scan(str(PROJECTS / "sam-shop"))
    assert all(not h["template"] for h in report["handlers"])


def test_an_import_slower_than_the_timeout_is_not_checked_here(tmp_path: Path) -> None:
    sam_api(tmp_path)
    write(
        tmp_path,
        "import time\ntime.sleep(30)\n\ndef handler(event, context):\n    return {}\n",
    )
    status, report, _ = scan(str(tmp_path), "--timeout", "1")
    (handler,) = report["handlers"]
    assert status == 0 and "--timeout" in handler["notCheckedHere"]


def test_repeated_scans_write_no_stray_child_watcher_line() -> None:
    """A scan's stderr holds its own output only: no "Unknown child process pid N" from
    asyncio.  Killing a worker raced asyncio's child watcher for the exit status; a busy
    core (as on a loaded machine, or CI) makes the watcher lose: 9 runs in 12 before."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        for _ in range(4):
            done = subprocess.run(
                [sys.executable, "-m", "apigw_doctor", "scan", str(PROJECT)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 1, done.stderr
            assert "Unknown child process" not in done.stderr
            assert "returncode 255" not in done.stderr
    finally:
        busy.kill()
        busy.wait()


def test_without_a_template_adapter_made_handlers_are_found(tmp_path: Path) -> None:
    """``handler = Mangum(app)`` and ``make_lambda_handler(app)`` define no function:
    without a template, their assignment is what says an API handler is there."""
    (tmp_path / "asgi.py").write_text(
        "from fastapi import FastAPI\nfrom mangum import Mangum\n\napp = FastAPI()\n\n\n"
        "@app.get('/')\ndef root() -> dict[str, str]:\n    return {'via': 'fastapi'}\n\n\n"
        "handler = Mangum(app, lifespan='off')\n"
    )
    (tmp_path / "wsgi.py").write_text(
        "import json\n\nimport apig_wsgi\n\n\ndef application(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'application/json')])\n"
        "    return [json.dumps({'via': 'wsgi'}).encode()]\n\n\n"
        "lambda_handler = apig_wsgi.make_lambda_handler(application)\n"
        "not_a_handler = dict(a=1)\n"
    )
    status, report, _ = scan(str(tmp_path))
    bodies = {
        h["name"]: json.loads(base64.b64decode(h["calls"][0]["body_base64"]))
        for h in report["handlers"]
    }
    assert status == 0
    assert bodies == {"handler": {"via": "fastapi"}, "lambda_handler": {"via": "wsgi"}}


def test_a_missing_file_the_handler_opens_itself_is_its_own_failure(tmp_path: Path) -> None:
    """Unlike a program it starts (see above), a file of its own is the handler's."""
    sam_api(tmp_path, "app.handler")
    write(
        tmp_path,
        "def handler(event, context):\n"
        "    with open('missing.txt') as f:\n"
        "        return {'statusCode': 200, 'body': f.read()}\n",
    )
    status, report, _ = scan(str(tmp_path))
    assert status == 1 and not report["handlers"][0]["notCheckedHere"]


def test_without_a_template_a_lambda_images_dockerfile_gives_env_and_task_root(
    tmp_path: Path,
) -> None:
    """A Lambda image built without a template (pushed by hand or by CI): its handler
    runs with the Dockerfile's ENV, a task-root path naming the project's copy."""
    (tmp_path / "Dockerfile").write_text(
        "FROM public.ecr.aws/lambda/python:3.12\n"
        "COPY src/ ${LAMBDA_TASK_ROOT}\n"
        "ENV GREETING=hello\n"
        "ENV DATA_FILE=${LAMBDA_TASK_ROOT}/data.txt\n"
        'CMD ["app.handler"]\n'
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "data.txt").write_text("from the image")
    (tmp_path / "src" / "app.py").write_text(
        "import os\n\n"
        "def handler(event, context):\n"
        "    with open(os.environ['DATA_FILE']) as f:\n"
        "        text = f.read()\n"
        "    body = f\"{os.environ['GREETING']} {event['httpMethod']} {text}\"\n"
        "    return {'statusCode': 200, 'body': body}\n"
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0, handler
    body = base64.b64decode(handler["calls"][0]["body_base64"])
    assert body == b"hello GET from the image"


@pytest.mark.parametrize("imports", ["from app.helpers import greet", "from .helpers import greet"])
def test_without_a_template_a_handler_importing_its_own_package_runs_as_that_package(
    tmp_path: Path, imports: str
) -> None:
    """``app/main.py`` importing ``app.helpers`` (or ``.helpers``) runs as ``app.main``
    from the folder above, as from a zip's root; an ``__init__.py`` above does not
    move it further up."""
    (tmp_path / "__init__.py").write_text("")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("def greet():\n    return 'hi'\n")
    (package / "main.py").write_text(
        f"{imports}\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': greet() + ' ' + event['httpMethod']}\n"
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0, handler
    assert base64.b64decode(handler["calls"][0]["body_base64"]) == b"hi GET"


def test_without_a_template_powertools_and_chalice_handlers_are_found(tmp_path: Path) -> None:
    """``return app.resolve(event, context)`` reads nothing of the event itself: the
    resolver (its class gives the API kind) says it is an API handler; a Chalice app
    is its own handler (``app.app``), as ``handler = Mangum(app)`` is."""
    (tmp_path / "api.py").write_text(
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n\n"
        "app = APIGatewayHttpResolver()\n\n\n"
        "@app.get('/')\ndef root() -> dict[str, str]:\n    return {'via': 'powertools'}\n\n\n"
        "def lambda_handler(event, context):\n    return app.resolve(event, context)\n"
    )
    (tmp_path / "app.py").write_text(
        "from chalice import Chalice\n\napp = Chalice(app_name='x')\n\n\n"
        "@app.route('/')\ndef index():\n    return {'hello': 'world'}\n"
    )
    status, report, _ = scan(str(tmp_path))
    handlers = {h["name"]: h for h in report["handlers"]}
    assert status == 0 and set(handlers) == {"lambda_handler", "app"}
    resolved = handlers["lambda_handler"]
    assert resolved["api"] == "http-2.0"
    assert json.loads(base64.b64decode(resolved["calls"][0]["body_base64"])) == {
        "via": "powertools"
    }
    chalice = handlers["app"]  # runs where chalice is installed, else says it is missing
    assert not chalice["failing"]
    assert chalice["calls"] or "'chalice'" in chalice["notCheckedHere"]


def test_without_a_template_the_request_carries_what_the_handler_reads(tmp_path: Path) -> None:
    """No template gives the route: the parameters and body the handler reads are sent
    (``GET /`` would only show that what it was not sent is missing)."""
    write(
        tmp_path,
        """
        import json

        def get_item(event, context):
            query = event.get("queryStringParameters") or {}
            found = {"item": event["pathParameters"]["item"], "ID": query["ID"]}
            return {"statusCode": 200, "body": json.dumps(found)}

        def create(event, context):
            name = json.loads(event["body"])["name"]
            return {"statusCode": 201, "body": json.dumps({"name": name})}

        def commented(event, context):
            # item_id = event['id']
            return {"statusCode": 200, "body": "fine"}
        """,
    )
    status, report, _ = scan(str(tmp_path))
    handlers = {h["name"]: h for h in report["handlers"]}
    assert status == 0 and set(handlers) == {"get_item", "create", "commented"}
    (call,) = handlers["get_item"]["calls"]
    assert call["method"] == "GET" and call["path"] == "/example-item?ID=example-ID"
    assert json.loads(base64.b64decode(call["body_base64"])) == {
        "item": "example-item",
        "ID": "example-ID",
    }
    assert handlers["create"]["calls"][0]["method"] == "POST"
    assert "'name' in the request body" in handlers["create"]["notCheckedHere"]


def test_without_a_template_a_package_module_is_imported_as_lambda_imports_it(
    tmp_path: Path,
) -> None:
    """``from shop.views import x`` or ``from . import y`` in shop/api.py (with or
    without ``__init__.py``): Lambda's handler is ``shop.api.handler`` from the folder
    above, where those imports work; from shop/ itself they cannot."""
    shop = tmp_path / "backend" / "shop"
    shop.mkdir(parents=True)
    (shop / "views.py").write_text("def greet():\n    return 'hi'\n")
    (shop / "util.py").write_text("STATUS = 200\n")
    (shop / "api.py").write_text(
        "from shop.views import greet\nfrom . import util\n\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': util.STATUS, 'body': greet()}\n"
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and handler["notCheckedHere"] is None
    assert handler["calls"][0]["status"] == 200


def test_without_a_template_a_load_balancer_target_is_no_api_handler(tmp_path: Path) -> None:
    """An ALB sends events shaped like REST ones (httpMethod, path) but takes
    ``statusDescription`` in its responses: such a function is an ALB target, and its
    responses are not API Gateway's to judge."""
    write(
        tmp_path,
        """
        import json

        def alb_target(event, context):
            if event["httpMethod"] == "GET":
                return {
                    "statusCode": 200,
                    "statusDescription": "200 OK",
                    "body": json.dumps({"path": event["path"]}),
                }
        """,
    )
    (tmp_path / "api.py").write_text(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': event['httpMethod']}\n"
    )
    status, report, _ = scan(str(tmp_path))
    assert status == 0 and [h["name"] for h in report["handlers"]] == ["handler"]
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 0 and "statusDescription" not in result.stdout


def test_without_a_template_a_handler_file_that_does_not_parse_fails(tmp_path: Path) -> None:
    """Lint's GW913 (a handler-like ``def`` in a file that does not parse) is a
    handler Lambda cannot import: every request is a 502, not "no handler here"."""
    (tmp_path / "app.py").write_text(
        "import json\n\ndef lambda_handler(event, context):\nreturn {'statusCode': 200}\n"
    )
    (tmp_path / "old.py").write_text("def main(event, context):\n    print 'python 2'\n")
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 1 and handler["name"] == "lambda_handler" and handler["failing"]
    assert "Runtime.UserCodeSyntaxError" in handler["problem"]
    assert [f["code"] for f in handler["lint"]] == ["GW913"]


def test_without_cdk_out_the_handlers_a_cdk_app_names_are_found(tmp_path: Path) -> None:
    """Before ``cdk synth``: ``handler="counter.handler"`` with
    ``Code.from_asset("lambda")`` names lambda/counter.py's ``handler``, which reads
    only ``event["path"]`` (too little on its own); a named function reading no API
    event is still not called with one."""
    (tmp_path / "cdk.json").write_text('{"app": "python3 app.py"}')
    (tmp_path / "app.py").write_text(
        "from aws_cdk import aws_lambda as _lambda\n\n"
        "counter = _lambda.Function(None, 'Counter', handler='counter.handler',\n"
        "    code=_lambda.Code.from_asset('lambda'), runtime=None)\n"
        "job = _lambda.Function(None, 'Job', handler='job.handler',\n"
        "    code=_lambda.Code.from_asset('lambda'), runtime=None)\n"
    )
    code = tmp_path / "lambda"
    code.mkdir()
    (code / "downstream.py").write_text(
        "def answer(path):\n    return {'statusCode': 200, 'body': path}\n"
    )
    (code / "counter.py").write_text(
        "from downstream import answer\n\n\n"
        "def handler(event, context):\n    return answer(event['path'])\n"
    )
    (code / "job.py").write_text("def handler(event, context):\n    return {'done': True}\n")
    status, report, _ = scan(str(tmp_path))
    targets = [h["target"] for h in report["handlers"]]
    assert status == 0 and len(targets) == 1 and targets[0].endswith("lambda/counter.py:handler")
    assert report["handlers"][0]["calls"][0]["status"] == 200


def test_without_a_template_a_module_importing_one_from_a_folder_above_runs_from_there(
    tmp_path: Path,
) -> None:
    """api/index.py's ``from main import app`` finds main.py only from the folder
    above: that is the task root (``api.index.handler``), not a missing package."""
    (tmp_path / "main.py").write_text("GREETING = 'hi'\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "index.py").write_text(
        "from main import GREETING\n\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': GREETING + event['httpMethod']}\n"
    )
    status, report, _ = scan(str(tmp_path))
    (handler,) = report["handlers"]
    assert status == 0 and handler["notCheckedHere"] is None
    assert base64.b64decode(handler["calls"][0]["body_base64"]) == b"hiGET"


@pytest.mark.parametrize(
    ("parse", "sent", "status"),
    [
        pytest.param("int(item)", "/items/1", 0, id="a number"),
        pytest.param(
            "str(uuid.UUID(item))", "/items/00000000-0000-4000-8000-000000000000", 0, id="a uuid"
        ),
        pytest.param(
            "int('x' + item)",
            "/items/00000000-0000-4000-8000-000000000000",
            1,
            id="no value parses: it fails",
        ),
    ],
)
def test_a_path_parameter_the_handler_parses_gets_a_value_it_can_parse(
    tmp_path: Path, parse: str, sent: str, status: int
) -> None:
    """``int(event["pathParameters"]["id"])`` rejects the first sample, example-id,
    which says nothing of what clients send: a number, then a UUID, are tried."""
    sam_api(tmp_path, "app.handler", path="'/items/{id}'")
    write(
        tmp_path,
        "import uuid\n\n"
        "def handler(event, context):\n"
        "    item = event['pathParameters']['id']\n"
        f"    return {{'statusCode': 200, 'body': str({parse})}}\n",
    )
    result, report, _ = scan(str(tmp_path))
    (call,) = report["handlers"][0]["calls"]
    assert (result, call["path"]) == (status, sent)
