"""APIs whose OpenAPI body is in a local file (AWS::Include, BodyS3Location): their
routes come from the integrations in that file, through `apigw-doctor scan`."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

PROJECTS = Path(__file__).parent / "projects"


def scan(folder: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["scan", str(folder), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_included_openapi_files_give_the_functions_their_routes() -> None:
    status, report = scan(PROJECTS / "include")
    routes = {
        (h["name"], c["method"], c["resource"]) for h in report["handlers"] for c in h["calls"]
    }
    assert routes == {
        ("Items", "GET", "/items/{id}"),  # REST, Fn::Sub ${Items.Arn}
        ("Named", "POST", "/named"),  # a literal ARN naming the function's FunctionName
        ("Reports", "GET", "/reports"),  # its FunctionName a parameter without a value
        ("Orders", "GET", "/orders"),  # HTTP API, Fn::GetAtt
        ("Users", "PUT", "/users/{id}"),  # HTTP API, Fn::Join
    }
    assert status == 0, report
    (skipped,) = report["skipped"]
    assert skipped["name"] == "Report" and "non-proxy integration" in skipped["reason"]


@pytest.mark.parametrize(("name", "version"), [("Orders", "1.0"), ("Users", "2.0")])
def test_http_payload_version_comes_from_the_integration(name: str, version: str) -> None:
    _, report = scan(PROJECTS / "include")
    handler = next(h for h in report["handlers"] if h["name"] == name)
    assert f"http-{version}" in json.dumps(handler)


def test_a_local_body_file_of_a_plain_cloudformation_api() -> None:
    status, report = scan(PROJECTS / "include-cfn")
    assert [(h["name"], h["calls"][0]["resource"]) for h in report["handlers"]] == [
        ("Handler", "/hello")
    ]
    assert status == 0


def test_an_include_that_is_not_here_is_a_note(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Api:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties:\n"
        "      StageName: v1\n"
        "      DefinitionBody:\n"
        "        Fn::Transform: {Name: AWS::Include, Parameters: {Location: gone.yaml}}\n"
        "  Other:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties:\n"
        "      StageName: v1\n"
        "      DefinitionBody:\n"
        "        Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://b/api.yaml}}\n"
    )
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert "Traceback" not in result.output
    assert "gone.yaml" in result.output and "s3://b/api.yaml is not a local file" in result.output


def test_an_include_beside_other_resources_adds_its_own(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Fn::Transform: {Name: AWS::Include, Parameters: {Location: api.yaml}}\n"
        "  Handler:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: app.handler, Runtime: python3.12, Code: .}\n"
    )
    (tmp_path / "api.yaml").write_text(
        "Api:\n"
        "  Type: AWS::ApiGatewayV2::Api\n"
        "  Properties: {Name: api, ProtocolType: HTTP, Target: !GetAtt Handler.Arn}\n"
    )
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
    )
    status, report = scan(tmp_path)
    assert [(h["name"], h["calls"][0]["status"]) for h in report["handlers"]] == [("Handler", 200)]
    assert status == 0
