"""`apigw-doctor aws ...` against moto's mock AWS (no hand-made fakes)."""

import json
from pathlib import Path

import boto3
import requests
from click.testing import CliRunner

from apigw_doctor.cli import main
from support.aws import REGION, Deployed

PROJECT = Path(__file__).resolve().parents[2] / "examples" / "project"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["aws", *args])
    return result.exit_code, result.stdout, result.stderr


def stage_settings(api: Deployed) -> dict[str, object]:
    stage = boto3.client("apigateway").get_stage(restApiId=api.rest_api_id, stageName="prod")
    settings: dict[str, object] = stage.get("methodSettings", {}).get("*/*", {})
    return settings


def test_enable_logging_without_role_warns(deployed: Deployed) -> None:
    status, out, err = run(
        "enable-logging",
        "--rest-api-id",
        deployed.rest_api_id,
        "--stage",
        "prod",
        "--data-trace",
        "--metrics",
    )
    assert status == 0
    assert "no API Gateway CloudWatch role" in err and "--create-role" in err
    assert "logs request and response data" in err
    settings = stage_settings(deployed)
    assert settings["loggingLevel"] == "INFO"
    assert settings["dataTraceEnabled"] is True and settings["metricsEnabled"] is True
    assert "CloudWatch role MISSING" in out


def test_enable_logging_creates_the_role(deployed: Deployed) -> None:
    status, out, _ = run(
        "enable-logging",
        "--rest-api-id",
        deployed.rest_api_id,
        "--stage",
        "prod",
        "--create-role",
        "--level",
        "ERROR",
    )
    assert status == 0
    account = boto3.client("apigateway").get_account()
    assert account["cloudwatchRoleArn"].endswith(":role/APIGatewayPushToCloudWatchLogs")
    policies = boto3.client("iam").list_attached_role_policies(
        RoleName="APIGatewayPushToCloudWatchLogs"
    )["AttachedPolicies"]
    assert [p["PolicyName"] for p in policies] == ["AmazonAPIGatewayPushToCloudWatchLogs"]
    assert stage_settings(deployed)["loggingLevel"] == "ERROR"
    assert account["cloudwatchRoleArn"] in out


def test_dry_run_changes_nothing(deployed: Deployed) -> None:
    status, out, _ = run(
        "enable-logging",
        "--rest-api-id",
        deployed.rest_api_id,
        "--stage",
        "prod",
        "--dry-run",
        "--create-role",
    )
    assert status == 0
    assert "aws iam create-role --role-name APIGatewayPushToCloudWatchLogs" in out
    assert "path=/*/*/logging/loglevel,value=INFO" in out
    assert stage_settings(deployed) == {}


def test_audit_rest_api(deployed: Deployed) -> None:
    status, out, _ = run("audit", "--rest-api-id", deployed.rest_api_id, "--format", "json")
    assert status == 1
    codes = {(f["code"], f["where"]) for f in json.loads(out)}
    assert ("GW507", "binaryMediaTypes") in codes  # */* never matches
    assert ("GW953", "account") in codes  # no CloudWatch role
    assert ("GW951", "stage prod") in codes  # execution logging off
    assert ("GW955", "stage prod") in codes  # no access logs
    assert ("GW958", "POST /items") in codes  # MOCK integration
    assert ("GW957", "GET /items") in codes  # 60 s function, 29 s integration


def test_audit_binary_media_types_against_source(plain_api: Deployed) -> None:
    status, out, _ = run(
        "audit",
        "--rest-api-id",
        plain_api.rest_api_id,
        "--source",
        str(PROJECT),
        "--format",
        "json",
    )
    found = {f["code"]: f for f in json.loads(out)}
    assert status == 1
    assert "app.py:thumbnail" in found["GW956"]["message"]
    assert "GW957" not in found  # a 10 s function fits in 29 s


def test_audit_after_enable_logging_is_quieter(plain_api: Deployed) -> None:
    run(
        "enable-logging",
        "--rest-api-id",
        plain_api.rest_api_id,
        "--stage",
        "prod",
        "--create-role",
        "--data-trace",
    )
    _, out, _ = run(
        "audit", "--rest-api-id", plain_api.rest_api_id, "--stage", "prod", "--format", "json"
    )
    codes = {f["code"] for f in json.loads(out)}
    assert not codes & {"GW951", "GW952", "GW953"}


