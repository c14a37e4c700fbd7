"""Authorizers as API Gateway runs them: who may call a route, decided before the
function runs, and what the function then sees of the caller.

Data in, decisions out (no I/O): ``serve`` calls the Lambda authorizer through its
worker pool and hands the result here.  The behaviour (rules A1-A3,
docs/gateway-rules.md, from the API Gateway developer guide's Lambda authorizer
and JWT authorizer chapters):
- A1 a missing identity source is refused with 401 ``Unauthorized`` without
  calling the authorizer; an authorizer that raises ``Unauthorized`` gives 401;
  a policy that does not allow the method ARN gives 403 (REST: ``User is not
  authorized to access this resource``; HTTP APIs: ``Forbidden``).
- A2 anything else (an error, no principalId, a malformed policy, an object in
  the REST context) is 500 with ``AuthorizerConfigurationException``.
- A3 JWT authorizers: the claims reach ``requestContext.authorizer.jwt`` (HTTP)
  or ``.claims`` (Cognito, REST); locally the token is decoded, not verified.
Results are not cached between requests (AWS caches by identity for a TTL).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import time
from dataclasses import dataclass, field
from typing import Any

from . import _json as json_text
from .catalogue import Finding, finding
from .events import ACCOUNT_ID, REGION
from .project.model import Authorizer

#: API Gateway's answers when it refuses a request
UNAUTHORIZED = b'{"message":"Unauthorized"}'
FORBIDDEN_REST = b'{"Message":"User is not authorized to access this resource"}'
FORBIDDEN_HTTP = b'{"message":"Forbidden"}'
CONFIGURATION_REST = b'{"message": null}'
CONFIGURATION_HTTP = b'{"message":"Internal Server Error"}'
_POLICY_FIX = (
    'return {{"principalId": "user", "policyDocument": {{"Version": "2012-10-17", '
    '"Statement": [{{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": '
    'event["methodArn"]}}]}}, "context": {{"key": "a string, number or boolean"}}}}'
)
_SIMPLE_FIX = 'return {{"isAuthorized": True, "context": {{"key": "value"}}}}'


@dataclass(frozen=True)
class Decision:
    """Whether the request goes on to the function, and what it carries there."""

    allowed: bool
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    #: what the function sees under requestContext.authorizer
    context: dict[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


def identity_values(
    auth: Authorizer, headers: list[tuple[str, str]], query: list[tuple[str, str]]
) -> list[str] | None:
    """The identity sources' values, or None when one is missing (refused with 401)."""
    found = []
    for where, name in auth.identity:
        if where == "header":
            value = next((v for n, v in headers if n.lower() == name.lower()), None)
        else:
            value = next((v for n, v in query if n == name), None)
        if not value:
            return None
        found.append(value)
    return found


def method_arn(api: str, stage: str, method: str, path: str, api_id: str) -> str:
    """The ARN of the method being called, as the authorizer receives it."""
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{stage}/{method}{path}"


def lambda_event(
    auth: Authorizer, api: str, event: dict[str, Any], arn: str, identity: list[str]
) -> dict[str, Any]:
    """The event the Lambda authorizer receives."""
    if auth.kind == "token":
        return {"type": "TOKEN", "authorizationToken": identity[0], "methodArn": arn}
    request = {k: v for k, v in event.items() if k not in ("body", "isBase64Encoded")}
    if api == "http-2.0" or (api.startswith("http") and auth.payload_version == "2.0"):
        return {"version": "2.0", "type": "REQUEST", "routeArn": arn,
                "identitySource": identity, **request}  # fmt: skip
    return {"type": "REQUEST", "methodArn": arn, **request}


def refused(api: str, status: int, findings: tuple[Finding, ...] = ()) -> Decision:
    """API Gateway's own refusal: 401, 403, or 500 for a broken authorizer."""
    if status == 401:
        body = UNAUTHORIZED
    elif status == 403:
        body = FORBIDDEN_REST if api == "rest" else FORBIDDEN_HTTP
    else:
        body = CONFIGURATION_REST if api == "rest" else CONFIGURATION_HTTP
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    if api == "rest":
        kind = {401: "UnauthorizedException", 403: "AccessDeniedException"}.get(
            status, "AuthorizerConfigurationException"
        )
        headers += (("x-amzn-ErrorType", kind),)
    return Decision(False, status, body, headers, findings=findings)


def missing_identity(auth: Authorizer, api: str) -> Decision:
    sources = ", ".join(f"{where} {name}" for where, name in auth.identity) or "none"
    return refused(
        api,
        401,
        (
            finding(
                "GW781",
                authorizer=auth.name,
                reason=f"no {sources} in the request",
                status=401,
                identity=sources,
            ),
        ),
    )


def decide_lambda(
    auth: Authorizer,
    api: str,
    function_error: str | None,
    payload: bytes,
    arn: str,
) -> Decision:
    """API Gateway's reading of a Lambda authorizer's invocation."""
    try:
        result = json_text.loads(payload) if payload else None
    except ValueError:
        return _broken(auth, api, "not JSON")
    if function_error:
        message = result.get("errorMessage") if isinstance(result, dict) else None
        if message == "Unauthorized":  # raise Exception("Unauthorized"): the documented 401
            return _refused(auth, api, 401, "it raised Unauthorized")
        return _broken(auth, api, f"it failed: {str(message)[:200]}")
    if auth.simple_responses:
        return _simple(auth, api, result)
    return _policy(auth, api, result, arn)


