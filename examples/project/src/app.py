"""A small API whose handlers "work in the console" and fail behind API Gateway.

Every handler here shows one cause of "Malformed Lambda proxy response" from
the troubleshooting note; `apigw-doctor scan examples/project` finds them all.
"""

import base64
import json
from decimal import Decimal

ITEMS = {"1": {"id": "1", "name": "pen", "price": Decimal("1.50")}}


def get_item(event, context):
    """None from some code path: an unknown id falls off the end."""
    item = ITEMS.get((event.get("pathParameters") or {}).get("id"))
    if item:
        return {"statusCode": 200, "body": json.dumps({"id": item["id"]})}


def list_items(event, context):
    """A body that is not a string: json.dumps was forgotten."""
    return {"statusCode": 200, "body": {"items": sorted(ITEMS)}}


def hello(event, context):
    """A string returned directly."""
    return "Hello from Lambda!"


def create_item(event, context):
    """No statusCode: fine for a REST API, 500 behind an HTTP API (payload 1.0)."""
    return {"headers": {"Content-Type": "application/json"}, "body": json.dumps({"ok": True})}


def export_items(event, context):
    """A response over Lambda's 6 MB limit."""
    rows = [{"id": n, "name": "x" * 100} for n in range(60_000)]
    return {"statusCode": 200, "body": json.dumps(rows)}


def thumbnail(event, context):
    """A binary response on an API without binaryMediaTypes."""
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/wIAAgkBAyMAlYwAAAAASUVORK5CYII="
    )
    return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
            "body": base64.b64encode(png).decode("ascii"), "isBase64Encoded": True}


def price(event, context):
    """The classic DynamoDB bug: the handler's own json.dumps meets a Decimal (TypeError).

    Left in the returned dict the runtime would write it as a number; json.dumps cannot."""
    return {"statusCode": 200, "body": json.dumps({"price": ITEMS["1"]["price"]})}


def delete_item(event, context):
    """An exception that escapes: the client gets 502, not the 404 it deserves."""
    item_id = event["pathParameters"]["id"]
    if item_id not in ITEMS:
        raise KeyError(f"no item {item_id}")
    del ITEMS[item_id]
    return {"statusCode": 204}


def health(event, context):
    """A correct handler, for contrast."""
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"ok": True})}
