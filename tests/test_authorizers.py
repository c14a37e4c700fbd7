"""Authorizers as API Gateway runs them (A1-A3): refusals, policies, context, JWTs."""

import base64
import json
from dataclasses import replace

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


NOW = 1_800_000_000
RS256 = {"alg": "RS256", "kid": "key-1", "typ": "JWT"}


def part(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def jwt(claims: dict[str, object], header: dict[str, object] | None = None) -> str:
    return f"{part(RS256 if header is None else header)}.{part(claims)}.signature"


JWT = Authorizer(
    "Jwt",
    "jwt",
    identity=(("header", "Authorization"),),
    issuer="https://issuer.example",
    audience=("app",),
)
SCOPED = replace(JWT, scopes=("orders/read", "orders/admin"))
GOOD = {"iss": "https://issuer.example", "aud": "app", "sub": "u1", "exp": NOW + 60}


def test_a_valid_token_reaches_the_function_with_its_claims_and_the_unchecked_signature() -> None:
    decision = authorizers.decide_jwt(JWT, "http-2.0", "Bearer " + jwt(GOOD), now=NOW)
    assert decision.allowed
    text = {**GOOD, "exp": str(NOW + 60)}  # HTTP APIs pass every claim as text
    assert decision.context == {"jwt": {"claims": text, "scopes": None}}
    assert [f.code for f in decision.findings] == ["GW783"]
    assert "signature was NOT checked" in decision.findings[0].message


#: every check AWS documents for HTTP API JWT authorizers except the signature
#: (developer guide, "Control access to HTTP APIs with JWT authorizers")
REFUSED = [
    ("not-a-jwt", "not a JWT"),
    ("a.b", "not a JWT"),
    ("!!.??.sig", "malformed"),
    (f"{part([1])}.{part(GOOD)}.sig", "malformed"),
    (jwt(GOOD, {"alg": "none", "kid": "key-1"}), "'none'"),
    (jwt(GOOD, {"kid": "key-1"}), "null"),
    (jwt(GOOD, {"alg": "HS256", "kid": "key-1"}), "'HS256'"),
    (jwt(GOOD, {"alg": "RS256"}), "no kid"),
    (jwt({**GOOD, "iss": "https://evil.example"}), "issuer"),
    (jwt({k: v for k, v in GOOD.items() if k != "iss"}), "issuer (iss) is missing"),
    (jwt({**GOOD, "iss": "https://issuer.example/"}), "issuer"),  # matched exactly
    (jwt({**GOOD, "aud": "other"}), "the token does not have a valid audience"),
    (jwt({**GOOD, "aud": ["x", "y"]}), "the token does not have a valid audience"),
    (jwt({k: v for k, v in GOOD.items() if k != "aud"}), "valid audience"),
    # client_id counts only without aud; aud wins when both are there
    (jwt({**GOOD, "aud": "other", "client_id": "app"}), "valid audience"),
    (jwt({**GOOD, "exp": NOW - 1}), "expired"),
    (jwt({**GOOD, "exp": NOW}), "expired"),
    (jwt({**GOOD, "exp": "tomorrow"}), "not a number"),
    (jwt({**GOOD, "nbf": NOW + 30}), "not valid yet"),
    (jwt({**GOOD, "iat": NOW + 30}), "issued in the future"),
]


@pytest.mark.parametrize(("token", "reason"), REFUSED)
def test_tokens_aws_refuses_are_refused_with_its_challenge(token: str, reason: str) -> None:
    decision = authorizers.decide_jwt(JWT, "http-2.0", "Bearer " + token, now=NOW)
    assert (decision.allowed, decision.status) == (False, 401)
    assert decision.body == b'{"message":"Unauthorized"}'
    challenge = dict(decision.headers)["www-authenticate"]
    assert challenge.startswith('Bearer scope="" error="invalid_token" error_description="')
    assert reason in challenge and challenge.count('"') == 6  # three quoted-strings
    assert [f.code for f in decision.findings] == ["GW781"]
    assert reason.replace("'", '"') in decision.findings[0].message


@pytest.mark.parametrize(
    "claims",
    [
        {**GOOD, "aud": ["x", "app"]},
        {**{k: v for k, v in GOOD.items() if k != "aud"}, "client_id": "app"},
        {**GOOD, "nbf": NOW - 5, "iat": NOW - 5},
        {k: v for k, v in GOOD.items() if k != "exp"},  # no exp: nothing to compare
    ],
)
def test_tokens_aws_accepts_are_let_through(claims: dict[str, object]) -> None:
    assert authorizers.decide_jwt(JWT, "http-2.0", jwt(claims), now=NOW).allowed


@pytest.mark.parametrize(
    ("claims", "allowed"),
    [
        ({**GOOD, "scope": "openid orders/read"}, True),
        ({**GOOD, "scp": ["orders/admin"]}, True),
        ({**GOOD, "scp": "orders/admin profile"}, True),
        ({**GOOD, "scope": "openid"}, False),
        (GOOD, False),
    ],
)
def test_a_route_s_scopes_need_one_in_the_token(claims: dict[str, object], allowed: bool) -> None:
    decision = authorizers.decide_jwt(SCOPED, "http-2.0", jwt(claims), now=NOW)
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.status, decision.body) == (403, b'{"message":"Forbidden"}')
        challenge = dict(decision.headers)["www-authenticate"]
        assert 'error="insufficient_scope"' in challenge
        assert 'scope="orders/read orders/admin"' in challenge
    else:
        assert decision.context["jwt"]["scopes"]


def test_rest_cognito_refusals_carry_no_http_api_challenge() -> None:
    cognito = Authorizer("Pool", "cognito", identity=(("header", "Authorization"),))
    decision = authorizers.decide_jwt(cognito, "rest", jwt({**GOOD, "exp": NOW - 1}), now=NOW)
    assert (decision.status, decision.body) == (401, b'{"message":"Unauthorized"}')
    assert "www-authenticate" not in dict(decision.headers)
    assert authorizers.decide_jwt(cognito, "rest", jwt(GOOD), now=NOW).context == {"claims": GOOD}


def test_a_rest_cognito_method_s_scopes_refuse_with_401() -> None:
    scoped = Authorizer(
        "Pool", "cognito", identity=(("header", "Authorization"),), scopes=("orders/read",)
    )
    refused = authorizers.decide_jwt(scoped, "rest", jwt({**GOOD, "scope": "openid"}), now=NOW)
    assert (refused.status, refused.body) == (401, b'{"message":"Unauthorized"}')
    granted = jwt({**GOOD, "scope": "orders/read"})
    assert authorizers.decide_jwt(scoped, "rest", granted, now=NOW).allowed


def test_http_api_claims_reach_the_function_as_text() -> None:
    claims = {**GOOD, "cognito:groups": ["admin", "users"], "email_verified": True, "n": 1.5}
    decision = authorizers.decide_jwt(JWT, "http-2.0", jwt(claims), now=NOW)
    seen = decision.context["jwt"]["claims"]
    assert seen["cognito:groups"] == "[admin users]"
    assert (seen["email_verified"], seen["n"], seen["exp"]) == ("true", "1.5", str(NOW + 60))
