"""Building a small deployed API in moto's mock AWS: a function, a REST API, an HTTP API."""

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

REGION = "us-east-1"
# Lambda without Docker (results come from moto's queue); IAM with AWS's managed policies.
MOTO_CONFIG: Any = {"lambda": {"use_docker": False}, "iam": {"load_aws_managed_policies": True}}


@dataclass
class Deployed:
    rest_api_id: str
    http_api_id: str
    function: str
    stage: str = "prod"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def function(timeout: int) -> str:
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lambda_ = boto3.client("lambda")
    lambda_.create_function(
        FunctionName="items",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        Timeout=timeout,
    )
    arn: str = lambda_.get_function(FunctionName="items")["Configuration"]["FunctionArn"]
    return arn


def rest_api(function_arn: str, binary: list[str]) -> str:
    client = boto3.client("apigateway")
    api: dict[str, Any] = client.create_rest_api(name="shop")
    for media_type in binary:  # moto reads the added type from "value", AWS from the path
        client.update_rest_api(
            restApiId=api["id"],
            patchOperations=[
                {
                    "op": "add",
                    "path": "/binaryMediaTypes/" + media_type.replace("/", "~1"),
                    "value": media_type,
                }
            ],
        )
    root = client.get_resources(restApiId=api["id"])["items"][0]["id"]
    items = client.create_resource(restApiId=api["id"], parentId=root, pathPart="items")["id"]
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    for method, kind in (("GET", "AWS_PROXY"), ("POST", "MOCK")):
        client.put_method(
            restApiId=api["id"], resourceId=items, httpMethod=method, authorizationType="NONE"
        )
        client.put_integration(
            restApiId=api["id"],
            resourceId=items,
            httpMethod=method,
            type=kind,
            integrationHttpMethod="POST",
            uri=uri if kind == "AWS_PROXY" else "",
        )
    client.create_deployment(restApiId=api["id"], stageName="prod")
    return str(api["id"])


def http_api(function_arn: str) -> str:
    client = boto3.client("apigatewayv2")
    api = client.create_api(Name="shop-http", ProtocolType="HTTP")
    client.create_integration(
        ApiId=api["ApiId"],
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn,
        PayloadFormatVersion="1.0",
    )
    client.create_stage(ApiId=api["ApiId"], StageName="$default")
    return str(api["ApiId"])
