"""Authorizers as API Gateway runs them (A1-A3): refusals, policies, context, JWTs."""

import base64
import json

import pytest

from apigw_doctor import authorizers
from apigw_doctor.project.model import Authorizer

TOKEN = Authorizer("TokenAuth", "token", "Fn", (("header", "Authorization"),))
SIMPLE = Authorizer("Simple", "request", "Fn", (("header", "X-Token"),), "2.0", True)
ARN = "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/items"


def policy(effect: str, resource: str = ARN, **extra: object) -> bytes:
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return json.dumps({"principalId": "u1", "policyDocument": document, **extra}).encode()


@pytest.mark.parametrize(
    ("error", "payload", "status", "code"),
    [
        (None, policy("Allow", context={"user": "u1"}), 200, None),
        (
            None,
            policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:api/*/GET/*"),
            200,
            None,
        ),
        (None, policy("Deny"), 403, "GW781"),
        (
            None,
            policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:api/*/POST/*"),
            403,
            "GW781",
        ),
        ("Unhandled", b'{"errorMessage": "Unauthorized", "errorType": "Exception"}', 401, "GW781"),
        ("Unhandled", b'{"errorMessage": "boom", "errorType": "KeyError"}', 500, "GW782"),
        (None, b'{"policyDocument": {}}', 500, "GW782"),  # no principalId
        (None, policy("Allow", context={"user": {"id": 1}}), 500, "GW782"),  # object in context
        (None, b"[1]", 500, "GW782"),
    ],
)
def test_rest_lambda_authorizer(
    error: str | None, payload: bytes, status: int, code: str | None
) -> None:
    decision = authorizers.decide_lambda(TOKEN, "rest", error, payload, ARN)
    assert (decision.allowed, decision.status) == (status == 200, status)
    assert [f.code for f in decision.findings] == ([code] if code else [])
    if status == 403:
        assert decision.body == b'{"Message":"User is not authorized to access this resource"}'
    if status == 500:
        assert ("x-amzn-ErrorType", "AuthorizerConfigurationException") in decision.headers


def test_the_context_reaches_the_function_as_aws_places_it() -> None:
    rest = authorizers.decide_lambda(TOKEN, "rest", None, policy("Allow", context={"u": "1"}), ARN)
    assert rest.context == {"u": "1", "principalId": "u1"}
    simple = authorizers.decide_lambda(
        SIMPLE, "http-2.0", None, b'{"isAuthorized": true, "context": {"tier": "gold"}}', ARN
    )
    assert simple.allowed and simple.context == {"lambda": {"tier": "gold"}}
    denied = authorizers.decide_lambda(SIMPLE, "http-2.0", None, b'{"isAuthorized": false}', ARN)
    assert (denied.status, denied.body) == (403, b'{"message":"Forbidden"}')
    broken = authorizers.decide_lambda(SIMPLE, "http-2.0", None, b'{"allowed": true}', ARN)
    assert broken.status == 500 and broken.findings[0].code == "GW782"


def test_a_missing_identity_is_401_without_calling_the_authorizer() -> None:
    assert authorizers.identity_values(TOKEN, [("authorization", "t")], []) == ["t"]
    assert authorizers.identity_values(TOKEN, [], []) is None
    decision = authorizers.missing_identity(TOKEN, "rest")
    assert (decision.status, decision.body) == (401, b'{"message":"Unauthorized"}')


def test_the_events_lambda_authorizers_receive() -> None:
    assert authorizers.lambda_event(TOKEN, "rest", {}, ARN, ["tok"]) == {
        "type": "TOKEN",
        "authorizationToken": "tok",
        "methodArn": ARN,
    }
    event = authorizers.lambda_event(SIMPLE, "http-2.0", {"rawPath": "/x", "body": "b"}, ARN, ["v"])
    assert event["type"] == "REQUEST" and event["routeArn"] == ARN
    assert event["identitySource"] == ["v"] and "body" not in event


def jwt(claims: dict[str, object]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{encoded}.signature"


JWT = Authorizer("Jwt", "jwt", identity=(("header", "Authorization"),), audience=("app",))


def test_jwt_claims_are_read_not_verified() -> None:
    decision = authorizers.decide_jwt(JWT, "http-2.0", "Bearer " + jwt({"sub": "u1", "aud": "app"}))
    assert decision.allowed
    assert decision.context == {"jwt": {"claims": {"sub": "u1", "aud": "app"}, "scopes": None}}
    assert decision.findings[0].code == "GW783"


@pytest.mark.parametrize(
    "token",
    ["not-a-jwt", jwt({"sub": "u1", "aud": "other"}), jwt({"aud": "app", "exp": 1})],
)
def test_jwt_refusals(token: str) -> None:
    decision = authorizers.decide_jwt(JWT, "http-2.0", token)
    assert (decision.allowed, decision.status) == (False, 401)
