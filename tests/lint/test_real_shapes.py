"""Shapes of real bugs lint must find (issue "Real projects, round 2"), each with a
near miss it must stay quiet on.  Every case is a small project of its own (the
evidence that DynamoDB items hold numbers is read from the whole project), linted
through the CLI as users run it.  Lines marked ``# expect: CODE severity`` must be
reported with that code and severity; nothing else may be."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

EXPECT = re.compile(r"#\s*expect:\s*(GW\d+)\s+(error|warning|info)")

REST_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: .
      Events:
        E: {Type: %s, Properties: {Path: /items, Method: get}}
"""
NUMERIC_TABLE = """
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: N}
      KeySchema:
        - {AttributeName: id, KeyType: HASH}
"""

OK_HELPER = """
import json

def ok(body):
    return {"statusCode": 200, "body": json.dumps(body)}
"""

CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    # -- an error path returning a plain data dict -------------------------------
    "error path data dict, other paths respond": (
        {
            "app.py": """
            import json
            from botocore.exceptions import ClientError

            def handler(event, context):
                try:
                    name = event["pathParameters"]["id"]
                    response = {"statusCode": 200, "body": json.dumps({"name": name})}
                except ClientError as e:
                    response = {"Error Message": str(e)}  # expect: GW902 error
                return response
            """
        },
        [],
    ),
    "near miss: data dict rebound into a response": (
        {
            "app.py": """
            import json

            def handler(event, context):
                result = {"id": event["pathParameters"]["id"]}
                if not result["id"]:
                    result = {"Error Message": "no id"}
                result = {"statusCode": 200, "body": json.dumps(result)}
                return result
            """
        },
        [],
    ),
    "error path data dict behind a REST route in a template": (
        {
            "template.yaml": REST_TEMPLATE % "Api",
            "app.py": """
            def handler(event, context):
                try:
                    return fetch(event["pathParameters"]["id"])
                except KeyError as e:
                    return {"Error Message": str(e)}  # expect: GW902 error

            def fetch(key):
                return {"statusCode": 200, "body": key}
            """,
        },
        [],
    ),
    "near miss: the same behind an HTTP API (payload 2.0 infers a 200)": (
        {
            "template.yaml": REST_TEMPLATE % "HttpApi",
            "app.py": """
            def handler(event, context):
                try:
                    return {"statusCode": 200, "body": event["pathParameters"]["id"]}
                except KeyError as e:
                    return {"Error Message": str(e)}
            """,
        },
        [],
    ),
    # -- DynamoDB data passed to a helper that calls json.dumps ------------------
    "DynamoDB item to a helper in the same file": (
        {
            "app.py": OK_HELPER
            + """
import boto3

table = boto3.resource("dynamodb").Table("items")

def handler(event, context):
    item = table.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]
    return ok(item)  # expect: GW910 error

def create(event, context):
    table.put_item(Item={"id": event["pathParameters"]["id"], "count": 1})
    return ok({"created": True})
""",
        },
        [],
    ),
    "near miss: the helper passes default=": (
        {
            "app.py": """
import json
import boto3

table = boto3.resource("dynamodb").Table("items")

def ok(body):
    return {"statusCode": 200, "body": json.dumps(body, default=str)}

def handler(event, context):
    table.put_item(Item={"id": "a", "count": 1})
    items = table.query(KeyConditionExpression="x")["Items"]
    return ok(items)
""",
        },
        [],
    ),
    "DynamoDB items to a helper of another module": (
        {
            "lib/__init__.py": "",
            "lib/http.py": OK_HELPER,
            "app.py": """
import boto3
from decimal import Decimal
from lib.http import ok
from lib import http

table = boto3.resource("dynamodb").Table("items")

def handler(event, context):
    items = table.scan()["Items"]
    return ok(items)  # expect: GW910 error

def one(event, context):
    item = table.get_item(Key={"id": event["pathParameters"]["id"]}).get("Item")
    return http.ok({"item": item})  # expect: GW910 error

def put(event, context):
    table.put_item(Item={"id": "a", "price": Decimal("1.5")})
    return ok({"ok": True})
""",
        },
        [],
    ),
    "DynamoDB item to a static method of an imported class": (
        {
            "lib/__init__.py": "",
            "lib/responses.py": """
import json


class Response:
    @staticmethod
    def ok(body):
        return {"statusCode": 200, "body": json.dumps(body)}

    @classmethod
    def created(cls, body):
        return {"statusCode": 201, "body": json.dumps(body, default=str)}
""",
            "app.py": """
import boto3
from lib.responses import Response

table = boto3.resource("dynamodb").Table("items")

def handler(event, context):
    item = table.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]
    return Response.ok(item)  # expect: GW910 error

def create(event, context):
    table.put_item(Item={"id": event["pathParameters"]["id"], "count": 1})
    return Response.created(table.get_item(Key={"id": "a"})["Item"])
""",
        },
        [],
    ),
    "near miss: the other module's json is simplejson": (
        {
            "lib/__init__.py": "",
            "lib/http.py": OK_HELPER.replace("import json", "import simplejson as json"),
            "app.py": """
import boto3
from decimal import Decimal
from lib.http import ok

table = boto3.resource("dynamodb").Table("items")

def handler(event, context):
    table.put_item(Item={"id": "a", "price": Decimal("1.5")})
    return ok(table.scan()["Items"])
""",
        },
        ["--api", "rest"],
    ),
    # -- json.dumps(scan()["Items"]): an error only when items hold numbers -------
    "scan items without evidence of numbers: a warning": (
        {
            "app.py": """
            import json
            import boto3

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                items = table.scan()["Items"]
                return {"statusCode": 200, "body": json.dumps(items)}  # expect: GW910 warning
            """,
        },
        ["--api", "rest"],
    ),
    "scan items of a table with a numeric key: an error": (
        {
            "template.yaml": REST_TEMPLATE % "Api" + NUMERIC_TABLE,
            "app.py": """
            import json
            import boto3

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                items = table.scan()["Items"]
                return {"statusCode": 200, "body": json.dumps(items)}  # expect: GW910 error
            """,
        },
        [],
    ),
    "items of a table another module counts in (UpdateExpression ADD): an error": (
        {
            "counter.py": """
            import boto3

            def bump(key):
                table = boto3.resource("dynamodb").Table("items")
                table.update_item(Key={"id": key}, UpdateExpression="ADD visits :one")
            """,
            "app.py": """
            import json
            import boto3

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                item = table.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]
                return {"statusCode": 200, "body": json.dumps(item)}  # expect: GW910 error
            """,
        },
        [],
    ),
    # -- a boto3 response, or an int, as body ---------------------------------
    "boto3 responses and numbers as body": (
        {
            "app.py": """
            import boto3

            table = boto3.resource("dynamodb").Table("items")
            s3 = boto3.client("s3")

            def get(event, context):
                response = table.get_item(Key={"id": event["pathParameters"]["id"]})
                return {"statusCode": 200, "body": response}  # expect: GW906 error

            def buckets(event, context):
                return {"statusCode": 200, "body": s3.list_buckets()}  # expect: GW906 error

            def count(event, context):
                return {"statusCode": 200, "body": 5}  # expect: GW906 error

            def total(event, context):
                found = table.scan()["Count"]
                return {"statusCode": 200, "body": found}  # expect: GW906 error
            """,
        },
        ["--api", "rest"],
    ),
    "near miss: one attribute, a presigned URL, a str() number": (
        {
            "app.py": """
            import boto3

            table = boto3.resource("dynamodb").Table("items")
            s3 = boto3.client("s3")

            def get(event, context):
                response = table.get_item(Key={"id": event["pathParameters"]["id"]})
                return {"statusCode": 200, "body": response["Item"]["name"]}

            def link(event, context):
                url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
                return {"statusCode": 200, "body": url}

            def count(event, context):
                return {"statusCode": 200, "body": str(5)}
            """,
        },
        ["--api", "rest"],
    ),
    # -- boto3 responses holding datetimes (botocore's service models say which) --
    "boto3 responses with timestamps to json.dumps": (
        {
            "app.py": """
            import json
            import boto3

            s3 = boto3.client("s3")
            ec2 = boto3.Session().client("ec2")

            def ok(data):
                return {"statusCode": 200, "body": json.dumps(data)}

            def buckets(event, context):
                body = json.dumps(s3.list_buckets())  # expect: GW910 error
                return {"statusCode": 200, "body": body}

            def objects(event, context):
                listing = s3.list_objects_v2(Bucket="b")
                body = json.dumps({"items": listing.get("Contents", [])})  # expect: GW910 error
                return {"statusCode": 200, "body": body}

            def first(event, context):
                item = s3.list_objects_v2(Bucket="b")["Contents"][0]
                return {"statusCode": 200, "body": json.dumps(item)}  # expect: GW910 error

            def via_helper(event, context):
                return ok(s3.list_buckets())  # expect: GW910 error

            def instances(event, context):
                found = ec2.describe_instances()
                body = json.dumps(found["Reservations"])  # expect: GW910 error
                return {"statusCode": 200, "body": body}
            """,
        },
        ["--api", "rest"],
    ),
    "near miss: no timestamp there, default=str, keys only, an unknown service": (
        {
            "app.py": """
            import json
            import boto3

            s3 = boto3.client("s3")
            sts = boto3.client("sts")
            odd = boto3.client("not-a-service")

            def me(event, context):
                return {"statusCode": 200, "body": json.dumps(sts.get_caller_identity())}

            def safe(event, context):
                return {"statusCode": 200, "body": json.dumps(s3.list_buckets(), default=str)}

            def names(event, context):
                listing = s3.list_objects_v2(Bucket="b")
                keys = [o["Key"] for o in listing["Contents"]]
                body = json.dumps({"keys": keys, "n": listing["KeyCount"]})
                return {"statusCode": 200, "body": body}

            def name(event, context):
                body = json.dumps(s3.list_objects_v2(Bucket="b")["Name"])
                return {"statusCode": 200, "body": body}

            def unknown(event, context):
                return {"statusCode": 200, "body": json.dumps(odd.describe_things())}

            def me_via_helper(event, context):
                return ok(sts.get_caller_identity())

            def ok(data):
                return {"statusCode": 200, "body": json.dumps(data)}
            """,
        },
        ["--api", "rest"],
    ),
    # -- event fields API Gateway sends as null ----------------------------------
    "a default for a field payload 1.0 sends as null, behind a REST API": (
        {
            "template.yaml": REST_TEMPLATE % "Api",
            "app.py": """
            import json

            def handler(event, context):
                a = event.get("queryStringParameters", {}).get("a")  # expect: GW916 error
                b = event.get("pathParameters", {})["id"]  # expect: GW916 error
                data = json.loads(event.get("body", "{}"))  # expect: GW916 error
                c = event.get("queryStringParameters").get("c")  # expect: GW916 error
                return {"statusCode": 200, "body": json.dumps([a, b, c, data])}
            """,
        },
        [],
    ),
    "near miss: payload 2.0 leaves the field out; an `or {}`; a guarded read": (
        {
            "template.yaml": REST_TEMPLATE % "HttpApi",
            "app.py": """
            import json

            def handler(event, context):
                a = event.get("queryStringParameters", {}).get("a")
                b = (event.get("pathParameters") or {}).get("id")
                try:
                    c = event.get("stageVariables").get("c")
                except AttributeError:
                    c = None
                d = event.get("headers", {}).get("d")
                if event.get("body"):
                    d = json.loads(event.get("body"))
                return {"statusCode": 200, "body": json.dumps([a, b, c, d])}
            """,
        },
        [],
    ),
    # -- names never defined or imported (pyflakes) -------------------------------
    "undefined names in a handler module": (
        {
            "app.py": """
            import json
            import boto3

            def handler(event, context):
                try:
                    result = boto3.client("s3").list_buckets()
                except ClientError as e:  # expect: GW915 error
                    return {"statusCode": 500, "body": json.dumps({"error": str(e)})}
                return {"statusCode": 200, "body": json.dumps(reslt)}  # expect: GW915 error
            """,
        },
        ["--api", "rest"],
    ),
    "near miss: a JSON encoder's last resort names an undefined class": (
        {
            "app.py": """
            import json
            from decimal import Decimal

            class DecimalEncoder(json.JSONEncoder):
                def default(self, obj):
                    if isinstance(obj, Decimal):
                        return float(obj)
                    return super(CustomJsonEncoder, self).default(obj)

            def handler(event, context):
                data = {"price": Decimal("1.5")}
                return {"statusCode": 200, "body": json.dumps(data, cls=DecimalEncoder)}
            """,
        },
        ["--api", "rest"],
    ),
    "near miss: main guard, postponed annotations, a guarded import": (
        {
            "app.py": """
            from __future__ import annotations

            import json

            try:
                import orjson
            except ImportError:
                orjson = None

            def handler(event: APIGatewayProxyEvent, context) -> Response:
                return {"statusCode": 200, "body": json.dumps({"fast": orjson is not None})}

            if __name__ == "__main__":
                print(handler(sample_event, None))
            """,
        },
        ["--api", "rest"],
    ),
    # -- --api rest: every (event, context) function is a handler ----------------
    "--api rest lints a function that reads no API event": (
        {
            "app.py": """
            import json

            def lambda_handler(event, context):
                result = {"ok": True}
                return json.dumps(result)  # expect: GW902 error
            """,
        },
        ["--api", "rest"],
    ),
    "without --api: a note on the functions passed over": (
        {
            "app.py": """
            import json

            def lambda_handler(event, context):
                result = {"ok": True}
                return json.dumps(result)

            def consume(event, context):
                for record in event["Records"]:
                    print(record)
            """,
        },
        [],
    ),
    # -- PyJWT: bytes only in PyJWT 1 ----------------------------------------
    "near miss: jwt.encode is str in PyJWT 2": (
        {
            "requirements.txt": "PyJWT>=2.8\n",
            "app.py": """
            import json
            import jwt

            def handler(event, context):
                token = jwt.encode({"sub": event["body"]}, "key", algorithm="HS256")
                return {"statusCode": 200, "body": json.dumps({"token": token})}
            """,
        },
        ["--api", "rest"],
    ),
    "jwt.encode is bytes when PyJWT 1 is pinned": (
        {
            "requirements.txt": "PyJWT==1.7.1\n",
            "app.py": """
            import json
            import jwt

            def handler(event, context):
                token = jwt.encode({"sub": event["body"]}, "key", algorithm="HS256")
                body = json.dumps({"token": token})  # expect: GW910 error
                return {"statusCode": 200, "body": body}
            """,
        },
        ["--api", "rest"],
    ),
}