def _simple(auth: Authorizer, api: str, result: Any) -> Decision:
    if not isinstance(result, dict) or not isinstance(result.get("isAuthorized"), bool):
        return _broken(auth, api, "no boolean isAuthorized", _SIMPLE_FIX)
    if not result["isAuthorized"]:
        return _refused(auth, api, 403, "isAuthorized is false")
    context = result.get("context") or {}
    return Decision(True, context={"lambda": context if isinstance(context, dict) else {}})


def _policy(auth: Authorizer, api: str, result: Any, arn: str) -> Decision:
    if not isinstance(result, dict):
        return _broken(auth, api, f"a {type(result).__name__}, not an object")
    principal = result.get("principalId")
    document = result.get("policyDocument")
    if api == "rest" and principal in (None, ""):
        return _broken(auth, api, "no principalId")
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        return _broken(auth, api, "no policyDocument.Statement list")
    context = result.get("context") or {}
    if not isinstance(context, dict):
        return _broken(auth, api, "context is not an object")
    nested = [k for k, v in context.items() if isinstance(v, (dict, list))]
    if nested and api == "rest":
        return _broken(auth, api, f"context.{nested[0]} is an object or array")
    effects = [s.get("Effect") for s in statements if _covers(s, arn)]
    if "Deny" in effects:
        return _refused(auth, api, 403, "its policy denies " + arn)
    if "Allow" not in effects:
        return _refused(auth, api, 403, "its policy does not allow " + arn)
    if api == "rest" or api == "http-1.0":
        return Decision(True, context={**context, "principalId": principal})
    return Decision(True, context={"lambda": context})


def _covers(statement: dict[str, Any], arn: str) -> bool:
    actions = statement.get("Action")
    actions = [actions] if isinstance(actions, str) else actions or []
    if not any(fnmatch.fnmatchcase("execute-api:Invoke", str(a)) for a in actions):
        return False
    resources = statement.get("Resource")
    resources = [resources] if isinstance(resources, str) else resources or []
    return any(fnmatch.fnmatchcase(arn, str(r)) for r in resources)


def _refused(auth: Authorizer, api: str, status: int, reason: str) -> Decision:
    sources = ", ".join(f"{where} {name}" for where, name in auth.identity) or "none"
    return refused(
        api,
        status,
        (finding("GW781", authorizer=auth.name, reason=reason, status=status, identity=sources),),
    )


def _broken(auth: Authorizer, api: str, detail: str, fix: str = _POLICY_FIX) -> Decision:
    return refused(
        api, 500, (finding("GW782", authorizer=auth.name, detail=detail, fix=fix.format()),)
    )


def decide_jwt(auth: Authorizer, api: str, token: str, now: float | None = None) -> Decision:
    """A JWT (or Cognito) authorizer: the claims, read from the token without
    verifying its signature (only AWS can)."""
    claims = _claims(token.removeprefix("Bearer ").removeprefix("bearer ").strip())
    if claims is None:
        return _refused(auth, api, 401, "the token is not a JWT")
    expires = claims.get("exp")
    if isinstance(expires, (int, float)) and expires < (now if now is not None else time.time()):
        return _refused(auth, api, 401, "the token has expired")
    if auth.audience:
        audience = claims.get("aud", claims.get("client_id"))
        given = audience if isinstance(audience, list) else [audience]
        if not set(map(str, given)) & set(auth.audience):
            return _refused(auth, api, 401, f"its audience is not one of {list(auth.audience)}")
    note = finding("GW783", authorizer=auth.name, issuer=auth.issuer or "the issuer")
    if auth.kind == "cognito":
        return Decision(True, context={"claims": claims}, findings=(note,))
    scopes = str(claims.get("scope", "")).split() or None
    return Decision(True, context={"jwt": {"claims": claims, "scopes": scopes}}, findings=(note,))


def _claims(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


#: the caller scan pretends to be behind an authorizer: sample values, said as such
SAMPLE_SUBJECT = "00000000-0000-4000-8000-sample000000"


def sample_context(auth: Authorizer, api: str, now: float | None = None) -> dict[str, Any]:
    """What a successful authorizer gives the function, with sample claims built from
    the authorizer's configuration (``scan`` has no real caller to send)."""
    issued = int(now if now is not None else time.time())
    if auth.kind in ("jwt", "cognito"):
        claims: dict[str, Any] = {
            "sub": SAMPLE_SUBJECT,
            "iss": auth.issuer or "https://issuer.example",
            "aud": auth.audience[0] if auth.audience else "sample-client",
            "client_id": auth.audience[0] if auth.audience else "sample-client",
            "token_use": "access" if auth.kind == "jwt" else "id",
            "scope": "openid",
            "username": "sample-user",
            "cognito:username": "sample-user",
            "email": "sample-user@example.com",
            "iat": issued,
            "exp": issued + 3600,
        }
        if auth.kind == "cognito" or api == "rest":
            return {"claims": claims}
        as_text = {k: str(v) for k, v in claims.items()}  # HTTP APIs pass claims as text
        return {"jwt": {"claims": as_text, "scopes": ["openid"]}}
    if auth.kind in ("token", "request"):
        if api == "rest" or auth.payload_version == "1.0":
            return {"principalId": "sample-user"}
        return {"lambda": {}}
    return {}
