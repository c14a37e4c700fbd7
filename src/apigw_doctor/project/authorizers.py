"""Authorizers as templates write them, read into one ``Authorizer`` shape.

OpenAPI security schemes (SAM's output: ``x-amazon-apigateway-authorizer`` of
type token, request or jwt), ``AWS::ApiGateway::Authorizer`` and
``AWS::ApiGatewayV2::Authorizer`` resources (CDK), and serverless.yml's
``authorizer`` settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .model import Authorizer

#: method.request.header.Authorization, $request.header.Authorization, route.request...
_SOURCE = re.compile(
    r"(?:method\.request|\$request|route\.request|\$method\.request)\.(header|querystring)\.(.+)",
    re.I,
)


def identity(value: Any) -> tuple[tuple[str, str], ...]:
    """Identity sources as (where, name): ("header", "Authorization")."""
    sources = value if isinstance(value, list) else str(value or "").split(",")
    found = []
    for source in sources:
        match = _SOURCE.fullmatch(str(source).strip())
        if match:
            where = "header" if match.group(1).lower() == "header" else "query"
            found.append((where, match.group(2)))
    return tuple(found)


def from_scheme(
    name: str, scheme: dict[str, Any], function_of: Callable[[Any], str | None]
) -> Authorizer | None:
    """One OpenAPI security scheme, or None when it is not API Gateway's."""
    config = scheme.get("x-amazon-apigateway-authorizer")
    if not isinstance(config, dict):
        if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
            return Authorizer(name, "iam")
        return None
    kind = str(config.get("type", "")).lower()
    if kind == "cognito_user_pools":
        return Authorizer(name, "cognito", identity=(("header", "Authorization"),))
    if kind == "jwt":
        return _jwt(name, config.get("identitySource"), config.get("jwtConfiguration"))
    sources = identity(config.get("identitySource"))
    if kind == "token" and not sources:  # the scheme's own header (Swagger apiKey)
        sources = (("header", str(scheme.get("name") or "Authorization")),)
    return Authorizer(
        name,
        "token" if kind == "token" else "request",
        function_of(config.get("authorizerUri")),
        sources,
        str(config.get("authorizerPayloadFormatVersion") or "1.0"),
        bool(config.get("enableSimpleResponses")),
    )


def from_resource(
    name: str, kind: str, props: dict[str, Any], function_of: Callable[[Any], str | None]
) -> Authorizer:
    """``AWS::ApiGateway::Authorizer`` or ``AWS::ApiGatewayV2::Authorizer``."""
    if kind == "AWS::ApiGateway::Authorizer":
        type_ = str(props.get("Type", "TOKEN")).lower()
        if type_ == "cognito_user_pools":
            return Authorizer(name, "cognito", identity=identity(props.get("IdentitySource")))
        return Authorizer(
            name,
            "token" if type_ == "token" else "request",
            function_of(props.get("AuthorizerUri")),
            identity(props.get("IdentitySource")) or (("header", "Authorization"),),
        )
    type_ = str(props.get("AuthorizerType", "REQUEST")).lower()
    if type_ == "jwt":
        return _jwt(name, props.get("IdentitySource"), props.get("JwtConfiguration"))
    return Authorizer(
        name,
        "request",
        function_of(props.get("AuthorizerUri")),
        identity(props.get("IdentitySource")),
        str(props.get("AuthorizerPayloadFormatVersion") or "1.0"),
        bool(props.get("EnableSimpleResponses")),
    )


def _jwt(name: str, source: Any, settings: Any) -> Authorizer:
    """A JWT authorizer (``jwtConfiguration`` in OpenAPI, ``JwtConfiguration`` in
    CloudFormation: the same keys, capitalised)."""
    config = {str(k).lower(): v for k, v in (settings or {}).items()}
    issuer = config.get("issuer")
    audience = config.get("audience") or []
    audience = audience if isinstance(audience, list) else [audience]
    return Authorizer(
        name,
        "jwt",
        identity=identity(source or "$request.header.Authorization"),
        # a value the template computes (!Sub, !Ref a parameter) is not known here: not
        # checked, rather than compared with the expression's text and every token refused
        issuer=issuer if isinstance(issuer, str) else "",
        audience=tuple(audience) if all(isinstance(a, str) for a in audience) else (),
    )


def with_scopes(auth: Authorizer | None, scopes: Any) -> Authorizer | None:
    """The authorizer as one route uses it: with the scopes the route requires
    (OpenAPI ``security: [{Jwt: [scope]}]``, ``AuthorizationScopes``, serverless
    ``scopes``)."""
    if auth is None or not isinstance(scopes, list) or not scopes:
        return auth
    if not all(isinstance(s, str) for s in scopes):  # one computed by the template (!Sub):
        return auth  # the route's scopes are not known here, so none is required
    return replace(auth, scopes=tuple(scopes))
