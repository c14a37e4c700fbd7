import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    table.put_item(Item={"id": "1", "price": 3})
    item = table.get_item(Key={"id": "1"})["Item"]
    return {"statusCode": 201, "body": json.dumps(item, default=str)}
