"""CORS as API Gateway does it, and what the browser then makes of each answer.

Data in, answers out (no I/O): ``serve`` asks it for preflight answers and extra
headers, ``scan`` and ``check --origin`` for findings.  The behaviour (rules
C1-C3, docs/gateway-rules.md):
- C1 REST: a preflight is answered by the path's OPTIONS method (SAM's ``Cors``
  makes a mock one); a proxy response carries only the headers the function
  returns, so the function must add ``Access-Control-Allow-Origin`` itself.
- C2 HTTP APIs and function URLs with a CORS configuration answer preflights
  themselves (204) and add the headers to responses; without one, a preflight
  is just another request (404, or the function of an ANY route).
- C3 API Gateway's own 4xx/5xx (REST) carry CORS headers only when its gateway
  responses are given them, so a browser sees a CORS error instead of the 502.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from .catalogue import Finding, finding
from .project.model import Cors
from .rules import Verdict

Headers = Sequence[tuple[str, str]]

ALLOW_ORIGIN = "Access-Control-Allow-Origin"


def header(headers: Headers, name: str) -> str | None:
    lowered = name.lower()
    return next((v for n, v in headers if n.lower() == lowered), None)


def cross_origin(headers: Headers) -> str | None:
    """The Origin of a cross-origin browser request (None: same origin, or no browser)."""
    origin = header(headers, "Origin")
    if not origin or origin == "null":
        return origin
    host = header(headers, "Host")
    return None if host and urlsplit(origin).netloc.lower() == host.lower() else origin


def is_preflight(method: str, headers: Headers) -> bool:
    return (
        method.upper() == "OPTIONS"
        and header(headers, "Origin") is not None
        and header(headers, "Access-Control-Request-Method") is not None
    )


def _allowed(cors: Cors, origin: str) -> str | None:
    """The Access-Control-Allow-Origin value for ``origin``, if the settings allow it."""
    if "*" in cors.origins:
        return origin if cors.credentials else "*"
    return origin if origin in cors.origins else None


def preflight_answer(cors: Cors, headers: Headers) -> tuple[int, list[tuple[str, str]], bytes]:
    """What API Gateway answers a preflight with (status, header lines, body)."""
    if not cors.managed:  # REST: the OPTIONS mock's fixed headers, whatever the origin
        return 200, [("Content-Type", "application/json"), *cors.preflight], b""
    origin = header(headers, "Origin") or ""
    allowed = _allowed(cors, origin)
    if allowed is None:
        return 204, [], b""
    lines = [(ALLOW_ORIGIN, allowed)]
    requested = header(headers, "Access-Control-Request-Headers")
    if cors.headers:
        shown = requested if "*" in cors.headers and requested else ",".join(cors.headers)
        lines.append(("Access-Control-Allow-Headers", shown))
    if cors.methods:
        lines.append(("Access-Control-Allow-Methods", ",".join(cors.methods)))
    if cors.max_age is not None:
        lines.append(("Access-Control-Max-Age", str(cors.max_age)))
    if cors.credentials:
        lines.append(("Access-Control-Allow-Credentials", "true"))
    return 204, lines, b""


def response_headers(
    cors: Cors | None, request: Headers, gateway_error: bool
) -> list[tuple[str, str]]:
    """Headers API Gateway adds to an answer: HTTP APIs' configured CORS headers (C2);
    REST's gateway responses' headers on its own errors (C3)."""
    if cors is None:
        return []
    if not cors.managed:
        return list(cors.on_errors) if gateway_error else []
    origin = header(request, "Origin")
    allowed = _allowed(cors, origin) if origin else None
    if allowed is None:
        return []
    lines = [(ALLOW_ORIGIN, allowed)]
    if cors.expose:
        lines.append(("Access-Control-Expose-Headers", ",".join(cors.expose)))
    if cors.credentials:
        lines.append(("Access-Control-Allow-Credentials", "true"))
    return lines


def findings(
    *,
    method: str,
    request: Headers,
    status: int,
    response: Headers,
    gateway_error: bool,
    cause: str,
    cors: Cors | None,
) -> list[Finding]:
    """What the browser will make of this answer, when a browser asked cross-origin."""
    origin = cross_origin(request)
    if not origin:
        return []
    given = header(response, ALLOW_ORIGIN)
    if given in ("*", origin):
        return []
    if is_preflight(method, request):
        why = "" if cors else ": the API has no CORS configuration"
        return [finding("GW773", origin=origin, status=status, why=why)]
    if gateway_error:
        return [finding("GW771", status=status, origin=origin, cause=cause)]
    why = ""
    if cors is not None and not cors.managed:
        why = (
            " (the API's CORS settings only answer preflights: with a Lambda proxy "
            "integration the function's own headers reach the browser)"
        )
    return [finding("GW772", origin=origin, why=why)]


def seen_by_browser(
    verdict: Verdict, method: str, request: Headers, settings: Cors | None, gateway_error: bool
) -> Verdict:
    """The verdict with the CORS headers API Gateway adds, and the findings on what a
    browser will make of it (for ``serve``, ``scan`` and ``check --origin``)."""
    lines = [*verdict.headers, *response_headers(settings, request, gateway_error)]
    found = findings(
        method=method,
        request=request,
        status=verdict.status,
        response=lines,
        gateway_error=gateway_error,
        cause=verdict.errors[0].message if verdict.errors else "see the findings",
        cors=settings,
    )
    return verdict._replace(headers=lines, findings=(*verdict.findings, *found))
