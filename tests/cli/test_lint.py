"""`apigw-doctor lint` as users run it: in CI, in pre-commit, with flake8."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "examples" / "project"
BROKEN = 'def handler(event, context):\n    if event:\n        return {"statusCode": 200}\n'
CLEAN = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", *args])
    return result.exit_code, result.stdout, result.stderr


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_example_project_text_output() -> None:
    status, out, err = run(str(PROJECT))
    assert status == 1
    codes = {
        line.split(": ")[1].split()[0]
        for line in out.splitlines()
        if not line.startswith("    fix:")
    }
    assert codes == {"GW901", "GW902", "GW904", "GW906", "GW910", "GW912"}
    assert "src/app.py:17:5: GW901" in out
    assert "9 handler(s)" in err


def test_template_decides_the_api(tmp_path: Path) -> None:
    write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.main
              CodeUri: .
              Events:
                E: {Type: HttpApi, Properties: {Path: /, Method: get}}
    """,
    )
    write(tmp_path, "app.py", "def main(event, context):\n    return 'hello'\n")
    status, out, _ = run(str(tmp_path), "--format", "json")
    # payload 2.0 infers a response from a string: no finding.
    assert (status, json.loads(out)) == (0, [])


def test_clean_file_exits_0(tmp_path: Path) -> None:
    status, out, _ = run(str(write(tmp_path, "ok.py", CLEAN)))
    assert (status, out) == (0, "")


def test_json_format(tmp_path: Path) -> None:
    status, out, _ = run(str(write(tmp_path, "h.py", BROKEN)), "--format", "json")
    (item,) = json.loads(out)
    assert status == 1
    assert item["code"] == "GW901" and item["line"] == 2 and item["column"] == 5
    assert item["handler"] == "handler" and item["confidence"] == "recorded"


def test_sarif_format(tmp_path: Path) -> None:
    status, out, _ = run(str(write(tmp_path, "h.py", BROKEN)), "--format", "sarif", "--api", "rest")
    assert status == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["rules"][0]["id"] == "GW901"
    result = run_["results"][0]
    assert result["ruleId"] == "GW901" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 5}


def test_github_format(tmp_path: Path) -> None:
    _, out, _ = run(str(write(tmp_path, "h.py", BROKEN)), "--format", "github", "--api", "rest")
    assert out.startswith("::error file=")
    assert ",line=2,col=5,title=GW901::" in out


def test_noqa_select_ignore(tmp_path: Path) -> None:
    path = write(tmp_path, "h.py", BROKEN.replace("if event:", "if event:  # noqa: GW901"))
    assert run(str(path))[0] == 0
    path = write(tmp_path, "h.py", BROKEN)
    assert run(str(path), "--ignore", "GW9")[0] == 0
    assert run(str(path), "--select", "GW906")[0] == 0
    assert run(str(path), "--select", "gw901")[0] == 1


