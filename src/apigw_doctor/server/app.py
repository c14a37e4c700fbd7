"""The local API Gateway: an ASGI app, a thin layer over events, workers and the
rules core (the rules decide every response; this module only moves bytes)."""

from __future__ import annotations

import asyncio
import base64
import codecs
import contextlib
import gc
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Receive, Scope, Send

from .. import authorizers, cors
from ..catalogue import Finding
from ..events import METHODS, HttpRequest, body_is_binary, new_request_id
from ..project import Cors
from ..project.model import Binding
from ..rules import DEFAULT_LIMITS, Verdict, integration_timeout
from ..runtime import diagnosis
from ..runtime.in_process import InProcessPool
from ..runtime.invocation import Invocation
from ..runtime.invoke import invoke_event, request_event
from ..runtime.pool import WorkerPool, joined
from . import admission
from .inspector import History, page, shown
from .logs import LogWriter, Metrics, execution_lines
from .routes import Endpoint, RouteTable
from .trust import InspectorAccess

PREFIX = "/__apigw-doctor"
#: findings about what API Gateway and the browser do around the function (CORS,
#: authorizers): logged as the tool's own lines, since AWS's execution log has none
_GATEWAY_SIDE = frozenset({"GW771", "GW772", "GW773", "GW781", "GW782", "GW783", "GW784"})
#: API Gateway's own answers, before any function runs
TOO_LARGE = (413, b'{"message":"Request Too Long"}')
NO_ROUTE = {"rest": (403, b'{"message":"Missing Authentication Token"}')}
NO_ROUTE_HTTP = (404, b'{"message":"Not Found"}')
#: bodies past this size are handled in steps, the event loop free between them: no
#: request (up to the 10 MB quota) holds up another for long; the answer goes out in
#: pieces this size
_CHUNK = 1024 * 1024


@dataclass
class ServerConfig:
    routes: RouteTable
    stage: str | None = None
    integration_timeout: float = DEFAULT_LIMITS.integration_timeout_seconds
    workers: int = 2
    log_format: str = "text"
    reload: bool = False
    base: Path = field(default_factory=Path.cwd)
    max_request_bytes: int = DEFAULT_LIMITS.gateway_payload_bytes
    history: int = 200
    #: show credentials in the inspector and the logs (off: masked)
    show_secrets: bool = False
    #: Host names the inspector answers besides loopback's (DNS rebinding guard)
    allow_hosts: tuple[str, ...] = ()
    #: a token the inspector's URL must carry (serve makes one when not on loopback)
    inspector_token: str | None = None
    #: the Python the workers run (the project's); None: apigw-doctor's own
    python: str | None = None
    #: handlers in this process on one thread, without timeouts (``in_process``)
    debug: bool = False
    #: pass the shell's environment variables to handlers (``--inherit-env``)
    inherit_env: bool = False


