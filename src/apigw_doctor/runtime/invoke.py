"""The one way a function is run, for ``scan``, ``invoke``, ``serve`` and the test client.

A function (``LocalFunction``), a binding (API kind, payload version, method, route,
stage, authorizer) and a client's HTTP request go in; the event API Gateway would
send, the invocation and API Gateway's verdict come out.  The event is always built
from the binding, so a route declared ``GET /watches`` is ``routeKey: "GET
/watches"`` in every command, and the verdict always comes from the rules core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from ..events import HttpRequest, Route, build_event, new_request_id
from ..project.model import Binding, Function
from .environment import Environment, environment_for
from .invocation import Handler, Invocation, LambdaContext, call_handler
from .pool import Job

if TYPE_CHECKING:
    from ..rules import Verdict


@dataclass(frozen=True)
class LocalFunction:
    """A function as the runtime runs it: what the worker imports, and Lambda's
    settings for it."""

    #: Lambda's dotted module under the code folder (``handlers.api:handler``), or
    #: path/to/file.py:function
    target: str
    name: str
    timeout: float = 3.0
    memory_mb: int = 128  # 0: not limited
    runtime: str | None = None  # the template's Runtime (how results are serialised)
    #: what the function sees (template variables, layers); None: Lambda's defaults
    environment: Environment | None = None

    @classmethod
    def of(
        cls,
        function: Function,
        *,
        env_vars: dict[str, dict[str, str]] | None = None,
        timeout: float | None = None,
        memory_mb: int | None = None,
    ) -> LocalFunction:
        """A template's function, with its environment, layers, Timeout and MemorySize."""
        return cls(
            f"{function.module_name}:{function.function_name}",
            function.name,
            function.timeout if timeout is None else timeout,
            function.memory if memory_mb is None else memory_mb,
            function.runtime,
            environment_for(function, overrides=env_vars),
        )

    def with_variables(self, variables: dict[str, str]) -> LocalFunction:
        """The same function, seeing ``variables`` too (mock AWS, placeholder credentials)."""
        if not variables:
            return self
        environment = self.environment or Environment()
        merged = replace(environment, variables={**environment.variables, **variables})
        return replace(self, environment=merged)

    def job(
        self, event: dict[str, Any], *, import_only: bool = False, raw_body: bytes | None = None
    ) -> Job:
        return Job(
            self.target,
            event,
            new_request_id(),
            self.name,
            self.timeout,
            self.environment,
            self.runtime,
            self.memory_mb,
            import_only,
            raw_body,
        )


#: a result at least this large is judged in a step of its own (see invoke_event)
_LARGE = 1024 * 1024

#: the API of a handler named without a template: one resource catches every path
NO_TEMPLATE = "(no template)"


def binding_for(api: str, resource: str | None = None, method: str = "ANY") -> Binding:
    """A binding for a handler named on the command line (no template): every path
    reaches it (``/`` and ``/{proxy+}``), unless a resource is given."""
    return Binding(api, method.upper(), resource or "/{proxy+}", api=NO_TEMPLATE)


def binding_of(bindings: Sequence[Binding], method: str, path: str) -> Binding | None:
    """The binding API Gateway routes ``method path`` to, by its ranking of routes."""
    candidates = [b for b in bindings if route_of(b, path).match(method, path) is not None]
    return max(candidates, key=lambda b: route_of(b, path).specificity, default=None)


class Pool(Protocol):
    """What runs jobs: the worker pool, or one thread of this process (``--debug``)."""

    async def run(self, job: Job, timeout: float) -> Invocation: ...


@dataclass(frozen=True)
class Outcome:
    """One request through the API: what the function got, did and what the client got."""

    event: dict[str, Any]
    invocation: Invocation
    verdict: Verdict


