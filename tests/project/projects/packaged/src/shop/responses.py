import json


def ok(data):
    return {"statusCode": 200, "body": json.dumps(data)}