class LocalGateway:
    """Holds the pool, the history and the counters behind the ASGI app."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool: WorkerPool | InProcessPool = (
            InProcessPool(config.base, inherit_shell=config.inherit_env)
            if config.debug
            else WorkerPool(
                config.workers, config.base, config.python, inherit_shell=config.inherit_env
            )
        )
        self.history = History(config.history)
        self.metrics = Metrics()
        self.logs = LogWriter(
            json_format=config.log_format == "json", redact=not config.show_secrets
        )

    async def handle(self, request: Request) -> Response:
        """One API request, as Starlette hands it over (paths under the inspector's
        prefix that are not the inspector's own)."""
        return _response(*await self._serve(_incoming(request.scope), request.receive))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One API request as plain ASGI: no Request or Response objects on the way."""
        verdict, request_id, api = await self._serve(_incoming(scope), receive)
        await send(
            {
                "type": "http.response.start",
                "status": verdict.status,
                "headers": _raw_headers(verdict, request_id, api),
            }
        )
        body = verdict.body
        if len(body) <= _CHUNK:
            await send({"type": "http.response.body", "body": body})
            return
        view = memoryview(body)  # a large body in pieces: each send waits for the socket
        for start in range(0, len(body), _CHUNK):
            piece = bytes(view[start : start + _CHUNK])
            more = start + _CHUNK < len(body)
            await send({"type": "http.response.body", "body": piece, "more_body": more})

    async def _serve(self, request: _Incoming, receive: Receive) -> tuple[Verdict, str, str]:
        started = time.perf_counter()
        request_id = new_request_id()
        body = await _read_body(request.raw, receive, self.config.max_request_bytes)
        if body and len(body) >= _CHUNK:
            await asyncio.sleep(0)  # a large body: other requests move between its steps
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw]
        path = request.path
        routes = self.config.routes
        preflight = cors.is_preflight(request.method, headers) and routes.cors_for(path)
        if preflight:  # answered by API Gateway (HTTP) or the OPTIONS mock (REST)
            api, settings = preflight
            status, lines, content = cors.preflight_answer(settings, headers)
            verdict = Verdict(api, status, lines, content, False)
            return self._finish(request, request_id, api, None, verdict, started, 0.0, None, None)
        matched = routes.match(request.method, path)
        endpoint, path = matched if matched else (None, path)
        api = endpoint.api if endpoint else routes.default_api
        target = request.raw_path.decode("latin-1") or path
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        oversized = admission.oversized_headers(api, request.method, target, headers)
        if oversized is not None:  # refused at API Gateway's front door
            status, content = admission.TOO_LARGE
            verdict = Verdict(
                api, status, [("Content-Type", "application/json")], content, True, (oversized,)
            )
            return self._finish(request, request_id, api, None, verdict, started, 0.0, None, None)
        if body is None or endpoint is None:
            status, content = TOO_LARGE if body is None else NO_ROUTE.get(api, NO_ROUTE_HTTP)
            verdict = Verdict(api, status, [("Content-Type", "application/json")], content, True)
            note = None if body is None else _no_route(request.method, path, routes)
            return self._finish(
                request, request_id, api, None, verdict, started, 0.0, None, None, note
            )
        client = HttpRequest(
            method=request.method,
            path=path,
            headers=_as_sent(headers) if api == "rest" else headers,
            query=_query(request.query_string),
            body=body,
            source_ip=request.client or "127.0.0.1",
        )
        given: tuple[str, bool] | None = None
        raw: bytes | None = None  # the event body's UTF-8, for the worker
        if len(body) >= _CHUNK:  # decoded or base64-encoded in steps, not in one go
            text, encoded, raw = await _large_body(client, endpoint.binding)
            given = (text, encoded)
        event = request_event(
            endpoint.binding, client, stage=self.config.stage, request_id=request_id, body=given
        )
        if given is not None:
            await asyncio.sleep(0)
        let_through: tuple[Finding, ...] = ()  # what the authorizer could not check
        if endpoint.auth is not None:
            decision = await self._authorize(endpoint, client, event)
            if not decision.allowed:
                verdict = Verdict(
                    api, decision.status, list(decision.headers), decision.body, True,
                    decision.findings,
                )  # fmt: skip
                return self._finish(
                    request, request_id, api, endpoint, verdict, started, 0.0, None, event
                )
            event["requestContext"]["authorizer"] = decision.context
            let_through = decision.findings
        invocation, verdict = await self._invoke(event, endpoint, client, raw)
        if let_through:
            verdict = verdict._replace(findings=(*let_through, *verdict.findings))
        integration_ms = invocation.duration_ms if invocation else 0.0
        note = self._explain(invocation)
        return self._finish(
            request, request_id, api, endpoint, verdict, started, integration_ms, invocation,
            event, note,
        )  # fmt: skip

    def _explain(self, invocation: Invocation | None) -> str | None:
        """Why a failed invocation failed, when the function's error object alone does
        not say how to fix it (a handler that does not import, AWS withheld...)."""
        if invocation is None or not invocation.function_error:
            return None
        if invocation.import_failure is not None:
            unchecked, problem = diagnosis.not_importable(
                invocation, self.config.python or "this Python", templated=True
            )
            return f"the handler does not import: {unchecked or problem}"
        return diagnosis.not_checked(invocation, templated=True)

    async def _authorize(
        self, endpoint: Endpoint, client: HttpRequest, event: dict[str, Any]
    ) -> authorizers.Decision:
        """API Gateway's authorizer step: refuse, or let through with a context."""
        auth = endpoint.auth
        assert auth is not None
        identity = authorizers.identity_values(auth, client.headers, client.query)
        if identity is None:
            return authorizers.missing_identity(auth, endpoint.api)
        if auth.kind in ("jwt", "cognito"):
            return authorizers.decide_jwt(auth, endpoint.api, identity[0])
        function = endpoint.auth_function
        if auth.kind not in ("token", "request") or function is None:
            return authorizers.Decision(True)  # IAM, or an authorizer not in the template
        arn = authorizers.method_arn(
            endpoint.api,
            str(event.get("requestContext", {}).get("stage", "")),
            client.method,
            client.path,
            str(event.get("requestContext", {}).get("apiId", "")),
        )
        authorizer_event = authorizers.lambda_event(auth, endpoint.api, event, arn, identity)
        outcome = await invoke_event(self.pool, function, authorizer_event, endpoint.api)
        invocation = outcome.invocation
        return authorizers.decide_lambda(
            auth, endpoint.api, invocation.function_error, invocation.payload, arn
        )

    async def _invoke(
        self,
        event: dict[str, Any],
        endpoint: Endpoint,
        client: HttpRequest,
        raw_body: bytes | None = None,
    ) -> tuple[Invocation | None, Verdict]:
        # a debugger may hold a request at a breakpoint as long as it likes
        limit = None if self.config.debug else self.config.integration_timeout
        try:
            async with asyncio.timeout(limit):  # not wait_for: no task per request
                outcome = await invoke_event(
                    self.pool,
                    endpoint.function,
                    event,
                    endpoint.api,
                    client.headers,
                    endpoint.binary_media_types,
                    raw_body=raw_body,
                )
        except TimeoutError:
            limits = DEFAULT_LIMITS._replace(
                integration_timeout_seconds=self.config.integration_timeout
            )
            return None, integration_timeout(endpoint.api, limits)
        return outcome.invocation, outcome.verdict

    def _browser(self, request: _Incoming, endpoint: Endpoint | None, verdict: Verdict) -> Verdict:
        """The CORS headers API Gateway adds, and what a browser will make of the answer."""
        raw = request.raw
        if not any(k == b"origin" for k, _ in raw):
            return verdict  # no browser asked across origins: nothing to add or say
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
        settings = endpoint.cors if endpoint else self._cors_of_path(request.path)
        if settings is not None and cors.is_preflight(request.method, headers):
            return verdict  # the preflight answer is complete as it is
        gateway_error = verdict.failed or verdict.status in (401, 403)
        return cors.seen_by_browser(verdict, request.method, headers, settings, gateway_error)

    def _cors_of_path(self, path: str) -> Cors | None:
        """The CORS settings of the API a path belongs to (a request no route took)."""
        found = self.config.routes.cors_for(path)
        return found[1] if found else None

    def _finish(
        self,
        request: _Incoming,
        request_id: str,
        api: str,
        endpoint: Endpoint | None,
        verdict: Verdict,
        started: float,
        integration_ms: float,
        invocation: Invocation | None,
        event: dict[str, Any] | None,
        note: str | None = None,
    ) -> tuple[Verdict, str, str]:
        verdict = self._browser(request, endpoint, verdict)
        latency_ms = (time.perf_counter() - started) * 1000
        self.metrics.record(verdict.status, latency_ms, integration_ms)
        self.metrics.workers_replaced = self.pool.replaced
        lines: list[str] = []
        with self.logs.one_write():  # one system call for all of a request's lines
            found = [f for f in verdict.findings if f.code in _GATEWAY_SIDE]
            if found:
                self.logs.findings(request_id, found)
            if note:
                self.logs.note(request_id, note)
            if invocation is not None and invocation.log and endpoint is not None:
                self.logs.function_output(request_id, endpoint.function_name, invocation.log)
            if api == "rest" and endpoint is not None:
                lines = execution_lines(
                    request_id=request_id,
                    method=request.method,
                    path=request.path,
                    path_parameters=(event or {}).get("pathParameters"),
                    query=(event or {}).get("queryStringParameters"),
                    function_name=endpoint.function_name,
                    integration_status=200 if invocation else None,
                    latency_ms=integration_ms,
                    payload=invocation.payload if invocation else None,
                    verdict_lines=verdict.log_lines,
                )
                self.logs.execution(request_id, lines)
            self.logs.access(
                _access_record(request, request_id, verdict, latency_ms, integration_ms, endpoint)
            )
        self.history.add(
            request_id=request_id,
            method=request.method,
            path=request.path,
            api=api,
            function=endpoint.function_name if endpoint else None,
            duration_ms=latency_ms,
            verdict=verdict,
            event=event,
            function_error=invocation.function_error if invocation else None,
            log_lines=lines,
            function_log=invocation.log if invocation else "",
            note=note,
        )
        return verdict, request_id, api


class _Incoming(NamedTuple):
    """What the gateway reads of an HTTP request, taken straight from the ASGI scope."""

    method: str
    #: the path as Starlette's ``request.url.path`` gives it
    path: str
    #: the headers as the ASGI server hands them over (names lowercased)
    raw: list[tuple[bytes, bytes]]
    query_string: bytes
    #: the request target's path as sent (AWS's header quota counts the request line)
    raw_path: bytes
    #: the client's address, if the server knows it
    client: str | None


#: characters after which Starlette's URL parsing changes a path (escaped or dropped)
_URL_SPECIAL = frozenset("?#\\\t\r\n")


def _incoming(scope: Scope) -> _Incoming:
    path: str = scope["path"]
    if not path.startswith("/") or not _URL_SPECIAL.isdisjoint(path) or scope.get("root_path"):
        path = Request(scope).url.path  # the rare path: exactly what Starlette makes of it
    client = scope.get("client")
    return _Incoming(
        scope["method"],
        path,
        scope["headers"],
        scope.get("query_string", b""),
        scope.get("raw_path") or b"",
        client[0] if client else None,
    )


def _query(query_string: bytes) -> list[tuple[str, str]]:
    """The query's pairs as Starlette's ``query_params.multi_items()`` lists them."""
    if not query_string:
        return []
    return parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)


