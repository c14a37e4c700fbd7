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
from dataclasses import dataclass, field, replace
from typing import Any

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
        result = json.loads(payload) if payload else None
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


#: AWS: "Currently, only RSA-based algorithms are supported" (HTTP API JWT authorizers)
_RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
#: the one error_description AWS documents word for word (troubleshooting JWT authorizers)
_BAD_AUDIENCE = "the token does not have a valid audience"


@dataclass(frozen=True)
class _Token:
    """A JWT split into its decoded parts (the signature is kept as text, unchecked)."""

    header: dict[str, Any]
    claims: dict[str, Any]


def decide_jwt(auth: Authorizer, api: str, token: str, now: float | None = None) -> Decision:
    """A JWT (or Cognito) authorizer, checked as API Gateway checks it, except for the
    signature (the issuer's keys cannot be fetched offline): the token's shape and
    algorithm, then ``kid``, ``iss``, ``aud``/``client_id``, ``exp``, ``nbf``, ``iat``
    and the route's scopes (developer guide, "Control access to HTTP APIs with JWT
    authorizers").  A refusal is 401 with AWS's ``www-authenticate`` challenge."""
    now = time.time() if now is None else now
    raw = token.strip()
    if raw[:7].lower() == "bearer ":
        raw = raw[7:].strip()
    parsed = _parse_jwt(raw)
    if isinstance(parsed, str):
        return _invalid_token(auth, api, parsed)
    problem = _claims_problem(auth, parsed, now)
    if problem is not None:
        return _invalid_token(auth, api, problem)
    claims = parsed.claims
    granted = _scopes(claims)
    if auth.scopes and not set(granted) & set(auth.scopes):
        return _insufficient_scope(auth, api, granted)
    note = finding("GW783", authorizer=auth.name, issuer=auth.issuer or "the issuer")
    if auth.kind == "cognito":
        return Decision(True, context={"claims": claims}, findings=(note,))
    as_text = {name: _claim_text(value) for name, value in claims.items()}
    return Decision(
        True, context={"jwt": {"claims": as_text, "scopes": granted or None}}, findings=(note,)
    )


def _claim_text(value: Any) -> str:
    """A claim as HTTP APIs pass it to the function: always text (``"exp":
    "1787996002"``; a list as ``[admin users]``, as AWS writes Cognito groups)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_claim_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _parse_jwt(raw: str) -> _Token | str:
    """The token's header and claims, or why API Gateway cannot decode it."""
    parts = raw.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        return "the token is not a JWT (three base64url parts separated by dots)"
    header, claims = _segment(parts[0]), _segment(parts[1])
    if header is None or claims is None:
        return "the token is malformed (a part is not a base64url-encoded JSON object)"
    algorithm = header.get("alg")
    if algorithm not in _RSA_ALGORITHMS:
        return (
            f"the token's algorithm is {json.dumps(algorithm)}; API Gateway accepts only "
            "RSA-signed tokens (RS256...)"
        )
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        return "the token's header has no kid, so no key of the issuer can match it"
    return _Token(header, claims)


def _segment(part: str) -> dict[str, Any] | None:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error):
        return None
    return value if isinstance(value, dict) else None


def _claims_problem(auth: Authorizer, token: _Token, now: float) -> str | None:
    """The first claim API Gateway would refuse, in its documented order."""
    claims = token.claims
    if auth.issuer and claims.get("iss") != auth.issuer:
        shown = json.dumps(claims.get("iss")) if "iss" in claims else "missing"
        return f"the token's issuer (iss) is {shown}, not {auth.issuer}"
    if auth.audience:
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        given = audience if isinstance(audience, list) else [audience]
        if not {str(a) for a in given if a is not None} & set(auth.audience):
            return _BAD_AUDIENCE
    for name, refused_when, wording in _TIMES:
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"the token's {name} is {json.dumps(value)}, not a number of seconds"
        if refused_when(value, now):
            return wording
    return None


#: the time claims: (claim, refused when (claim, now), why), as AWS checks them
_TIMES: tuple[tuple[str, Any, str], ...] = (
    ("exp", lambda value, now: value <= now, "the token has expired (exp is past)"),
    ("nbf", lambda value, now: value > now, "the token is not valid yet (nbf is in the future)"),
    ("iat", lambda value, now: value > now, "the token was issued in the future (iat)"),
)


def _scopes(claims: dict[str, Any]) -> list[str]:
    """The token's scopes: ``scope`` (space-separated) or ``scp`` (a list, or text)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [str(v) for v in value]
    return []


def _invalid_token(auth: Authorizer, api: str, reason: str) -> Decision:
    decision = _refused(auth, api, 401, reason)
    if api == "rest":
        return decision  # REST (Cognito user pools): no challenge header is documented
    described = reason.replace('"', "'")  # a quoted-string holds no bare quote
    challenge = f'Bearer scope="" error="invalid_token" error_description="{described}"'
    return replace(decision, headers=(*decision.headers, ("www-authenticate", challenge)))


def _insufficient_scope(auth: Authorizer, api: str, granted: list[str]) -> Decision:
    """A valid token without one of the route's scopes: refused (HTTP APIs: 403, the
    OAuth answer for a missing scope; REST: 401; AWS documents only that the request
    is denied)."""
    wanted = " ".join(auth.scopes)
    reason = (
        f"the token's scopes ({' '.join(granted) or 'none'}) include none of the route's "
        f"authorization scopes ({wanted})"
    )
    if api == "rest":  # Cognito user pools on REST: the token is not valid for the method
        return _refused(auth, api, 401, reason)
    decision = _refused(auth, api, 403, reason)
    challenge = (
        f'Bearer scope="{wanted}" error="insufficient_scope" '
        f'error_description="expected scopes: [{wanted}]"'
    )
    return replace(decision, headers=(*decision.headers, ("www-authenticate", challenge)))


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
        as_text = {k: _claim_text(v) for k, v in claims.items()}  # HTTP APIs: text
        return {"jwt": {"claims": as_text, "scopes": ["openid"]}}
    if auth.kind in ("token", "request"):
        if api == "rest" or auth.payload_version == "1.0":
            return {"principalId": "sample-user"}
        return {"lambda": {}}
    return {}
