"""`apigw-doctor serve` as a real process, as users start it."""

import concurrent.futures
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support.projects import sam_api
from support.serving import free_port, serve
from support.venvs import project_venv

PROJECT = Path(__file__).resolve().parents[2] / "examples" / "project"


def test_serve_the_example_template() -> None:
    process, base = serve(cwd=PROJECT)
    try:
        assert httpx.get(base + "/items").status_code == 502
        assert httpx.get(base + "/health").json() == {"ok": True}
        assert httpx.post(base + "/items", json={}).status_code == 500  # HTTP API 1.0
        assert "request inspector" in httpx.get(base + "/__apigw-doctor/").text
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "Malformed Lambda proxy response" in err
    assert "GET    /items/{id}" in err


def test_serve_a_single_target(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': event['path']}\n"
    )
    process, base = serve("app.py:handler", "--api", "http-1.0", cwd=tmp_path)
    try:
        assert httpx.get(base + "/any/path").text == "/any/path"
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give a TARGET"),
        (["app.py:handler", "--template", "template.yaml"], "not both"),
        (["nothere.py:handler"], "no file"),
        (["--template", "template.yaml"], "no Python function behind an API proxy integration"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    cwd = tmp_path if "--template" in args else tmp_path / "empty"
    cwd.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "apigw_doctor", "serve", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("broken", "cause"),
    [
        ("import no_such_module_anywhere\n", "no_such_module_anywhere"),
        ("def handler(event, context)\n    return 1\n", "SyntaxError"),
    ],
)
def test_a_handler_that_does_not_import_is_served_and_fails_as_lambda(
    tmp_path: Path, broken: str, cause: str
) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals: {Function: {Runtime: python3.12, CodeUri: .}}\n"
        "Resources:\n"
        "  Good:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: good.handler\n"
        "      Events: {Get: {Type: Api, Properties: {Path: /good, Method: GET}}}\n"
        "  Broken:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: broken.handler\n"
        "      Events: {Get: {Type: Api, Properties: {Path: /broken, Method: GET}}}\n"
    )
    (tmp_path / "good.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'good'}\n"
    )
    (tmp_path / "broken.py").write_text(broken)
    process, base = serve(cwd=tmp_path)
    try:
        assert httpx.get(base + "/good").text == "good"
        failed = httpx.get(base + "/broken")  # mounted, and failing as Lambda would
        assert failed.status_code == 502
        assert failed.json() == {"message": "Internal server error"}
        record = httpx.get(base + "/__apigw-doctor/api/requests").json()[0]
        detail = httpx.get(base + f"/__apigw-doctor/api/requests/{record['id']}").json()
        assert cause in detail["note"]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "does not import" in err and cause in err
    if "no_such" in cause:  # the fix, for the Python that runs it
        assert "-m pip install -r requirements.txt" in err


PROJECTS = Path(__file__).parents[1] / "project" / "projects"


def test_serve_framework_handlers() -> None:
    """Mangum + FastAPI and a Powertools resolver behind REST routes, over HTTP."""
    process, base = serve(cwd=PROJECTS / "frameworks")
    try:
        assert httpx.get(base + "/items/7").json() == {"id": "7", "via": "fastapi"}
        assert httpx.get(base + "/hello").json() == {"message": "hello", "memory": "256"}
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_imports_handlers_as_lambda_does() -> None:
    """Package modules with relative imports; two functions' ``shop`` packages."""
    process, base = serve(cwd=PROJECTS / "packaged")
    try:
        assert httpx.get(base + "/orders").json() == "orders"
        assert httpx.get(base + "/other").text == "other"
        assert httpx.get(base + "/orders").json() == "orders"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_runs_handlers_in_the_projects_venv(tmp_path: Path) -> None:
    sam_api(tmp_path, runtime="python3.11", properties="")
    (tmp_path / "app.py").write_text(
        "import onlyhere\n\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': onlyhere.WHERE}\n"
    )
    python = project_venv(tmp_path, "onlyhere", "WHERE = 'the project venv'\n")
    environ = {
        k: v for k, v in os.environ.items() if k not in ("APIGW_DOCTOR_PYTHON", "VIRTUAL_ENV")
    }
    process, base = serve(cwd=tmp_path, env=environ)
    try:
        assert httpx.get(base + "/").text == "the project venv"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert f"handlers run in Python {platform.python_version()} ({python}; .venv in" in err


def test_serve_gives_functions_their_layers_and_template_variables() -> None:
    process, base = serve("--no-auth", cwd=PROJECTS / "sam-shop")  # its authorizer denies
    try:
        response = httpx.get(base + "/items/1")
        assert response.json() == {"table": "items", "v": "1"}
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_mock_aws_gives_handlers_the_templates_table() -> None:
    process, base = serve("--mock-aws", cwd=PROJECTS / "dynamo")
    try:
        response = httpx.post(base + "/items", json={})
        assert (response.status_code, response.json()) == (201, {"id": "1", "price": "3"})
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "handlers reach AWS as: moto's mock AWS at http://127.0.0.1:" in err