def request_event(
    binding: Binding,
    request: HttpRequest,
    *,
    stage: str | None = None,
    request_id: str | None = None,
    authorizer: dict[str, Any] | None = None,
    stage_variables: dict[str, str] | None = None,
    body: tuple[str, bool] | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends the function for ``request`` on ``binding``
    (``body``: its body and isBase64Encoded, already worked out)."""
    event = build_event(
        binding.kind,
        request,
        route=route_of(binding, request.path),
        stage=stage or binding.stage or None,
        stage_variables=stage_variables,
        binary_media_types=binding.binary_media_types,
        request_id=request_id,
        body=body,
    )
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return event


def route_of(binding: Binding, path: str) -> Route:
    """The route as the API declares it: a catch-all (``/{proxy+}`` with ``/`` beside
    it, HTTP's ``$default``) answers ``/`` as resource ``/``, and keeps its route key."""
    resource = binding.path
    catch_all = binding.kind != "rest" or binding.api == NO_TEMPLATE
    if resource == "/{proxy+}" and path == "/" and catch_all:
        resource = "/"
    return Route(resource, binding.method, binding.route_key or f"{binding.method} {binding.path}")


def judge(
    invocation: Invocation,
    api: str,
    request_headers: Sequence[tuple[str, str]] | None = None,
    binary_media_types: tuple[str, ...] = (),
) -> Verdict:
    """What API Gateway answers for this invocation: the rules core on its payload."""
    from ..rules import evaluate_payload  # imported here: workers never load the rules

    return evaluate_payload(
        invocation.payload,
        api=api,
        request_headers=request_headers,
        binary_media_types=binary_media_types,
        function_error=invocation.function_error,
        lambda_request_id=invocation.request_id,
    )


async def invoke(
    pool: Pool,
    function: LocalFunction,
    binding: Binding,
    request: HttpRequest,
    *,
    stage: str | None = None,
    request_id: str | None = None,
    authorizer: dict[str, Any] | None = None,
    limit: float | None = None,
) -> Outcome:
    """Run ``function`` for ``request`` arriving on ``binding``; ``limit``: stop it
    sooner than its Timeout (scan's own --timeout)."""
    event = request_event(
        binding, request, stage=stage, request_id=request_id, authorizer=authorizer
    )
    return await invoke_event(
        pool, function, event, binding.kind, request.headers, binding.binary_media_types, limit
    )


async def invoke_event(
    pool: Pool,
    function: LocalFunction,
    event: dict[str, Any],
    api: str,
    request_headers: Sequence[tuple[str, str]] = (),
    binary_media_types: tuple[str, ...] = (),
    limit: float | None = None,
    raw_body: bytes | None = None,
) -> Outcome:
    """Run ``function`` with an event given as it is (``invoke --event FILE``);
    ``raw_body``: the UTF-8 of the event's body, when the caller has it."""
    timeout = function.timeout if limit is None else min(limit, function.timeout)
    invocation = await pool.run(function.job(event, raw_body=raw_body), timeout)
    if len(invocation.payload) >= _LARGE:
        await asyncio.sleep(0)  # the loop serves others between reading and judging it
    verdict = judge(invocation, api, request_headers, binary_media_types)
    return Outcome(event, invocation, verdict)


async def load(pool: Pool, function: LocalFunction, timeout: float) -> Invocation:
    """Import the handler without calling it, as Lambda's init phase does."""
    return await pool.run(function.job({}, import_only=True), timeout)


def call(
    handler: Handler,
    function: LocalFunction,
    binding: Binding,
    request: HttpRequest,
    *,
    stage: str | None = None,
    stage_variables: dict[str, str] | None = None,
) -> Outcome:
    """The same, with a handler object called in this process (the test client)."""
    context = LambdaContext(
        function.name, timeout_seconds=function.timeout, memory_limit_in_mb=function.memory_mb
    )
    event = request_event(
        binding,
        request,
        stage=stage,
        request_id=context.aws_request_id,
        stage_variables=stage_variables,
    )
    invocation = call_handler(handler, event, context, function.runtime)
    verdict = judge(invocation, binding.kind, request.headers, binding.binary_media_types)
    return Outcome(event, invocation, verdict)
