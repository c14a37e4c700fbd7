"""Routes from SAM templates and serverless.yml."""

import textwrap
from pathlib import Path

import pytest

from apigw_doctor.server import RouteTable
from apigw_doctor.templates import TemplateError, load_template

SAM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
    Timeout: 12
  Api:
    BinaryMediaTypes: ["image~1png"]
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      BinaryMediaTypes: ["application~1pdf"]
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handlers.items.get
      Role: !GetAtt Role.Arn
      Environment: {Variables: {TABLE: !Sub "${AWS::StackName}-items"}}
      Events:
        One: {Type: Api, Properties: {Path: "/items/{id}", Method: GET, RestApiId: !Ref Api}}
        All: {Type: Api, Properties: {Path: /items, Method: any}}
        Proxy: {Type: Api, Properties: {Path: "/{proxy+}", Method: ANY}}
        Queue: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Handler: orders.create
      CodeUri: other/
      Timeout: 5
      Events:
        V1: {Type: HttpApi, Properties: {Path: /orders, Method: POST, PayloadFormatVersion: "1.0"}}
        V2: {Type: HttpApi, Properties: {Path: "/orders/{id}", Method: GET}}
  Image:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: repo:latest
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_sam_functions(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, "template.yaml", SAM))
    items, orders = template.functions
    assert items.handler == "handlers.items.get"
    assert items.module_path == tmp_path / "src" / "handlers" / "items.py"
    assert items.timeout == 12.0 and orders.timeout == 5.0
    assert items.binary_media_types == ("image/png", "application/pdf")
    assert [(e.api, e.method, e.path) for e in orders.endpoints] == [
        ("http-1.0", "POST", "/orders"),
        ("http-2.0", "GET", "/orders/{id}"),
    ]
    assert len(items.endpoints) == 3  # the SQS event is not a route


def test_route_table_prefers_specific_routes(tmp_path: Path) -> None:
    routes = RouteTable.from_template(write(tmp_path, "template.yaml", SAM))
    assert routes.match("GET", "/items/7").route.resource == "/items/{id}"  # type: ignore[union-attr]
    assert routes.match("DELETE", "/items").route.resource == "/items"  # type: ignore[union-attr]
    assert routes.match("GET", "/a/b").route.resource == "/{proxy+}"  # type: ignore[union-attr]
    assert routes.match("POST", "/orders").api == "http-1.0"  # type: ignore[union-attr]
    assert routes.default_api == "rest"


def test_overrides(tmp_path: Path) -> None:
    routes = RouteTable.from_template(
        write(tmp_path, "template.yaml", SAM),
        api="http-2.0",
        timeout=1.0,
        binary_media_types=("image/*",),
    )
    assert {(e.api, e.timeout, e.binary_media_types) for e in routes.endpoints} == {
        ("http-2.0", 1.0, ("image/*",))
    }


def test_serverless_yml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "serverless.yml",
        """
        service: shop
        functions:
          hello:
            handler: src/app.hello
            events:
              - http: {path: hello, method: get}
              - httpApi: "POST /orders"
              - schedule: rate(1 minute)
    """,
    )
    (function,) = load_template(path).functions
    assert function.module_path == tmp_path / "src" / "app.py"
    assert [(e.api, e.method, e.path) for e in function.endpoints] == [
        ("rest", "GET", "/hello"),
        ("http-2.0", "POST", "/orders"),
    ]


@pytest.mark.parametrize("text", ["Resources: [unclosed", "- just\n- a list\n"])
def test_unreadable_templates(tmp_path: Path, text: str) -> None:
    with pytest.raises(TemplateError, match=r"template\.yaml"):
        load_template(write(tmp_path, "template.yaml", text))
