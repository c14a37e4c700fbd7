"""Routes from SAM templates and serverless.yml."""

import textwrap
from pathlib import Path

import pytest

from apigw_doctor.server import Endpoint, RouteTable

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
      StageName: live
      BinaryMediaTypes: ["application~1pdf"]
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handlers.items.get
      Environment: {Variables: {TABLE: !Sub "${AWS::StackName}-items"}}
      Events:
        One: {Type: Api, Properties: {Path: "/items/{id}", Method: GET, RestApiId: !Ref Api}}
        All: {Type: Api, Properties: {Path: /items, Method: any}}
        Proxy: {Type: Api, Properties: {Path: "/{proxy+}", Method: ANY}}
        Queue: {Type: SQS, Properties: {Queue: "arn:aws:sqs:us-east-1:123456789012:q"}}
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Handler: orders.create
      CodeUri: other/
      Timeout: 5
      Events:
        V1: {Type: HttpApi, Properties: {Path: /orders, Method: POST, PayloadFormatVersion: "1.0"}}
        V2: {Type: HttpApi, Properties: {Path: "/orders/{id}", Method: GET}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def matched(routes: RouteTable, method: str, path: str) -> Endpoint:
    found = routes.match(method, path)
    assert found is not None, f"{method} {path} matched no route"
    return found[0]


def test_sam_routes(tmp_path: Path) -> None:
    routes = RouteTable.from_template(write(tmp_path, "template.yaml", SAM))
    table = {(e.route.method, e.route.resource): e for e in routes.endpoints}
    one = table[("GET", "/items/{id}")]
    # Lambda's own import: the dotted module under the code folder, the working directory
    assert one.target == "handlers.items:get"
    assert (
        one.function.environment is not None
        and one.function.environment.cwd == (tmp_path / "src").resolve()
    )
    assert one.timeout == 12.0 and table[("POST", "/orders")].timeout == 5.0
    # Globals.Api applies to every API; the explicit one adds its own (SAM merges lists)
    assert one.binary_media_types == ("image/png", "application/pdf")
    assert table[("ANY", "/items")].binary_media_types == ("image/png",)
    assert (table[("POST", "/orders")].api, table[("GET", "/orders/{id}")].api) == (
        "http-1.0",
        "http-2.0",
    )
    assert len([e for e in routes.endpoints if e.function_name == "Items"]) == 3  # not SQS


def test_route_table_prefers_specific_routes(tmp_path: Path) -> None:
    routes = RouteTable.from_template(write(tmp_path, "template.yaml", SAM))
    assert matched(routes, "GET", "/items/7").route.resource == "/items/{id}"
    assert matched(routes, "DELETE", "/items").route.resource == "/items"
    assert matched(routes, "GET", "/a/b").route.resource == "/{proxy+}"
    assert matched(routes, "POST", "/orders").api == "http-1.0"
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
    routes = RouteTable.from_template(path)
    assert sorted((e.api, e.route.method, e.route.resource) for e in routes.endpoints) == [
        ("http-2.0", "POST", "/orders"),
        ("rest", "GET", "/hello"),
    ]
    assert routes.endpoints[0].target == "src.app:hello"  # as Lambda imports src/app.hello


PROJECTS = Path(__file__).parents[1] / "project" / "projects"


def test_project_routes_over_http_run_in_the_functions_environment() -> None:
    """The route table of a SAM project; the handler imports a layer and reads a
    template variable, as it would in Lambda."""
    import json
    import urllib.request

    from support.server import running

    routes = RouteTable.from_template(PROJECTS / "sam-shop" / "template.yaml")
    table = sorted((e.route.method, e.route.resource, e.function_name) for e in routes.endpoints)
    assert table == [
        ("ANY", "/", "Orders"),  # the function URL answers every path
        ("ANY", "/{proxy+}", "Orders"),
        ("GET", "/items/{id}", "Items"),
        ("GET", "/orders/{id}", "Orders"),
        ("POST", "/orders", "Orders"),
    ]
    open_routes = routes.without_auth()  # its authorizer denies everything
    with (
        running(open_routes, workers=1) as url,
        urllib.request.urlopen(f"{url}/items/1") as response,
    ):
        assert json.loads(response.read()) == {"table": "items", "v": "1"}


@pytest.mark.parametrize(
    ("project", "routes"),
    [
        ("sls", {("ANY", "/"), ("ANY", "/{proxy+}"), ("GET", "/ping")}),  # not integration: lambda
        ("cdk", {("GET", "/items"), ("GET", "/items/{id}")}),  # the Node URL is not mounted
        ("nested", {("GET", "/hello")}),
        ("image", {("GET", "/a"), ("GET", "/b")}),
        # Built and Unknown: their handler file is not found through the Dockerfile
        (
            "images",
            {("GET", f"/{n}") for n in ("glob", "package", "workdir", "override", "ric", "env")},
        ),
        ("repo", {("GET", "/a")}),
    ],
)
def test_route_table_of_each_project_shape(project: str, routes: set[tuple[str, str]]) -> None:
    from apigw_doctor.project import load_project

    table = RouteTable.from_project(load_project([PROJECTS / project]))
    assert {(e.route.method, e.route.resource) for e in table.endpoints} == routes
