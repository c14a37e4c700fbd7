from app.util import body


def handler(event, context):
    return {"statusCode": 200, "body": body()}