def test_pyproject_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.apigw-doctor]
        handlers = ["app.entry"]
        api = "http-1.0"
    """,
    )
    write(
        tmp_path,
        "app.py",
        """
        def entry(request, ctx):
            return {"body": "x"}

        def other(event, context):
            return None
    """,
    )
    status, out, _ = run(str(tmp_path), "--format", "json")
    assert status == 1
    assert [(f["handler"], f["code"]) for f in json.loads(out)] == [("entry", "GW904")]


def test_bad_pyproject_config(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.apigw-doctor]\napi = "soap"\n')
    status, _, err = run(str(tmp_path))
    assert status == 2
    assert "api = 'soap' is not one of" in err


def test_syntax_error_is_reported_and_others_still_linted(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", "def handler(event, context)\n    return 1\n")
    write(tmp_path, "h.py", BROKEN)
    status, out, _ = run(str(tmp_path))
    assert status == 2
    assert "bad.py:1:" in out and "GW913" in out
    assert "h.py:2:5: GW901" in out


def test_unknown_code_in_select(tmp_path: Path) -> None:
    status, _, err = run(str(write(tmp_path, "h.py", CLEAN)), "--select", "E501")
    assert status == 2
    assert "matches no finding code" in err


def test_output_file(tmp_path: Path) -> None:
    report = tmp_path / "lint.sarif"
    status, out, _ = run(
        str(write(tmp_path, "h.py", BROKEN)), "--format", "sarif", "-o", str(report)
    )
    assert status == 1 and out == ""
    assert json.loads(report.read_text())["version"] == "2.1.0"


def test_parallel_run_matches_serial(tmp_path: Path) -> None:
    for n in range(80):
        write(tmp_path, f"pkg/h{n}.py", BROKEN if n % 2 else CLEAN)
    _, serial, _ = run(str(tmp_path), "--format", "json", "--jobs", "1")
    _, parallel, _ = run(str(tmp_path), "--format", "json", "--jobs", "2")
    assert len(json.loads(serial)) == 40
    assert json.loads(serial) == json.loads(parallel)


def test_skips_virtualenvs(tmp_path: Path) -> None:
    write(tmp_path, ".venv/lib/h.py", BROKEN)
    write(tmp_path, "node_modules/x/h.py", BROKEN)
    assert run(str(tmp_path))[0] == 0


def test_flake8_plugin(tmp_path: Path) -> None:
    path = write(tmp_path, "h.py", BROKEN)
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "GW", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert ":2:5: GW901 handler 'handler' returns None" in result.stdout


def test_pre_commit_hook_definition() -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "apigw-doctor lint" and hook["types"] == ["python"]


PROJECTS = ROOT / "tests" / "project" / "projects"


def test_lint_checks_only_the_templates_api_handlers(tmp_path: Path) -> None:
    """Worker (SQS), AuthFunction (authorizer), Report (non-proxy) return what would be
    malformed proxy responses, and must not be reported."""
    _, out, _ = run("--format", "json", str(PROJECTS / "sam-shop"))
    handlers = {f["handler"] for f in json.loads(out)}
    assert not handlers & {"handle", "check", "build"}


def test_without_a_template_only_functions_reading_an_api_event_are_handlers(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "mixed.py",
        """
        def consume(event, context):
            for record in event["Records"]:
                print(record)

        def on_event(event, context):  # EventBridge: returns statusCode by habit
            if not event.get("detail-type"):
                return {"statusCode": 200, "processedEvents": 0}

        def rotate(event, context):  # Secrets Manager rotation
            if event["Step"] == "createSecret":
                return
            return {"statusCode": 200}

        def api(event, context):
            if event["httpMethod"] == "GET":
                return {"statusCode": 200, "body": "ok"}
        """,
    )
    status, out, _ = run("--format", "json", str(tmp_path))
    assert status == 1
    assert {f["handler"] for f in json.loads(out)} == {"api"}


def test_an_assumed_api_kind_makes_rest_only_errors_warnings(tmp_path: Path) -> None:
    """No template, no --api: a None result fails only behind REST / payload 1.0."""
    status, out, _ = run("--format", "json", str(write(tmp_path, "h.py", BROKEN)))
    (item,) = json.loads(out)
    assert (status, item["code"], item["severity"]) == (1, "GW901", "warning")
    assert "API kind is assumed" in item["message"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # PEP 701: valid from Python 3.12, a SyntaxError for 3.11's parser
        (
            "def handler(event, context):\n"
            '    return {"statusCode": 200, "body": f"{event["body"]}"}\n',
            "needs a newer Python",
        ),
        ("def {{ cookiecutter.name }}(event, context):\n    pass\n", "template engine"),
        ('import boto3\nprint "deploying"\n', "a Python 2 file"),
        ("def helper(a, b):\n    return a +\n", "nothing in it looks like a Lambda handler"),
    ],
    ids=["pep701", "cookiecutter", "python2-script", "broken-helper"],
)
def test_files_this_parser_cannot_read_are_info(tmp_path: Path, source: str, message: str) -> None:
    path = tmp_path / "h.py"
    path.write_text(source)
    status, out, _ = run("--format", "json", str(path))
    (item,) = json.loads(out)
    assert (status, item["code"], item["severity"]) == (0, "GW914", "info")
    assert message in item["message"]


def test_a_self_referencing_variable_does_not_crash_the_run(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.py",
        "def handler(event, context):\n    r = (1, 2)\n    r = r[1]\n"
        '    return {"statusCode": 200, "body": r}\n',
    )
    write(tmp_path, "b.py", BROKEN)
    status, out, err = run("--format", "json", "--api", "rest", "--statistics", str(tmp_path))
    assert status == 1
    assert [f["code"] for f in json.loads(out)] == ["GW901"]  # b.py still linted
    assert "GW901  error" in err  # --statistics


def test_a_chain_over_the_routes_the_template_wires_is_exhaustive(tmp_path: Path) -> None:
    write(
        tmp_path,
        "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Events:
                A: {Type: Api, Properties: {Path: /a, Method: GET}}
                B: {Type: Api, Properties: {Path: /b, Method: GET}}
        """,
    )
    write(
        tmp_path,
        "app.py",
        """
        def handler(event, context):
            if event["resource"] == "/a":
                return {"statusCode": 200, "body": "a"}
            elif event["resource"] == "/b":
                return {"statusCode": 200, "body": "b"}
        """,
    )
    status, out, _ = run("--format", "json", str(tmp_path))
    assert (status, json.loads(out)) == (0, [])
    # a route the chain misses makes the fall-through real again
    (tmp_path / "app.py").write_text((tmp_path / "app.py").read_text().replace('"/b"', '"/c"'))
    status, out, _ = run("--format", "json", str(tmp_path))
    assert [f["code"] for f in json.loads(out)] == ["GW901"]


