"""Building the events API Gateway sends to Lambda, for every API kind.

One event builder for the test client, ``invoke``, ``scan`` and the local
gateway, so all of them hand handlers the same shapes AWS does: payload 1.0
(REST and HTTP APIs) and payload 2.0 (HTTP APIs, function URLs).
"""

from __future__ import annotations

import base64
import functools
import os
import random
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote

ACCOUNT_ID = "123456789012"
API_ID = "apigwdoctor"
REGION = "us-east-1"
#: a function URL's id and host (the URL is https://<id>.lambda-url.<region>.on.aws/)
URL_ID = "apigwdoctorurl0000000000000000000"

#: the methods API Gateway supports (what ``ANY`` stands for); TRACE, CONNECT and
#: custom methods reach no route, whatever the API declares
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

# Media types HTTP APIs pass as text; anything else arrives base64-encoded.
_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|xml|javascript|x-www-form-urlencoded|.*\+json|.*\+xml))$"
)


@dataclass(frozen=True)
class HttpRequest:
    """A client's request, before API Gateway turns it into an event."""

    method: str
    path: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    @classmethod
    def from_target(cls, method: str, target: str, **kwargs: Any) -> HttpRequest:
        """A request from ``METHOD /path?a=1`` as a user writes it."""
        path, _, raw_query = target.partition("?")
        query = parse_qsl(raw_query, keep_blank_values=True)
        return cls(method.upper(), path or "/", query=query + kwargs.pop("query", []), **kwargs)

    def header(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return ",".join(values) if values else None


@dataclass(frozen=True)
class Route:
    """A resource (``/items/{id}``, ``/{proxy+}``) and the method it answers."""

    resource: str
    method: str = "ANY"
    #: the route key as the API declares it (``$default``); empty: METHOD resource
    key: str = ""

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters when ``method path`` falls on this route."""
        verb = method.upper()
        if self.method in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD"):
            if verb not in METHODS:  # ANY is any method API Gateway supports, no other
                return None
        elif self.method != verb:
            return None
        found = _route_pattern(self.resource).fullmatch(path)
        return None if found is None else found.groupdict()

    @property
    def route_key(self) -> str:
        return self.key or f"{self.method} {self.resource}"

    @property
    def specificity(self) -> tuple[int, int, int]:
        """How API Gateway ranks routes a path falls on: literal segments beat
        {params}, which beat {greedy+}; exact methods beat ANY."""
        segments = self.resource.strip("/").split("/")
        literal = sum(1 for s in segments if not s.startswith("{"))
        greedy = any(s.endswith("+}") for s in segments)
        return (0 if greedy else 1, literal, 0 if self.method == "ANY" else 1)


@functools.lru_cache(maxsize=1024)
def _route_pattern(resource: str) -> re.Pattern[str]:
    parts = []
    for segment in resource.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"(?P<{_group(segment[1:-2])}>.+)")
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append(f"(?P<{_group(segment[1:-1])}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("/" + "/".join(parts) if parts != [""] else "/")


def _group(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(f"path parameter {{{name}}} must be a plain name")
    return name


def build_event(
    api: str,
    request: HttpRequest,
    *,
    route: Route | None = None,
    stage: str | None = None,
    stage_variables: dict[str, str] | None = None,
    binary_media_types: tuple[str, ...] = (),
    request_id: str | None = None,
    now: float | None = None,
    body: tuple[str, bool] | None = None,
) -> dict[str, Any]:
    """The event a Lambda proxy integration receives for ``request``; ``body``: the
    event's body and isBase64Encoded when the caller has worked them out already (the
    gateway does, in steps, for a large body: see ``body_is_binary``)."""
    path_parameters = route.match(request.method, request.path) if route else None
    call = _Call(
        request,
        route,
        stage,
        stage_variables,
        path_parameters,
        request_id or new_request_id(),
        time.time() if now is None else now,
        body,
    )
    request = with_gateway_headers(request, call.request_id, api, call.now)
    call = call._replace(request=request)
    if api == "function-url":
        return _event_function_url(
            call._replace(stage="$default", route=None, path_parameters=None, stage_variables=None)
        )
    if api == "http-2.0":
        return _event_v2(call._replace(stage=stage or "$default"))
    version = "1.0" if api == "http-1.0" else None
    text, encoded = _event_body(request, binary_media_types, api, body)
    default_stage = "prod" if version is None else "$default"
    return _event_v1(call._replace(stage=stage or default_stage), text, encoded, version)


#: request ids need to be unique, not secret: a generator seeded once from the OS
#: instead of ``uuid4``'s system call per id (serve made two per request)
_IDS = random.Random(os.urandom(32))
_VERSION_4 = ~(0xF000 << 64 | 0xC000 << 48)
_V4_BITS = 0x4000 << 64 | 0x8000 << 48


def new_request_id() -> str:
    """A random (version 4) UUID, as Lambda and API Gateway make request ids."""
    h = f"{_IDS.getrandbits(128) & _VERSION_4 | _V4_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def domain_name(api: str) -> str:
    """The host name the client called: an execute-api or a lambda-url domain."""
    if api == "function-url":
        return f"{URL_ID}.lambda-url.{REGION}.on.aws"
    return f"{API_ID}.execute-api.{REGION}.amazonaws.com"


def with_gateway_headers(
    request: HttpRequest, request_id: str, api: str, now: float
) -> HttpRequest:
    """The request as the handler sees it: with the headers the gateway adds.

    Handlers read ``Host``, ``X-Forwarded-For`` and the trace id; an event
    without them made correct handlers fail in ``scan``.  A client's own
    ``X-Forwarded-For`` is kept with the caller's address appended, as API
    Gateway appends it (the last entry is the one to trust; ``sourceIp`` is the
    TCP peer, never a client-supplied entry).
    """
    headers = _forwarded_for(request.headers, request.source_ip)
    present = {name.lower() for name, _ in headers}
    trace = "Root=1-{:08x}-{}".format(int(now), request_id.replace("-", "")[:24])
    added = [
        ("Host", domain_name(api)),
        ("X-Amzn-Trace-Id", trace),
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ]
    extra = [(name, value) for name, value in added if name.lower() not in present]
    if not extra and headers is request.headers:
        return request
    return replace(request, headers=[*headers, *extra])


def _forwarded_for(headers: list[tuple[str, str]], peer: str) -> list[tuple[str, str]]:
    """The client's X-Forwarded-For lines, as one with the peer appended."""
    sent = [value for name, value in headers if name.lower() == "x-forwarded-for"]
    if not sent:
        return headers
    chain = ", ".join([*(v.strip() for v in sent if v.strip()), peer])
    result: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() != "x-forwarded-for":
            result.append((name, value))
        elif chain:  # the first line takes the whole chain, the others go
            result.append((name, chain))
            chain = ""
    return result


