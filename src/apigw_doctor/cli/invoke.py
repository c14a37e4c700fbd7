"""``apigw-doctor event`` and ``apigw-doctor invoke``: events like API Gateway's,
and one local invocation of a handler judged by the rules core."""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import click

from ..environment import environment_for
from ..events import HttpRequest, Route, build_event
from ..in_process import InProcessPool
from ..project import Binding, Function, TemplateError, load_project, load_template
from ..project.inline import materialise
from ..runtime import Invocation, verdict_of
from ..workers import Job, WorkerPool
from ._inputs import parse_header, read_input, split_list
from ._options import (
    api_option,
    binary_media_types_option,
    body_option,
    env_vars_option,
    format_option,
    handlers_python,
    header_option,
    parse_overrides,
    python_option,
    read_env_vars,
    resource_option,
    template_options,
)
from ._render import emit_verdict


def _request(method: str, path: str, headers: tuple[str, ...], body: str | None) -> HttpRequest:
    data = b""
    if body is not None:
        data = read_input(body[1:]) if body.startswith("@") else body.encode("utf-8")
    if not path.startswith("/"):
        raise click.BadParameter(f"{path!r} must start with '/'", param_hint="PATH")
    return HttpRequest.from_target(
        method, path, headers=[parse_header(h) for h in headers], body=data
    )


@click.command()
@api_option()
@click.argument("method")
@click.argument("path")
@header_option()
@body_option()
@resource_option()
@click.option("--stage", help="Stage name (default: prod for REST, $default for HTTP APIs).")
@binary_media_types_option("REST binaryMediaTypes: a matching Content-Type arrives base64-encoded.")
def event(
    api: str,
    method: str,
    path: str,
    headers: tuple[str, ...],
    body: str | None,
    resource: str | None,
    stage: str | None,
    binary_media_types: str | None,
) -> None:
    """Print the event API Gateway sends for METHOD PATH (like `sam local generate-event`).

    \b
    Examples:
      apigw-doctor event GET '/items/42?expand=1' --resource '/items/{id}'
      apigw-doctor event --api http-2.0 POST /orders -d '{"n": 1}' \\
        -H 'Content-Type: application/json'
    """
    request = _request(method, path, headers, body)
    built = build_event(
        api,
        request,
        route=Route(resource) if resource else None,
        stage=stage,
        binary_media_types=split_list(binary_media_types),
    )
    click.echo(json.dumps(built, indent=2))


@click.command(name="invoke")
@click.argument("target")
@click.argument("method", required=False)
@click.argument("path", required=False)
@api_option("The API kind in front of the function (default: its template's, else rest).", None)
@click.option("--event", "event_file", metavar="FILE", help="Use this event (JSON; - for stdin).")
@header_option()
@body_option()
@resource_option()
@binary_media_types_option()
@click.option(
    "--timeout",
    type=float,
    help="The function's timeout, seconds (default: its template's, else 3).",
)
@click.option(
    "--memory",
    type=click.IntRange(min=0),
    help="The function's MemorySize, MB: more resident memory ends it as Lambda does "
    "(default: its template's, else 128; 0: no limit).",
)
@template_options
@env_vars_option()
@click.option(
    "--debug",
    is_flag=True,
    help="Run the handler in this process (no worker), so breakpoint() and debuggers "
    "stop in it; no timeout or memory limit is enforced.",
)
@python_option()
@format_option()
def invoke_command(
    target: str,
    method: str | None,
    path: str | None,
    api: str,
    event_file: str | None,
    headers: tuple[str, ...],
    body: str | None,
    resource: str | None,
    binary_media_types: str | None,
    timeout: float | None,
    memory: int | None,
    template: Path | None,
    parameter_overrides: tuple[str, ...],
    env_vars: Path | None,
    debug: bool,
    python: str | None,
    output_format: str,
) -> None:
    """Run the handler TARGET once and say what the API's client would receive.

    TARGET is module:function, path/to/file.py:function or Lambda's
    module.function; or a function's name in the template (found in the
    current folder, or --template), which then runs with its environment,
    layers, Timeout, MemorySize and API kind, as `sam local invoke` would.
    Give the request as METHOD PATH (an event is built as API Gateway would)
    or as --event FILE.  The handler runs in a worker
    process of the project's Python (see --python), as in serve and scan;
    --debug runs it in this process instead, so breakpoint() and debuggers
    (debugpy, an IDE's "run with debugger") stop in it.

    \b
    Exit status: 0 the client gets what the handler asked for, 1 the client
    would get a 5xx API Gateway generated, 2 bad usage or a handler that
    cannot be loaded.

    \b
    Examples:
      apigw-doctor invoke app.py:handler GET /items/42 --resource '/items/{id}'
      apigw-doctor invoke app.handler --event event.json --api http-2.0
      apigw-doctor invoke ItemsFunction GET /items/42 --env-vars env.json
    """
    types = split_list(binary_media_types)
    with tempfile.TemporaryDirectory() as inline:
        found = _template_function(
            target, template, parse_overrides(parameter_overrides), Path(inline)
        )
        if found is not None:
            function, binding = _binding_for(found, method, path)
            api = api or (binding.kind if binding else "rest")
            resource = resource or (binding.path if binding else None)
            types = types or (binding.binary_media_types if binding else ())
        api = api or "rest"
        the_event, accept = event_for(api, method, path, event_file, headers, body, resource, types)
        if found is None:
            name = target.rpartition(":")[2] or "handler"
            job = Job(target, the_event, str(uuid.uuid4()), name, timeout or 3.0,
                      memory_mb=128 if memory is None else memory)  # fmt: skip
            folders, runtimes = [Path.cwd()], []
        else:
            job = _job(function, the_event, timeout, memory, read_env_vars(env_vars))
            folders, runtimes = [function.template.parent], [function.runtime]
        if debug:
            invocation = asyncio.run(_run(job, InProcessPool()))
        else:
            chosen = handlers_python(python, folders, runtimes)
            invocation = asyncio.run(_run(job, WorkerPool(1, Path.cwd(), chosen.path)))
    if invocation.import_failure is not None:
        raise click.UsageError(invocation.import_failure.message)
    verdict = verdict_of(invocation, api, accept, types)
    emit_verdict(
        verdict,
        output_format,
        f"{target} ({invocation.duration_ms:.1f} ms)",
        {
            "target": target,
            "duration_ms": round(invocation.duration_ms, 3),
            "function_error": invocation.function_error,
        },
        invocation.log,
    )


