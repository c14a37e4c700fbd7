"""The command group: each command imported only when it runs, listed all the same."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from apigw_doctor.cli import COMMANDS, load_command, main

#: what only `serve` (uvicorn, starlette), `aws` (boto3) and SAM's translator need
HEAVY = ("boto3", "botocore", "uvicorn", "starlette", "moto", "samtranslator.translator")

PROBE = textwrap.dedent(
    """
    import json, sys
    from apigw_doctor.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
    heavy = {heavy!r}
    print(json.dumps(sorted(h for h in heavy if any(m == h or m.startswith(h + ".")
                                                  for m in sys.modules))))
    """
)


def imported_by(*args: str, cwd: Path | None = None, cache: bool = True) -> list[str]:
    """The heavy modules a fresh interpreter has imported after running the CLI
    (with no translation kept from before unless ``cache``)."""
    env = {**os.environ, **({} if cache else {"APIGW_DOCTOR_CACHE": "off"})}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY)), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env,
    )
    found: list[str] = json.loads(done.stdout.splitlines()[-1])
    return found


def test_help_imports_no_command() -> None:
    assert imported_by("--help") == []


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"app.py": "def handler(event, context):\n    return None\n"}, id="code"),
        pytest.param(
            {
                "template.yaml": (
                    "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
                    "    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n"
                    "      Code: .\n"
                ),
                "app.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
            },
            id="cloudformation",
        ),
    ],
)
def test_lint_imports_neither_serve_nor_aws(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert imported_by("lint", ".", cwd=tmp_path) == []


def test_lint_of_a_sam_project_translated_before_imports_no_translator(tmp_path: Path) -> None:
    """The translator (and the boto3 it imports) is needed once per template version."""
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      Events:\n        Get:\n          Type: Api\n"
        "          Properties: {Path: /, Method: get}\n"
    )
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    assert "samtranslator.translator" in imported_by("lint", ".", cwd=tmp_path)
    assert imported_by("lint", ".", cwd=tmp_path) == []


SAM_FUNCTION = (
    "Transform: AWS::Serverless-2016-10-31\n{globals}Resources:\n{extra}  Fn:\n"
    "    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
    "{properties}      Events:\n        Get:\n          Type: Api\n"
    "          Properties: {{Path: /, Method: get}}\n"
)
NESTED_APP = (
    "  Nested:\n    Type: AWS::Serverless::Application\n    Properties: {Location: nested.yaml}\n"
)


@pytest.mark.parametrize(
    ("template", "translated"),
    [
        pytest.param({"properties": "      Runtime: nodejs20.x\n"}, False, id="node"),
        pytest.param(
            {
                "globals": "Globals:\n  Function:\n    Runtime: python3.12\n",
                "properties": "      Runtime: java21\n",
            },
            False,
            id="node-over-python-globals",
        ),
        pytest.param(
            {"globals": "Globals:\n  Function:\n    Runtime: python3.12\n"},
            True,
            id="python-from-globals",
        ),
        pytest.param({"properties": "      Runtime: !Ref Runtime\n"}, True, id="parameter"),
        pytest.param({"properties": "      PackageType: Image\n"}, True, id="image"),
        pytest.param(
            {"properties": "      Runtime: nodejs20.x\n", "extra": NESTED_APP}, True, id="nesting"
        ),
    ],
)
def test_lint_expands_only_templates_that_may_hold_python(
    tmp_path: Path, template: dict[str, str], translated: bool
) -> None:
    """lint reads Python alone: SAM's translator (most of a first lint of a monorepo)
    is skipped for templates whose functions surely run other languages."""
    text = SAM_FUNCTION.format(**{"globals": "", "extra": "", "properties": "", **template})
    (tmp_path / "template.yaml").write_text(text)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    imported = imported_by("lint", ".", cwd=tmp_path, cache=False)
    assert ("samtranslator.translator" in imported) is translated


def test_a_python_file_beside_a_template_of_other_languages_is_no_handler(tmp_path: Path) -> None:
    """The template governs its folder though it was not expanded: a script there
    with a handler's shape is not taken for an API handler."""
    (tmp_path / "template.yaml").write_text(
        SAM_FUNCTION.format(globals="", extra="", properties="      Runtime: nodejs20.x\n")
    )
    (tmp_path / "tool.py").write_text("def handler(event, context):\n    return None\n")
    (tmp_path / "orders.py").write_text(
        "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': {'a': 1}}\n"
    )
    done = CliRunner().invoke(main, ["lint", str(tmp_path), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == []


def test_listing_is_what_the_commands_say() -> None:
    """The static listing shortens each command's own help as click would."""
    eager = click.Group(
        "apigw-doctor", help=main.help, params=main.params, context_settings=main.context_settings
    )
    for name in COMMANDS:
        eager.add_command(load_command(name), name)
    lazy = CliRunner().invoke(main, ["--help"], prog_name="apigw-doctor")
    loaded = CliRunner().invoke(eager, ["--help"], prog_name="apigw-doctor")
    assert lazy.exit_code == 0
    assert lazy.output == loaded.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_runs_through_the_group(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"main {name} [OPTIONS]" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["lnit"])
    assert result.exit_code == 2
    assert "No such command 'lnit'" in result.output