def _write(root: Path, files: dict[str, str]) -> set[tuple[str, int, str, str]]:
    expected = set()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        source = textwrap.dedent(text).lstrip("\n")
        path.write_text(source)
        for number, line in enumerate(source.splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                expected.add((name, number, match.group(1), match.group(2)))
    return expected


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_real_shape(case: str, tmp_path: Path) -> None:
    files, args = CASES[case]
    expected = _write(tmp_path, files)
    result = CliRunner().invoke(main, ["lint", *args, "--format", "json", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    reported = {
        (
            str(Path(f["path"]).resolve().relative_to(tmp_path.resolve())),
            f["line"],
            f["code"],
            f["severity"],
        )
        for f in json.loads(result.stdout or "[]")
        if f["code"] != "GW914"
    }
    assert reported == expected


def test_functions_passed_over_are_named_with_how_to_include_them(tmp_path: Path) -> None:
    _write(tmp_path, CASES["without --api: a note on the functions passed over"][0])
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 0
    assert "app.py:3 lambda_handler()" in result.stderr
    assert "consume" not in result.stderr  # it reads an SQS event
    assert "--api rest" in result.stderr
    with_api = CliRunner().invoke(main, ["lint", "--api", "rest", str(tmp_path)])
    assert "not linted as handlers" not in with_api.stderr