def _template_function(
    target: str, template: Path | None, parameters: dict[str, str], inline: Path
) -> Function | None:
    """The template's function TARGET names (its logical id, or its Handler setting);
    None when TARGET is a module path and no --template was given."""
    if template is None and any(c in target for c in ".:/"):
        return None
    try:
        if template is not None:
            project = load_template(template, parameters=parameters)
        else:
            project = load_project([Path.cwd()], parameters=parameters)
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from None
    project = materialise(project, inline)
    for function in project.functions:
        if target in (function.name, function.handler):
            if function.handler is None or not function.is_python:
                raise click.UsageError(f"{target}: not a Python function that can run here")
            return function
    if template is None:
        return None  # no function of that name here: TARGET is a module after all
    names = ", ".join(sorted(f.name for f in project.functions)) or "none"
    raise click.UsageError(f"{target!r} is not a function of the template (functions: {names})")


def _binding_for(
    function: Function, method: str | None, path: str | None
) -> tuple[Function, Binding | None]:
    """The API route the request falls on (else the function's first)."""
    bindings = function.api_bindings
    for binding in bindings:
        if method and path and Route(binding.path, binding.method).match(method, path):
            return function, binding
    return function, bindings[0] if bindings else None


def _job(
    function: Function,
    event: dict[str, Any],
    timeout: float | None,
    memory: int | None,
    env_vars: dict[str, dict[str, str]] | None,
) -> Job:
    return Job(
        f"{function.module_name}:{function.function_name}",
        event,
        str(uuid.uuid4()),
        function.name,
        timeout or function.timeout,
        environment_for(function, overrides=env_vars),
        function.runtime,
        function.memory if memory is None else memory,
    )


async def _run(job: Job, pool: WorkerPool | InProcessPool) -> Invocation:
    await pool.start()
    try:
        return await pool.run(job, job.timeout_seconds)
    finally:
        await pool.stop()


def event_for(
    api: str,
    method: str | None,
    path: str | None,
    event_file: str | None,
    headers: tuple[str, ...],
    body: str | None,
    resource: str | None,
    binary_media_types: tuple[str, ...],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The event to send (from --event FILE, or built for METHOD PATH) and the
    request's headers (for the binary media type rules)."""
    if event_file:
        event = _load_event(event_file)
        return event, _event_headers(event)
    if method and path:
        request = _request(method, path, headers, body)
        route = Route(resource) if resource else None
        return build_event(
            api, request, route=route, binary_media_types=binary_media_types
        ), request.headers
    raise click.UsageError("give the request as METHOD PATH, or an event with --event FILE")


def _load_event(source: str) -> dict[str, Any]:
    try:
        loaded = json.loads(read_input(source))
    except ValueError as exc:
        raise click.UsageError(f"event {source!r} is not JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise click.UsageError(f"event {source!r} must be a JSON object")
    return loaded


def _event_headers(the_event: dict[str, Any]) -> list[tuple[str, str]]:
    headers = the_event.get("headers") or {}
    return [(str(k), str(v)) for k, v in headers.items()] if isinstance(headers, dict) else []