class _Call(NamedTuple):
    """What both event formats are built from: one request, on one route and stage."""

    request: HttpRequest
    route: Route | None
    stage: str | None
    stage_variables: dict[str, str] | None
    path_parameters: dict[str, str] | None
    request_id: str
    now: float
    #: the body and isBase64Encoded, worked out by the caller (None: from the request)
    body: tuple[str, bool] | None = None


def body_is_binary(request: HttpRequest, binary_media_types: tuple[str, ...], api: str) -> bool:
    """Whether the event carries this body base64-encoded by its media type: REST APIs
    base64 a binary media type, HTTP APIs (and function URLs) all but text types.  A
    body that is not UTF-8 is base64-encoded whatever its type."""
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if api == "rest":
        from .rules import accept_matches  # the same matching rule as responses

        return accept_matches(content_type or None, binary_media_types)
    return not _TEXT_TYPES.match(content_type)


def _event_body(
    request: HttpRequest,
    binary_media_types: tuple[str, ...],
    api: str,
    given: tuple[str, bool] | None = None,
) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    if given is not None:
        return given
    binary = body_is_binary(request, binary_media_types, api)
    if not binary:
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _request_time(now: float) -> str:
    return _second_text(int(now))


@functools.lru_cache(maxsize=4)
def _second_text(second: int) -> str:
    """The request time's text, made once per second (every request in it has it)."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))


def _event_v1(call: _Call, body: str | None, encoded: bool, version: str | None) -> dict[str, Any]:
    resource = call.route.resource if call.route else call.request.path
    headers = call.request.headers
    path, context_path = call.request.path, f"/{call.stage}{call.request.path}"
    if version is not None:  # HTTP APIs lowercase every header name, payload 1.0 too
        headers = [(name.lower(), value) for name, value in headers]
        path = context_path = _staged(call)
    multi_headers = _multi(headers)
    multi_query = _multi(call.request.query)
    event: dict[str, Any] = {
        "resource": resource,
        "path": path,
        "httpMethod": call.request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": call.path_parameters or None,
        "stageVariables": call.stage_variables or None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": resource,
            "httpMethod": call.request.method,
            "extendedRequestId": call.request_id[:16],
            "requestTime": _request_time(call.now),
            "path": context_path,
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": call.stage,
            "domainPrefix": API_ID,
            "requestTimeEpoch": int(call.now * 1000),
            "requestId": call.request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": call.request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": call.request.header("user-agent"),
                "user": None,
            },
            "domainName": domain_name("rest"),
            "apiId": API_ID,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }
    if version:
        event = {"version": version, **event}
    return event


def _staged(call: _Call) -> str:
    """An HTTP API's request path as its events carry it: a named stage is the first
    segment of the URL and stays in the path (``/dev/items``, both payload versions);
    the ``$default`` stage is served at the root and is in no path. (REST APIs strip
    the stage from ``path`` and keep it only in ``requestContext.path``.)"""
    if call.stage in (None, "", "$default"):
        return call.request.path
    return f"/{call.stage}{call.request.path}"


def _event_v2(call: _Call) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in call.request.headers:
        if name.lower() == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query: dict[str, str] = {}
    for name, value in call.request.query:
        query[name] = f"{query[name]},{value}" if name in query else value
    body, encoded = _event_body(call.request, (), "http-2.0", call.body)
    route_key = call.route.route_key if call.route else "$default"
    path = _staged(call)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "&".join(f"{quote(k)}={quote(v)}" for k, v in call.request.query),
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": domain_name("http-2.0"),
            "domainPrefix": API_ID,
            "http": {
                "method": call.request.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": call.request.source_ip,
                "userAgent": call.request.header("user-agent") or "",
            },
            "requestId": call.request_id,
            "routeKey": route_key,
            "stage": call.stage,
            "time": _request_time(call.now),
            "timeEpoch": int(call.now * 1000),
        },
        "isBase64Encoded": encoded,
    }
    optional = {
        "cookies": cookies,
        "queryStringParameters": query,
        "pathParameters": call.path_parameters,
        "stageVariables": call.stage_variables,
        "body": body,
    }
    event.update({k: v for k, v in optional.items() if v})
    return event


def _event_function_url(call: _Call) -> dict[str, Any]:
    """Payload 2.0 as a function URL sends it: no routes, no stage variables, its own host."""
    event = _event_v2(call)
    context = event["requestContext"]
    context.update(
        {"apiId": URL_ID, "domainName": domain_name("function-url"), "domainPrefix": URL_ID}
    )
    return event
