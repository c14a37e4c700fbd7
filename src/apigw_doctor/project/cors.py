"""CORS settings as templates write them, read into one ``Cors`` shape.

SAM's ``Cors`` arrives (after AWS's translator) as an OPTIONS mock method per
path whose integration response sets the headers; ``CorsConfiguration`` of an
HTTP API as ``x-amazon-apigateway-cors``; a function URL's ``Cors`` as a
property; serverless.yml as ``cors: true`` or an object.  REST gateway
responses (``x-amazon-apigateway-gateway-responses`` or
``AWS::ApiGateway::GatewayResponse``) decide whether API Gateway's own 5xx
carry CORS headers.
"""

from __future__ import annotations

from typing import Any

from .model import Cors

_HEADER_PARAMETER = "method.response.header."
#: serverless.yml's `cors: true` for REST endpoints (the framework's documented default)
_SERVERLESS_HEADERS = (
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
)
#: gateway response types whose headers cover API Gateway's own 5xx for a proxy call
_ERROR_RESPONSES = ("DEFAULT_5XX", "INTEGRATION_FAILURE")


def _unquote(value: Any) -> str:
    """Mapping values are quoted literals: ``"'*'"`` -> ``*``."""
    text = str(value).strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def _items(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return ()


def _get(config: dict[str, Any], *names: str) -> Any:
    """A key in any of the spellings templates use (allowOrigins, AllowOrigins)."""
    lowered = {str(k).lower(): v for k, v in config.items()}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def options_mock_headers(operation: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The header lines an OPTIONS mock integration answers with (REST, SAM's Cors)."""
    integration = operation.get("x-amazon-apigateway-integration") or {}
    if str(integration.get("type", "")).lower() != "mock":
        return ()
    responses: dict[str, Any] = integration.get("responses") or {}
    default: Any = responses.get("default") or next(iter(responses.values()), {})
    parameters = (default.get("responseParameters") or {}) if isinstance(default, dict) else {}
    return tuple(
        (str(key)[len(_HEADER_PARAMETER) :], _unquote(value))
        for key, value in parameters.items()
        if str(key).startswith(_HEADER_PARAMETER)
    )


def error_headers(responses: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Headers REST adds to its own 5xx, from gateway responses keyed by type."""
    for kind in _ERROR_RESPONSES:
        response = responses.get(kind)
        if isinstance(response, dict):
            parameters = _get(response, "responseParameters") or {}
            return tuple(
                (str(key)[len("gatewayresponse.header.") :], _unquote(value))
                for key, value in parameters.items()
                if str(key).lower().startswith("gatewayresponse.header.")
            )
    return ()


def rest(preflight: tuple[tuple[str, str], ...], on_errors: tuple[tuple[str, str], ...]) -> Cors:
    """REST's CORS: what its OPTIONS mock says (origins, methods, headers)."""
    found = {name.lower(): value for name, value in preflight}
    return Cors(
        managed=False,
        origins=_items(found.get("access-control-allow-origin", "")),
        methods=_items(found.get("access-control-allow-methods", "")),
        headers=_items(found.get("access-control-allow-headers", "")),
        max_age=_int(found.get("access-control-max-age")),
        credentials=found.get("access-control-allow-credentials", "").lower() == "true",
        preflight=preflight,
        on_errors=on_errors,
    )


def managed(config: Any) -> Cors | None:
    """An HTTP API's or function URL's CORS configuration (any spelling)."""
    if not isinstance(config, dict):
        return None
    return Cors(
        managed=True,
        origins=_items(_get(config, "allowOrigins", "AllowOrigins", "AllowOrigin")) or (),
        methods=_items(_get(config, "allowMethods", "AllowMethods")) or (),
        headers=_items(_get(config, "allowHeaders", "AllowHeaders")),
        expose=_items(_get(config, "exposeHeaders", "ExposeHeaders")),
        max_age=_int(_get(config, "maxAge", "MaxAge")),
        credentials=bool(_get(config, "allowCredentials", "AllowCredentials")),
    )


def serverless(value: Any, kind: str) -> Cors | None:
    """serverless.yml's ``cors: true`` / ``cors: {origin, headers, ...}``."""
    if not value:
        return None
    config = value if isinstance(value, dict) else {}
    if kind != "rest":  # provider.httpApi.cors: the API answers preflights itself
        return managed(
            {
                "allowOrigins": config.get("allowedOrigins") or ["*"],
                "allowMethods": config.get("allowedMethods") or ["*"],
                "allowHeaders": config.get("allowedHeaders") or list(_SERVERLESS_HEADERS),
                "exposeHeaders": config.get("exposedResponseHeaders") or [],
                "maxAge": config.get("maxAge"),
                "allowCredentials": config.get("allowCredentials", False),
            }
        )
    origins = config.get("origins") or config.get("origin") or "*"
    preflight = (
        ("Access-Control-Allow-Origin", ",".join(_items(origins))),
        ("Access-Control-Allow-Headers", ",".join(_items(config.get("headers")))
         or ",".join(_SERVERLESS_HEADERS)),
        ("Access-Control-Allow-Methods", "OPTIONS,GET,POST,PUT,PATCH,DELETE"),
    )  # fmt: skip
    return rest(preflight, ())


def local(origins: str, kind: str) -> Cors:
    """``serve --cors ORIGINS`` without a template: what SAM's ``Cors: ORIGINS`` (REST)
    or a ``CorsConfiguration`` (HTTP APIs) would configure."""
    if kind == "rest":
        return rest(
            (
                ("Access-Control-Allow-Origin", origins),
                ("Access-Control-Allow-Headers", ",".join(_SERVERLESS_HEADERS)),
                ("Access-Control-Allow-Methods", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"),
            ),
            (),
        )
    return managed(
        {"allowOrigins": _items(origins), "allowMethods": ["*"], "allowHeaders": ["*"]}
    ) or Cors(managed=True)


def _int(value: Any) -> int | None:
    try:
        return int(str(_unquote(value)))
    except (TypeError, ValueError):
        return None
