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
    return Authorizer(
        name,
        "jwt",
        identity=identity(source or "$request.header.Authorization"),
        issuer=str(config.get("issuer", "")),
        audience=tuple(str(a) for a in config.get("audience") or ()),
    )


def with_scopes(auth: Authorizer | None, scopes: Any) -> Authorizer | None:
    """The authorizer as one route uses it: with the scopes the route requires
    (OpenAPI ``security: [{Jwt: [scope]}]``, ``AuthorizationScopes``, serverless
    ``scopes``)."""
    if auth is None or not isinstance(scopes, list) or not scopes:
        return auth
    return replace(auth, scopes=tuple(str(s) for s in scopes if isinstance(s, (str, int))))
