"""Handlers used across the tests: each returns one thing API Gateway sees."""

import datetime
import decimal
import json
from typing import Any


def echo(event: dict[str, Any], context: Any) -> Any:
    """Returns whatever the request body says to return: the conformance echo."""
    return json.loads(event["body"]) if event.get("body") else None


def ok(event: dict[str, Any], context: Any) -> Any:
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(
            {
                "path": event.get("path") or event.get("rawPath"),
                "params": event.get("pathParameters"),
                "remaining": context.get_remaining_time_in_millis() > 0,
            }
        ),
    }


def dict_body(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 200, "body": {"a": 1}}


def returns_none(event: dict[str, Any], context: Any) -> Any:
    return None


def decimal_value(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 200, "body": json.dumps({"n": 1}), "headers": {"X-N": decimal.Decimal(2)}}


def datetime_body(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 200, "body": {"at": datetime.datetime(2026, 1, 2, 3, 4, 5)}}


def raises(event: dict[str, Any], context: Any) -> Any:
    raise KeyError("id")


def number_header(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 201, "headers": {"X-Count": 3}, "body": "made"}