def _as_sent(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """REST events keep header names as the client wrote them; the ASGI server hands
    them over lowercased, so they get the canonical case browsers and HTTP libraries
    send (``Content-Type``, ``X-Api-Key``): a handler reading
    ``event["headers"]["Content-Type"]`` works here as it does behind AWS."""
    return [("-".join(p.capitalize() for p in name.split("-")), value) for name, value in headers]


def _no_route(method: str, path: str, routes: RouteTable) -> str:
    """What the inspector says of a request no route took (not a verdict on a result)."""
    shown = routes.endpoints[:8]
    known = ", ".join(f"{e.route.method} {e.prefix}{e.route.resource}" for e in shown)
    unsupported = (
        f" ({method} is not a method API Gateway supports: {', '.join(sorted(METHODS))})"
        if method.upper() not in METHODS
        else ""
    )
    return (
        f"no route matched {method} {path}{unsupported}: API Gateway answers this itself, "
        f"no function runs (routes: {known or 'none'})"
    )


async def _read_body(raw: list[tuple[bytes, bytes]], receive: Receive, limit: int) -> bytes | None:
    """The request body, or ``None`` once it passes API Gateway's 10 MB quota."""
    declared = next((v for k, v in raw if k == b"content-length"), None)
    if declared is None and not any(k == b"transfer-encoding" for k, _ in raw):
        return b""  # no body announced: nothing to read
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return await joined(chunks) if size >= _CHUNK else b"".join(chunks)


async def _large_body(client: HttpRequest, binding: Binding) -> tuple[str, bool, bytes]:
    """A large body as the event carries it (text, isBase64Encoded) and its UTF-8,
    worked out a megabyte at a time with the event loop free in between: decoding or
    base64-encoding 10 MB at once held it for 30 to 100 ms.  The same rule and the same
    result as ``build_event``'s (a text body that is not UTF-8 is base64-encoded)."""
    body = client.body
    view = memoryview(body)
    if not body_is_binary(client, binding.binary_media_types, binding.kind):
        decoder = codecs.getincrementaldecoder("utf-8")()
        texts = []
        try:
            for start in range(0, len(body), _CHUNK):
                end = start + _CHUNK
                texts.append(decoder.decode(view[start:end], final=end >= len(body)))
                await asyncio.sleep(0)
        except UnicodeDecodeError:
            pass
        else:
            return "".join(texts), False, body  # the request's bytes are the text's UTF-8
    pieces = []
    step = _CHUNK // 4 * 3  # a multiple of 3: the pieces' base64 joins into the whole's
    for start in range(0, len(body), step):
        pieces.append(base64.b64encode(view[start : start + step]))
        await asyncio.sleep(0)
    encoded = await joined(pieces)
    return encoded.decode("ascii"), True, encoded


def _safe(text: str) -> bytes:
    """A header line's text as bytes: UTF-8, as the verdict reads it (GW415); no line
    breaks (the rules core refuses them in what functions return, GW414)."""
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8", "replace")


def _raw_headers(verdict: Verdict, request_id: str, api: str) -> list[tuple[bytes, bytes]]:
    """The response's header lines: the verdict's, with the length HTTP needs (as
    Starlette's Response sets it) and the request id headers API Gateway adds."""
    status = verdict.status
    raw = []
    if not (status < 200 or status in (204, 304)):
        raw.append((b"content-length", str(len(verdict.body)).encode("latin-1")))
    raw += [
        (_safe(name).lower(), _safe(value))
        for name, value in verdict.headers
        if name.lower() != "content-length"
    ]
    if api == "rest":
        raw += [
            (b"x-amzn-requestid", request_id.encode()),
            (b"x-amz-apigw-id", request_id[:12].encode()),
        ]
    else:
        raw.append((b"apigw-requestid", request_id[:16].encode()))
    return raw


def _response(verdict: Verdict, request_id: str, api: str) -> Response:
    response = Response(content=verdict.body, status_code=verdict.status)
    response.raw_headers = _raw_headers(verdict, request_id, api)
    return response


def _access_record(
    request: _Incoming,
    request_id: str,
    verdict: Verdict,
    latency_ms: float,
    integration_ms: float,
    endpoint: Endpoint | None,
) -> dict[str, Any]:
    errors = [f.message for f in verdict.errors]
    return {
        "requestId": request_id,
        "ip": request.client or "-",
        "httpMethod": request.method,
        "path": request.path,
        "routeKey": endpoint.route.route_key if endpoint else "-",
        "status": verdict.status,
        "responseLatency": round(latency_ms, 2),
        "integrationLatency": round(integration_ms, 2),
        "integrationErrorMessage": errors[0] if errors else "-",
    }


class _Front:
    """API requests go straight to the gateway (Starlette's router and middleware cost
    a quarter of a request here); the inspector and lifespan go through Starlette."""

    def __init__(self, app: Starlette, gateway: LocalGateway) -> None:
        self.app = app
        self.gateway = gateway
        self.state = app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(PREFIX):
            await self.gateway(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(config: ServerConfig) -> _Front:
    """The ASGI app: the inspector under /__apigw-doctor/, the API everywhere else."""
    gateway = LocalGateway(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.pool.start()
        _reuse_freed_memory()
        gc.collect()
        gc.freeze()  # the imported modules and route table: never scanned again
        watcher = asyncio.create_task(_watch(config.base, gateway)) if config.reload else None
        try:
            yield
        finally:
            if watcher:
                watcher.cancel()
            await gateway.pool.stop()

    access = InspectorAccess(config.allow_hosts, config.inspector_token, PREFIX)
    redact = not config.show_secrets

    async def inspector(request: Request) -> Response:
        refusal = access.refusal(request)
        return refusal or access.remember(request, HTMLResponse(page()))

    async def requests_list(request: Request) -> Response:
        if refusal := access.refusal(request):
            return refusal
        summaries = [r.summary() for r in gateway.history.recent()]
        return await shown(summaries, redact)

    async def request_detail(request: Request) -> Response:
        if refusal := access.refusal(request):
            return refusal
        given = request.path_params["id"]  # text: int() of 5,000 digits raises
        record = gateway.history.get(int(given)) if given.isdigit() and len(given) < 19 else None
        if record is None:
            return JSONResponse(
                {"message": "no such request (only recent ones are kept)"}, status_code=404
            )
        return await shown(record.detail(), redact)

    async def metrics(request: Request) -> Response:
        if refusal := access.refusal(request):
            return refusal
        return JSONResponse(gateway.metrics.as_json())

    methods = sorted(METHODS)  # what API Gateway takes; any other matches no route
    app = Starlette(
        routes=[
            StarletteRoute(f"{PREFIX}/", inspector),
            StarletteRoute(f"{PREFIX}/api/requests", requests_list),
            StarletteRoute(f"{PREFIX}/api/requests/{{id}}", request_detail),
            StarletteRoute(f"{PREFIX}/api/metrics", metrics),
            StarletteRoute("/{path:path}", gateway.handle, methods=methods),
        ],
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    return _Front(app, gateway)


#: glibc's mallopt parameters
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def _reuse_freed_memory() -> None:
    """Large bodies in the gateway's memory come from reused pages, not fresh ones.

    glibc gives every block over 128 KB its own mapping and unmaps it when freed, so
    each copy of a large body (read, decoded, base64-encoded, sent) touched new pages:
    on a VM a page fault costs microseconds, and a 13 MB copy took 9-25 ms of the
    event loop instead of 2.  Blocks up to 32 MB (glibc's ceiling; the 10 MB quota
    base64-encoded is 13.3 MB) now come from the heap, which keeps up to 64 MB free
    between requests.  Other C libraries (macOS, musl) are left as they are."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 64 * 1024 * 1024)


def _sources(base: Path) -> Iterable[Path]:
    return (p for p in base.rglob("*.py") if ".venv" not in p.parts and "venv" not in p.parts)


async def _watch(base: Path, gateway: LocalGateway, interval: float = 1.0) -> None:
    """``--reload``: new workers whenever a .py file under ``base`` changes."""

    def snapshot() -> dict[Path, float]:
        return {p: p.stat().st_mtime for p in _sources(base) if p.exists()}

    before = await asyncio.to_thread(snapshot)
    while True:
        await asyncio.sleep(interval)
        now = await asyncio.to_thread(snapshot)
        if now != before:
            before = now
            gateway.logs.access({"event": "reload", "reason": "source changed"})
            await gateway.pool.restart()
