"""Code written in a template (Code.ZipFile, InlineCode) goes only into the folder
apigw-doctor owns: a logical id or handler naming any other place is refused."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from apigw_doctor.project import TemplateError, load_template
from apigw_doctor.project.inline import materialise

CODE = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'x'}\n"


def inline_template(folder: Path, name: str, handler: str = "index.handler") -> Path:
    """Plain CloudFormation: one inline function behind a REST API GET /."""
    uri = f"arn:aws:apigateway:r:lambda:path/functions/${{{name}.Arn}}/invocations"
    resources = {
        name: {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Handler": handler, "Runtime": "python3.12", "Code": {"ZipFile": CODE}},
        },
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
        "Get": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "HttpMethod": "GET",
                "Integration": {
                    "Type": "AWS_PROXY",
                    "IntegrationHttpMethod": "POST",
                    "Uri": {"Fn::Sub": uri},
                },
            },
        },
    }
    template = folder / "template.json"
    template.write_text(json.dumps({"Resources": resources}))
    return template


def written(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py"))


#: (logical id, handler) pairs that name a place outside the folder; "{out}" is a
#: folder outside it (absolute), so a failing run writes only into the test's tmp_path
ESCAPES = [
    ("../../escaped", "index.handler"),
    ("..", "index.handler"),
    ("{out}", "index.handler"),
    ("Fn", "../../../escaped.handler"),
    ("Fn", "{out}/index.handler"),
]


@pytest.mark.parametrize(("name", "handler"), ESCAPES)
def test_a_name_that_leaves_the_folder_is_refused(tmp_path: Path, name: str, handler: str) -> None:
    own, out = tmp_path / "a" / "b" / "own", tmp_path / "out"
    own.mkdir(parents=True)
    project = load_template(
        inline_template(tmp_path, name.format(out=out), handler.format(out=out))
    )
    with pytest.raises(TemplateError, match="outside apigw-doctor's own folder"):
        materialise(project, own)
    assert written(tmp_path) == []


def test_a_plain_name_is_written_inside_the_folder(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    project = materialise(load_template(inline_template(tmp_path, "Fn", "pkg/app.handler")), own)
    assert written(tmp_path) == [own / "Fn" / "pkg" / "app.py"]
    assert project.functions[0].code_dir == own / "Fn"


@pytest.mark.parametrize("command", ["scan", "invoke", "serve"])
@pytest.mark.parametrize(
    ("name", "handler"), [("{out}", "index.handler"), ("Fn", "{out}/index.handler")]
)
def test_every_command_refuses_it_with_exit_2(
    tmp_path: Path, command: str, name: str, handler: str
) -> None:
    out = tmp_path / "out"
    template = inline_template(tmp_path, name.format(out=out), handler.format(out=out))
    args = {
        "scan": ["scan", str(tmp_path)],
        "invoke": ["invoke", name.format(out=out), "GET", "/", "--template", str(template)],
        "serve": ["serve", "--template", str(template), "--port", "0"],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "outside apigw-doctor's own folder" in result.output
    assert written(tmp_path) == []
