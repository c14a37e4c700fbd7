"""Handlers behind APIs defined in OpenAPI files (apigw-doctor's own fixture)."""

import json


def items(event, context):
    return {"statusCode": 200, "body": json.dumps({"id": event["pathParameters"]["id"]})}


def report(event, context):
    return {"rows": 3}  # a non-proxy integration: mapping templates shape the response


def named(event, context):
    return {"statusCode": 201, "body": "{}"}


def orders(event, context):
    return {"statusCode": 200, "body": json.dumps({"version": event["version"]})}


def users(event, context):
    return {"id": 1}  # HTTP API payload 2.0 turns a plain dict into a 200 JSON response