def test_audit_http_api(deployed: Deployed) -> None:
    status, out, _ = run("audit", "--api-id", deployed.http_api_id)
    assert status == 1
    assert "GW959" in out and "payload format 1.0" in out
    assert "GW955" in out and "HTTP APIs write no execution logs" in out


def queue_result(result: object) -> None:
    """moto's simple Lambda answers with queued results (its documented moto-api)."""
    requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/lambda-simple/response",
        json={"results": [json.dumps(result)], "region": REGION},
        timeout=10,
    )


def test_invoke_judges_the_real_result(deployed: Deployed) -> None:
    queue_result({"statusCode": 200, "body": {"items": []}})
    status, out, _ = run("invoke", deployed.function, "GET", "/items", "--format", "json")
    verdict = json.loads(out)
    assert status == 1
    assert verdict["status"] == 502 and verdict["findings"][0]["code"] == "GW301"


def test_invoke_valid_result_http_api(deployed: Deployed) -> None:
    queue_result({"statusCode": 201, "body": "made"})
    status, out, _ = run(
        "invoke", deployed.function, "POST", "/items", "--api", "http-2.0", "-d", "{}"
    )
    assert status == 0
    assert "201 Created" in out


def test_errors_are_one_clear_line(deployed: Deployed) -> None:
    status, _, err = run("audit", "--rest-api-id", "nope")
    assert status == 1
    assert err.startswith("apigw-doctor aws: reading REST API nope: NotFoundException")
    assert "Traceback" not in err
    status, _, err = run("enable-logging", "--rest-api-id", "nope", "--stage", "prod")
    assert status == 1 and "check the id and the region" in err


def test_unknown_profile(deployed: Deployed) -> None:
    status, _, err = run("invoke", "items", "GET", "/", "--profile", "no-such-profile")
    assert status == 1
    assert "no-such-profile" in err and "check --profile" in err


def test_usage_errors() -> None:
    result = CliRunner().invoke(main, ["aws", "audit"])
    assert result.exit_code == 2 and "exactly one of --rest-api-id" in result.stderr
    result = CliRunner().invoke(main, ["aws", "invoke", "fn"])
    assert result.exit_code == 2 and "METHOD PATH" in result.stderr


def test_audit_names_a_missing_invoke_permission(deployed: Deployed) -> None:
    _, out, _ = run("audit", "--rest-api-id", deployed.rest_api_id, "--format", "json")
    found = {(f["code"], f["where"]) for f in json.loads(out)}
    assert ("GW761", "GET /items") in found  # moto's function has no resource policy
    assert ("GW761", "POST /items") not in found  # a MOCK integration invokes nothing
    _, out, _ = run("audit", "--api-id", deployed.http_api_id, "--format", "json")
    assert "GW761" not in out  # no route targets the integration: nothing is invoked
    client = boto3.client("apigatewayv2")
    (integration,) = client.get_integrations(ApiId=deployed.http_api_id)["Items"]
    client.create_route(
        ApiId=deployed.http_api_id,
        RouteKey="GET /orders/{id}",
        Target=f"integrations/{integration['IntegrationId']}",
    )
    _, out, _ = run("audit", "--api-id", deployed.http_api_id, "--format", "json")
    assert ("GW761", "GET /orders/{id}") in {(f["code"], f["where"]) for f in json.loads(out)}


def test_audit_accepts_the_permission_sam_writes(deployed: Deployed) -> None:
    source = f"arn:aws:execute-api:{REGION}:123456789012:{deployed.rest_api_id}/*/GET/items"
    boto3.client("lambda").add_permission(
        FunctionName="items",
        StatementId="apigateway-get-items",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source,
    )
    _, out, _ = run("audit", "--rest-api-id", deployed.rest_api_id, "--format", "json")
    assert "GW761" not in {f["code"] for f in json.loads(out)}


def test_audit_rejects_a_permission_for_another_api(deployed: Deployed) -> None:
    boto3.client("lambda").add_permission(
        FunctionName="items",
        StatementId="apigateway-other-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:123456789012:otherapi/*/GET/items",
    )
    _, out, _ = run("audit", "--rest-api-id", deployed.rest_api_id, "--format", "json")
    assert ("GW761", "GET /items") in {(f["code"], f["where"]) for f in json.loads(out)}
