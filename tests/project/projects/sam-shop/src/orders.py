import json


def create(event, context):
    return {"statusCode": 201, "body": json.dumps({"created": True})}
