from utils import GREETING


def handler(event, context):
    return {"statusCode": 200, "body": GREETING}