def test_serve_debug_stops_at_a_breakpoint_in_a_handler(tmp_path: Path) -> None:
    """pdb driven over stdin: the handler stops, the debugger reads its event, the
    request completes once it continues."""
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n"
        "    answer = 'at ' + event['path']\n"
        "    breakpoint()\n"
        "    return {'statusCode': 200, 'body': answer}\n"
    )
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONBREAKPOINT"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apigw_doctor",
            "serve",
            "app.py:handler",
            "--debug",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/__apigw-doctor/api/metrics")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        with concurrent.futures.ThreadPoolExecutor(1) as client:
            pending = client.submit(httpx.get, base + "/stop/here", timeout=60)
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("p answer\nc\n")
            process.stdin.flush()
            response = pending.result(timeout=60)
        assert response.text == "at /stop/here"
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert "(Pdb)" in out and "'at /stop/here'" in out
    assert "without isolation" in err


def test_serve_runs_code_written_in_the_template(tmp_path: Path) -> None:
    sam_api(
        tmp_path,
        "index.handler",
        properties="      InlineCode: |\n"
        "        def handler(event, context):\n"
        "            return {'statusCode': 200, 'body': 'inline ' + event['path']}\n",
    )
    process, base = serve(cwd=tmp_path)
    try:
        assert httpx.get(base + "/").text == "inline /"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_serve_beyond_loopback_puts_a_token_in_the_inspector_url(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
    )
    process, base = serve("app.py:handler", "--host", "0.0.0.0", cwd=tmp_path)
    try:
        assert process.stderr is not None
        line = next(line for line in process.stderr if "inspector: " in line)
        url = line.split("inspector: ", 1)[1].strip()
        token = url.split("?token=", 1)[1]
        inspector = f"{base}/__apigw-doctor/api/requests"
        assert len(token) >= 20
        assert httpx.get(inspector).status_code == 401
        assert httpx.get(inspector, params={"token": token}).status_code == 200
        assert httpx.get(base + "/anything").text == "ok"  # the API itself needs no token
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_what_api_gateway_refuses_or_rewrites_before_the_function(tmp_path: Path) -> None:
    """sourceIp is the TCP peer and X-Forwarded-For gets it appended; methods API Gateway
    does not support and headers past its quota never reach the handler; what the
    handler printed and its traceback are its function log in the inspector."""
    (tmp_path / "app.py").write_text(
        "import json\n"
        "def handler(event, context):\n"
        "    if event['path'] == '/boom':\n"
        "        print('about to fail')\n"
        "        raise ValueError('kaput')\n"
        "    return {'statusCode': 200, 'body': json.dumps({\n"
        "        'ip': event['requestContext']['identity']['sourceIp'],\n"
        "        'xff': event['headers'].get('X-Forwarded-For'),\n"
        "        'method': event['httpMethod']})}\n"
    )
    process, base = serve("app.py:handler", cwd=tmp_path)

    def record(response: httpx.Response) -> dict:  # type: ignore[type-arg]
        listing = httpx.get(f"{base}/__apigw-doctor/api/requests").json()
        found = next(r for r in listing if r["requestId"] == response.headers["x-amzn-requestid"])
        return httpx.get(f"{base}/__apigw-doctor/api/requests/{found['id']}").json()  # type: ignore[no-any-return]

    try:
        forged = httpx.get(base + "/who", headers={"X-Forwarded-For": "6.6.6.6"})
        assert forged.json() == {"ip": "127.0.0.1", "xff": "6.6.6.6, 127.0.0.1", "method": "GET"}
        for method in ("TRACE", "PURGE"):
            refused = httpx.request(method, base + "/who")
            assert (refused.status_code, refused.json()) == (
                403,
                {"message": "Missing Authentication Token"},
            )
            assert "not a method API Gateway supports" in record(refused)["note"]
        big = httpx.get(base + "/who", headers={"X-Big": "a" * 10_300})
        assert (big.status_code, big.json()) == (413, {"message": "Request Too Long"})
        detail = record(big)
        assert detail["errors"] == ["GW784"] and detail["event"] is None  # never ran
        assert httpx.get(base + "/who", headers={"X-Big": "a" * 9_000}).status_code == 200
        boom = httpx.get(base + "/boom")
        assert boom.status_code == 502
        log = record(boom)["functionLog"]
        assert "about to fail" in log and "Traceback" in log and "ValueError: kaput" in log
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "GW784" in err  # the refusal is in the log too
