def _policy(effect, resource, user="alice"):
    return {
        "principalId": user,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": {"user": user},
    }


def token(event, context):
    given = event["authorizationToken"]
    if given == "allow":
        return _policy("Allow", event["methodArn"])
    if given == "deny":
        return _policy("Deny", event["methodArn"])
    if given == "broken":
        return {"policyDocument": {}}  # no principalId, no statements
    raise Exception("Unauthorized")


def request(event, context):
    headers = {k.lower(): v for k, v in (event["headers"] or {}).items()}
    allowed = headers.get("x-api-key") == "key-1"
    return _policy("Allow" if allowed else "Deny", event["methodArn"], "keyholder")


def simple(event, context):
    return {"isAuthorized": event["headers"].get("x-token") == "yes", "context": {"tier": "gold"}}
