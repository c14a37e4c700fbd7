"""`apigw-doctor scan`: lint plus real calls, on the bundled example and on traps."""

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from apigw_doctor.cli import main

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
    assert "GW701" in call_codes["PriceFunction"]  # json.dumps of a Decimal: TypeError
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
    assert status == 1
    assert report["template"] is None
    assert handlers["spins"]["calls"][0]["findings"][0]["code"] == "GW703"
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
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.missing, CodeUri: ., Runtime: python3.12}
    """)
    )
    write(tmp_path, "def handler(event, context):\n    return {}\n")
    status, report, _ = scan(str(tmp_path))
    assert status == 1
    assert "has no 'missing'" in report["handlers"][0]["problem"]


def test_broken_template_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources: [unclosed\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot read the template" in result.stderr