def test_a_decorator_may_add_parameters_to_a_handler(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app.py",
        """
        import functools

        def inject(func):
            @functools.wraps(func)
            def wrapper(event, context):
                return func(event, context, {"user": "x"})
            return wrapper

        @inject
        def handler(event, context, user):
            if event["httpMethod"] == "GET":
                return {"statusCode": 200, "body": user["user"]}
        """,
    )
    _, out, _ = run("--format", "json", "--api", "rest", str(tmp_path))
    assert [(f["handler"], f["code"]) for f in json.loads(out)] == [("handler", "GW901")]


#: source Python's compiler gives up on with RecursionError (not SyntaxError)
TOO_DEEP = {
    "a long sum": "def handler(event, context):\n    x = " + "+".join(["1"] * 20_000) + "\n",
    "a long chain": "def handler(event, context):\n    x = a" + ".b" * 60_000 + "\n",
    "nested calls": "def handler(event, context):\n    x = " + "f(" * 2_000 + ")" * 2_000 + "\n",
}


@pytest.mark.parametrize("source", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_a_file_python_cannot_compile_is_a_finding_and_the_others_are_linted(
    tmp_path: Path, source: str
) -> None:
    (tmp_path / "deep.py").write_text(source)
    write(tmp_path, "other.py", BROKEN)
    status, out, _ = run(str(tmp_path), "--format", "json")
    found = {(Path(f["path"]).name, f["code"]) for f in json.loads(out)}
    assert status == 2, out  # a file that cannot be read: bad input, not a verdict
    assert ("deep.py", "GW913") in found and ("other.py", "GW901") in found


@pytest.mark.parametrize(("name", "status"), [("pyproject.toml", 2), ("samconfig.toml", 0)])
def test_toml_nested_past_pythons_parser_is_no_traceback(
    tmp_path: Path, name: str, status: int
) -> None:
    """pyproject.toml holds lint's settings: unreadable, it is bad input; samconfig.toml
    only names a template, so an unreadable one is passed over."""
    (tmp_path / name).write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    write(tmp_path, "app.py", CLEAN)
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if status:
        assert "nested too deeply" in result.output
