def handler(event, context):
    return {"statusCode": 200, "body": "a"}


def other(event, context):
    return {"statusCode": 200, "body": "b"}
