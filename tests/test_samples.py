"""Sample requests: a body that a route's request model accepts, so scan runs the
handler's real logic instead of a KeyError on ``{}``."""

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from apigw_doctor.samples import sample_body, sample_path, sample_value


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "string"}, "example"),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "string", "format": "email"}, "sample-user@example.com"),
        ({"enum": ["small", "large"]}, "small"),
        ({"type": "string", "example": "SKU-1"}, "SKU-1"),
        ({"type": ["null", "number"]}, 1.5),
        (
            {
                "type": "object",
                "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
            },
            {"tags": ["example"]},
        ),
        (
            {"allOf": [{"properties": {"a": {"type": "boolean"}}}, {"properties": {"b": {}}}]},
            {"a": True, "b": "example"},
        ),
    ],
)
def test_a_sample_of_each_schema_shape(schema: dict[str, Any], value: Any) -> None:
    assert sample_value(schema) == value


def test_no_schema_is_an_empty_object_and_paths_get_parameters() -> None:
    assert sample_body("") == b"{}"
    assert sample_path("/items/{id}/{proxy+}") == "/items/example-id/example/path"


ORDERS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Models:
        Order:
          type: object
          required: [sku, quantity]
          properties:
            sku: {type: string}
            quantity: {type: integer, minimum: 1}
  CreateOrder:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: .
      Events:
        Post:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /orders
            Method: post
            RequestModel: {Model: Order, Required: true}
"""


def test_scan_sends_a_body_the_request_model_accepts(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(ORDERS)
    (tmp_path / "app.py").write_text(
        "import json\n\n"
        "def handler(event, context):\n"
        "    order = json.loads(event['body'])\n"
        "    total = order['quantity'] * 2\n"
        "    return {'statusCode': 201, 'body': {'sku': order['sku'], 'total': total}}\n"
    )
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json"])
    (handler,) = json.loads(result.stdout)["handlers"]
    (call,) = handler["calls"]
    # the real logic ran to its real bug (a dict body), not to a KeyError on {}
    assert result.exit_code == 1 and handler["notCheckedHere"] is None
    assert call["status"] == 502 and "GW" in call["findings"][0]["code"]
