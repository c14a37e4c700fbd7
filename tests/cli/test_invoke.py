"""`apigw-doctor event` and `apigw-doctor invoke`, as a user runs them."""

import base64
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

PROJECT = Path(__file__).resolve().parents[2] / "examples" / "project"
APP = str(PROJECT / "src" / "app.py")
SAMPLES = Path(__file__).resolve().parents[1] / "handlers" / "samples.py"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_event_prints_a_rest_event() -> None:
    status, out, _ = run(
        "event",
        "POST",
        "/items/9",
        "--resource",
        "/items/{id}",
        "-d",
        "hi",
        "-H",
        "Content-Type: text/plain",
    )
    event = json.loads(out)
    assert status == 0
    assert (event["httpMethod"], event["pathParameters"], event["body"]) == (
        "POST",
        {"id": "9"},
        "hi",
    )


def test_event_v2() -> None:
    status, out, _ = run("event", "--api", "http-2.0", "get", "/a?x=1")
    assert status == 0
    assert json.loads(out)["rawQueryString"] == "x=1"


@pytest.mark.parametrize(
    ("handler", "exit_code", "status", "code"),
    [
        ("health", 0, 200, None),
        ("get_item", 1, 502, "GW101"),
        ("list_items", 1, 502, "GW301"),
        ("hello", 1, 502, "GW101"),
        ("price", 1, 502, "GW704"),
        ("delete_item", 1, 502, "GW701"),
        ("export_items", 1, 502, "GW601"),
        ("thumbnail", 0, 200, "GW501"),
    ],
)
def test_invoke_example_handlers(
    handler: str, exit_code: int, status: int, code: str | None
) -> None:
    result, out, _ = run(
        "invoke",
        f"{APP}:{handler}",
        "GET",
        "/items/7",
        "--resource",
        "/items/{id}",
        "--format",
        "json",
    )
    verdict = json.loads(out)
    assert (result, verdict["status"]) == (exit_code, status)
    if code:
        assert code in {f["code"] for f in verdict["findings"]}


def test_invoke_with_event_file(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"body": json.dumps({"statusCode": 418})}))
    status, out, _ = run("invoke", f"{SAMPLES}:echo", "--event", str(event), "--format", "json")
    assert (status, json.loads(out)["status"]) == (0, 418)


def test_invoke_text_output_shows_traceback_on_stderr() -> None:
    status, out, err = run(
        "invoke", f"{APP}:delete_item", "DELETE", "/items/7", "--resource", "/items/{id}"
    )
    assert status == 1
    assert "KeyError" in err
    assert "GW701" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invoke", "nosuchmodule:handler", "GET", "/"], "no module 'nosuchmodule'"),
        (["invoke", f"{APP}:nope", "GET", "/"], "has no 'nope'"),
        (["invoke", "handler", "GET", "/"], "is not a handler"),
        (["invoke", "x.py:handler", "GET", "/"], "no file"),
        (["invoke", f"{APP}:health"], "METHOD PATH"),
        (["invoke", f"{APP}:health", "GET", "items"], "must start with '/'"),
        (["invoke", f"{APP}:health", "--event", "missing.json"], "cannot read"),
    ],
)
def test_invoke_usage_errors(args: list[str], message: str) -> None:
    status, _, err = run(*args)
    assert status == 2
    assert message in err


def test_invoke_imports_a_module_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "prices.py").write_text("PRICE = '3'\n")
    (tmp_path / "shop" / "api.py").write_text(
        "from .prices import PRICE\n\n"
        "def handler(event, context):\n"
        "    print('priced')\n"
        "    return {'statusCode': 200, 'body': PRICE}\n"
    )
    monkeypatch.chdir(tmp_path)
    status, out, _ = run("invoke", "shop.api.handler", "GET", "/", "--format", "json")
    assert status == 0 and base64.b64decode(json.loads(out)["body_base64"]) == b"3"


def test_invoke_over_the_memory_size(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(
        "def handler(event, context):\n"
        "    block = b'x' * (200 * 1024 * 1024)\n"
        "    return {'statusCode': 200, 'body': str(len(block))}\n"
    )
    target = f"{tmp_path / 'big.py'}:handler"
    status, out, _ = run("invoke", target, "GET", "/", "--memory", "128", "--format", "json")
    assert status == 1 and "Runtime.OutOfMemory" in out
    status, out, _ = run("invoke", target, "GET", "/", "--memory", "512", "--format", "json")
    assert status == 0


def test_invoke_debug_runs_the_handler_in_this_process(tmp_path: Path) -> None:
    """In this process: a tracer set here sees the handler's own frames."""
    (tmp_path / "traced.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'traced'}\n"
    )
    seen: list[str] = []

    def tracer(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.endswith("traced.py"):
            seen.append(frame.f_code.co_name)

    threading.setprofile(tracer)
    try:
        status, _out, _ = run(
            "invoke", f"{tmp_path / 'traced.py'}:handler", "GET", "/", "--debug", "--format", "json"
        )
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    assert status == 0 and "handler" in seen


PROJECTS = Path(__file__).resolve().parents[1] / "project" / "projects"


def test_invoke_a_templates_function_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `sam local invoke Items`: the template's environment, layer and route."""
    monkeypatch.chdir(PROJECTS / "sam-shop")
    status, out, _ = run("invoke", "Items", "GET", "/items/7", "--format", "json")
    verdict = json.loads(out)
    assert status == 0 and verdict["api"] == "rest"
    assert json.loads(base64.b64decode(verdict["body_base64"])) == {"table": "items", "v": "1"}


def test_invoke_with_template_and_an_unknown_name(tmp_path: Path) -> None:
    template = str(PROJECTS / "frameworks" / "template.yaml")
    status, out, _ = run(
        "invoke", "RoutedFunction", "GET", "/hello", "--template", template, "--format", "json"
    )
    assert status == 0
    assert json.loads(base64.b64decode(json.loads(out)["body_base64"]))["memory"] == "256"
    status, _, err = run("invoke", "Nope", "GET", "/", "--template", template)
    assert status == 2 and "AsgiFunction, RoutedFunction" in err


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("--event", "[" * 100_000 + "]" * 100_000),
        ("--event", '{"a": ' * 100_000 + "1" + "}" * 100_000),
        ("--env-vars", '{"Parameters": ' * 100_000 + "{}" + "}" * 100_000),
    ],
    ids=["event-list", "event-object", "env-vars"],
)
def test_json_nested_past_pythons_parser_is_bad_input(
    tmp_path: Path, option: str, text: str
) -> None:
    given = tmp_path / "input.json"
    given.write_text(text)
    request = ["GET", "/"] if option == "--env-vars" else []
    status, _, err = run("invoke", f"{SAMPLES}:ok", *request, option, str(given))
    assert status == 2 and "nested too deeply" in err
