import json


def items(event, context):
    if event["path"] == "/broken":
        return {"statusCode": 200, "body": {"not": "a string"}}  # API Gateway answers 502
    authorizer = event["requestContext"].get("authorizer") or {}
    return {
        "statusCode": 200,
        "headers": {"Access-Control-Allow-Origin": "http://app.example"},
        "body": json.dumps({"path": event["path"], "user": authorizer.get("user")}),
    }


def orders(event, context):
    authorizer = event["requestContext"].get("authorizer") or {}
    claims = authorizer.get("jwt", {}).get("claims", {})
    return {"statusCode": 200, "body": json.dumps({"sub": claims.get("sub"), **authorizer.get("lambda", {})})}
