import json
import os


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"table": os.environ.get("TABLE")})}


def legacy(event, context):
    return {"id": event["path"]["id"]}


def url(event, context):
    return {"statusCode": 200, "body": "url"}


def consume(event, context):
    return None
