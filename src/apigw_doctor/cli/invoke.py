"""``apigw-doctor event`` and ``apigw-doctor invoke``: events like API Gateway's,
and one local invocation of a handler judged by the rules core."""

from __future__ import annotations

import asyncio
import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from .. import _json as json_text
from ..events import HttpRequest
from ..project import Binding, Function, TemplateError, load_project, load_template
from ..project.inline import materialise
from ..runtime import diagnosis
from ..runtime.credentials import SHELL, WITHHELD, account
from ..runtime.environment import lambda_defaults
from ..runtime.in_process import InProcessPool
from ..runtime.invoke import (
    LocalFunction,
    Outcome,
    binding_for,
    binding_of,
    invoke,
    invoke_event,
    request_event,
)
from ..runtime.pool import WorkerPool
from ._inputs import parse_header, read_input, split_list
from ._options import (
    api_option,
    binary_media_types_option,
    body_option,
    env_vars_option,
    format_option,
    handlers_python,
    header_option,
    inherit_env_option,
    no_aws_option,
    parse_overrides,
    python_option,
    read_env_vars,
    resource_option,
    template_options,
)
from ._progress import Steps
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
    binding = replace(binding_for(api, resource), binary_media_types=split_list(binary_media_types))
    built = request_event(binding, request, stage=stage)
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
@no_aws_option()
@inherit_env_option()
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
    no_aws: bool,
    inherit_env: bool,
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
    overrides = read_env_vars(env_vars)
    with tempfile.TemporaryDirectory() as inline:
        found = _template_function(
            target, template, parse_overrides(parameter_overrides), Path(inline)
        )
        if found is None:
            binding = binding_for(api or "rest", resource)
            binding = replace(binding, binary_media_types=types)
            function = LocalFunction(
                target,
                target.rpartition(":")[2] or "handler",
                timeout or 3.0,
                128 if memory is None else memory,
                environment=lambda_defaults(),
            )
            folders, runtimes = [Path.cwd()], []
        else:
            binding = _binding_for(found, method, path, api, resource, types)
            function = LocalFunction.of(
                found, env_vars=overrides, timeout=timeout, memory_mb=memory
            )
            folders, runtimes = [found.template.parent], [found.runtime]
        if debug:
            pool: WorkerPool | InProcessPool = InProcessPool(inherit_shell=inherit_env)
        else:
            chosen = handlers_python(python, folders, runtimes)
            pool = WorkerPool(1, Path.cwd(), chosen.command, inherit_shell=inherit_env)
        request = _request(method, path, headers, body) if method and path else None
        given = _load_event(event_file) if event_file else None
        if request is None and given is None:
            raise click.UsageError("give the request as METHOD PATH, or an event with --event FILE")
        with account(WITHHELD if no_aws else SHELL) as aws:
            click.echo(f"apigw-doctor: handlers reach AWS as: {aws.description}", err=True)
            function = function.with_variables(aws.variables)
            outcome = asyncio.run(_run(pool, function, binding, request, given))
            calls = aws.endpoint.since(0) if aws.endpoint else []
    invocation = outcome.invocation
    if invocation.import_failure is not None:
        unchecked, problem = diagnosis.not_importable(
            invocation, getattr(pool, "python", "this Python"), templated=found is not None
        )
        raise click.UsageError(f"{target}: cannot be loaded: {unchecked or problem}")
    refused = diagnosis.aws_calls(calls)
    if refused:
        click.echo(f"apigw-doctor: not checked here: {refused}", err=True)
    emit_verdict(
        outcome.verdict,
        output_format,
        f"{target} ({invocation.duration_ms:.1f} ms)",
        {
            "target": target,
            "duration_ms": round(invocation.duration_ms, 3),
            "function_error": invocation.function_error,
        },
        invocation.log,
    )


async def _run(
    pool: WorkerPool | InProcessPool,
    function: LocalFunction,
    binding: Binding,
    request: HttpRequest | None,
    given: dict[str, Any] | None,
) -> Outcome:
    await pool.start()
    try:
        if given is not None:
            return await invoke_event(
                pool, function, given, binding.kind, _event_headers(given),
                binding.binary_media_types,
            )  # fmt: skip
        assert request is not None
        return await invoke(pool, function, binding, request)
    finally:
        await pool.stop()


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
            with Steps() as steps:  # shown on a terminal once reading has taken 2 s
                project = load_project(
                    [Path.cwd()], parameters=parameters, progress=steps.reading_templates
                )
        project = materialise(project, inline)
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from None
    for function in project.functions:
        if target in (function.name, function.handler):
            if function.handler is None or not function.is_python:
                raise click.UsageError(f"{target}: not a Python function that can run here")
            if function.code_unknown:  # an image whose Dockerfile does not show the file
                raise click.UsageError(f"{target}: not checked here: {function.code_unknown}")
            return function
    known = sorted(f.name for f in project.functions)
    names = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
    if template is not None:
        raise click.UsageError(
            f"{target!r} is not a function of the template (functions: {names or 'none'})"
        )
    raise click.UsageError(
        f"{target!r} is not a handler (write module:function, path/to/file.py:function or "
        "Lambda's module.function) nor a function of a template here"
        + (f" (functions: {names})" if names else "")
    )


def _binding_for(
    function: Function,
    method: str | None,
    path: str | None,
    api: str | None,
    resource: str | None,
    types: tuple[str, ...],
) -> Binding:
    """The route of the function that METHOD PATH falls on, as API Gateway ranks routes;
    --api, --resource and --binary-media-types override what the template says."""
    bindings = function.api_bindings
    if not bindings:
        binding = binding_for(api or "rest", resource)
    elif method and path:
        found = binding_of(bindings, method, path)
        if found is None:
            routes = ", ".join(f"{b.method} {b.path}" for b in bindings)
            raise click.UsageError(
                f"{method.upper()} {path} matches no route of {function.name} (its routes: "
                f"{routes})"
            )
        binding = found
    else:
        binding = bindings[0]
    changes: dict[str, Any] = {}
    if api:
        changes["kind"] = api
    if resource:
        changes["path"] = resource
    if types:
        changes["binary_media_types"] = types
    return replace(binding, **changes)


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
        binding = replace(binding_for(api, resource), binary_media_types=binary_media_types)
        return request_event(binding, request), request.headers
    raise click.UsageError("give the request as METHOD PATH, or an event with --event FILE")


def _load_event(source: str) -> dict[str, Any]:
    try:
        loaded = json_text.loads(read_input(source))
    except ValueError as exc:
        raise click.UsageError(f"event {source!r} is not JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise click.UsageError(f"event {source!r} must be a JSON object")
    return loaded


def _event_headers(the_event: dict[str, Any]) -> list[tuple[str, str]]:
    headers = the_event.get("headers") or {}
    return [(str(k), str(v)) for k, v in headers.items()] if isinstance(headers, dict) else []
