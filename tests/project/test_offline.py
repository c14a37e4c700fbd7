"""Reading a project never calls AWS: a Serverless Application Repository app in a
SAM template is noted, not resolved through the network (`apigw-doctor lint`/`scan`)."""

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/shared
        SemanticVersion: 1.2.0
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Environment: {Variables: {SHARED: !GetAtt Shared.Outputs.Name}}
      Events: {Get: {Type: Api, Properties: {Path: /items, Method: GET, RestApiId: !Ref Api}}}
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: live, BinaryMediaTypes: [image/png]}
"""


def project(folder: Path) -> Path:
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
    )
    return folder


def test_a_repository_app_is_noted_and_the_rest_translated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # credentials a real call would use: the network must still not be touched
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret-not-real")
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network used while reading a project")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    result = CliRunner().invoke(main, ["lint", str(project(tmp_path))])
    assert attempts == []
    assert "Traceback" not in result.output
    assert "Serverless Application Repository" in result.output
    assert "read without SAM's translator" not in result.output  # the translator ran


def test_scan_checks_the_functions_beside_a_repository_app(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(project(tmp_path)), "--format", "json"])
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [c["path"] for h in report["handlers"] for c in h["calls"]] == ["/items"]
    notes = " ".join(n["note"] for n in report["notes"])
    assert "Serverless Application Repository" in notes
    assert "without SAM's translator" not in notes
