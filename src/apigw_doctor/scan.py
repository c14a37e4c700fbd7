"""``scan``: lint a project, then call every handler with the requests its routes
receive, through the test client, and say per handler what would fail.

Static analysis finds what code paths *can* do; calling the handlers shows what
they *do* for real requests (sizes, Decimals from real data, exceptions).
Together they cover every cause in the troubleshooting note.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from . import cors
from .catalogue import Finding, finding
from .environment import Environment, environment_for, lambda_defaults, without_aws
from .events import HttpRequest, Route, build_event
from .interpreter import Interpreter, choose, install_hint
from .lint import Config, LintFinding, lint_paths
from .lint._project import Module, find_handlers, python_files
from .mock_aws import mock_aws
from .project import Cors, Function, Note, load_project
from .project.inline import materialise
from .rules import Verdict
from .runtime import ImportFailure, Invocation, verdict_of
from .workers import Job, WorkerPool

_PARAMETER = re.compile(r"\{([^}/]+?)(\+?)\}")
_BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclass
class Call:
    """One generated request to one handler, and what the client got."""

    method: str
    path: str
    resource: str
    api: str
    verdict: Verdict
    error: str | None = None  # the handler's traceback, or why it could not run
    unchecked: str | None = None  # it failed only for lack of AWS here: not a verdict
    log: str = field(default="", repr=False)  # the function log of this call

    @property
    def failed(self) -> bool:
        return self.verdict.failed and self.unchecked is None


@dataclass
class HandlerReport:
    name: str  # the Python function
    label: str  # the template's name for the function, else the function's
    target: str
    api: str
    lint: list[LintFinding] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    problem: str | None = None  # the handler could not be loaded
    unchecked: str | None = None  # why it could not be checked here (not a failure)
    output: str = ""  # what the handler printed (its function log)
    runtime: str | None = None  # the template's Runtime
    #: what the template itself says about the function (its invoke permission)
    template_findings: list[Finding] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        lint_errors = any(f.finding.severity == "error" for f in self.lint)
        return bool(self.problem) or lint_errors or any(c.failed for c in self.calls)

    @property
    def not_checked(self) -> str | None:
        """Why (part of) this handler could not be checked here, if so."""
        return self.unchecked or next((c.unchecked for c in self.calls if c.unchecked), None)


@dataclass
class Skipped:
    """A function that gets no requests, and why (its trigger, or what is missing)."""

    name: str
    reason: str
    checked_here: bool = True  # False: an API handler that could not be checked


@dataclass
class ScanReport:
    root: Path
    templates: list[Path] = field(default_factory=list)
    handlers: list[HandlerReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    lint_findings: int = 0
    interpreter: Interpreter | None = None  # the Python the handlers ran in

    @property
    def template(self) -> Path | None:
        return self.templates[0] if self.templates else None


def sample_path(resource: str) -> str:
    """A concrete path for a resource: ``/items/{id}`` -> ``/items/example-id``."""

    def fill(match: re.Match[str]) -> str:
        return "example/path" if match.group(2) else f"example-{match.group(1)}"

    return _PARAMETER.sub(fill, resource)


def scan(
    root: Path,
    config: Config,
    *,
    timeout: float = 10.0,
    progress: Callable[[str], None] | None = None,
    template: Path | None = None,
    parameters: dict[str, str] | None = None,
    aws: bool = False,
    env_vars: dict[str, dict[str, str]] | None = None,
    mock: bool = False,
    python: str | None = None,
) -> ScanReport:
    """Lint ``root`` and call each API handler its templates name (without a
    template: each function that reads an API Gateway event), in the project's
    Python (``python``, else the one ``interpreter.choose`` finds)."""
    project = load_project([root], template=template, parameters=parameters)
    report = ScanReport(root, project.templates, notes=project.notes)
    report.interpreter = choose(
        python,
        [root, *(t.parent for t in project.templates)],
        [f.runtime for f in project.api_functions],
    )
    options = _Options(timeout, progress, report.interpreter.path)
    lint = lint_paths([root], config, project=project)
    report.lint_findings = len(lint.findings)
    by_function: dict[tuple[Path, str], list[LintFinding]] = {}
    for item in lint.findings:
        by_function.setdefault((item.path.resolve(), item.handler or ""), []).append(item)
    if project.functions:
        mocking: contextlib.AbstractContextManager[dict[str, str]] = (
            mock_aws(project.resources) if mock else contextlib.nullcontext({})
        )
        with mocking as mocked, tempfile.TemporaryDirectory() as inline:
            project = materialise(project, Path(inline))  # code written in the template
            for function in project.functions:
                handler_report = _function_report(function, report, options, aws, env_vars, mocked)
                if handler_report is not None:
                    path = function.module_path.resolve()
                    handler_report.lint = by_function.get((path, handler_report.name), [])
                    report.handlers.append(handler_report)
        return report
    for path in python_files([root]):
        isolation = lambda_defaults() if aws else without_aws(lambda_defaults())
        for handler_report in _signature_handlers(path.resolve(), config, options, isolation):
            handler_report.lint = by_function.get((path.resolve(), handler_report.name), [])
            report.handlers.append(handler_report)
    return report


def _function_report(
    function: Function,
    report: ScanReport,
    options: _Options,
    aws: bool,
    env_vars: dict[str, dict[str, str]] | None,
    mocked: dict[str, str],
) -> HandlerReport | None:
    """Requests for one function of the model, or the reason it gets none."""
    if not function.is_api_handler:
        report.skipped.append(Skipped(function.name, function.why_not_api))
        return None
    if not function.is_python:
        report.skipped.append(Skipped(function.name, f"runtime {function.runtime} is not Python"))
        return None
    if function.handler is None:
        report.skipped.append(
            Skipped(function.name, "no Python handler could be read (see the notes)", False)
        )
        return None
    missing = _code_missing(function)
    if missing:
        report.skipped.append(Skipped(function.name, missing, False))
        return None
    bindings = function.api_bindings
    environment = environment_for(function, overrides=env_vars)
    if mocked:  # moto on loopback stands in for the account
        environment = replace(environment, variables={**environment.variables, **mocked})
    plan = _Plan(
        function.module_path.resolve(),
        function.function_name,
        function.name,
        [(b.kind, b.method, b.path, b.cors) for b in bindings],
        bindings[0].binary_media_types,
        function.timeout,
        environment if aws or mocked else without_aws(environment),
        (function.module_name, function.code_dir.resolve()),
        function.runtime,
        function.memory,
    )
    handler_report = _report(plan, options)
    if function.lacks_api_permission:
        handler_report.template_findings.append(finding("GW769", function=function.name))
    if function.inline_code is not None:  # its file is a temporary copy: name the template
        handler_report.target = f"{_relative(function.template)} (inline code of {function.name})"
    return handler_report


def _code_missing(function: Function) -> str | None:
    """Why the handler's code is not here to run (built, downloaded or generated at
    deploy time), if it is not: not checked, rather than reported as failing."""
    module = function.module_path
    if module.is_file() or (module.with_suffix("") / "__init__.py").is_file():
        return None
    handler = function.handler or ""
    if handler.endswith(".sh") or (function.code_dir / handler).is_file():
        return (
            f"Handler {handler} is a script (a Lambda Web Adapter or custom bootstrap), "
            "not a Python module"
        )
    if not function.code_dir.is_dir():
        return f"its code folder {function.code_dir} is not in this checkout (built elsewhere?)"
    return (
        f"Handler {handler} names {_relative(module)}, which is not in this checkout "
        "(generated or copied at build time?); if it is missing from the deployment too, "
        "every request fails with Runtime.ImportModuleError"
    )


def _signature_handlers(
    path: Path,
    config: Config,
    options: _Options,
    environment: Environment | None,
) -> list[HandlerReport]:
    try:
        source = path.read_text(encoding="utf-8")
        module = Module(path, source, ast.parse(source, str(path)))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []  # lint has reported it
    return [
        _report(
            _Plan(
                path,
                handler.name,
                handler.name,
                [(handler.api, "GET", "/", None)],
                (),
                3.0,
                environment,
            ),
            options,
        )
        for handler in find_handlers(module, config)
    ]


class _Plan(NamedTuple):
    """What to call for one handler: where it is, its routes, and its world."""

    path: Path
    name: str  # the Python function
    label: str  # the template's name for it
    routes: list[tuple[str, str, str, Cors | None]]  # (api kind, method, resource, CORS)
    binary_media_types: tuple[str, ...]
    function_timeout: float
    environment: Environment | None
    #: Lambda's own import of the handler: a dotted module under the code folder
    #: (so ``from .models import x`` works as in Lambda); None: import the file
    module: tuple[str, Path] | None = None
    runtime: str | None = None
    memory: int = 0


def _report(plan: _Plan, options: _Options) -> HandlerReport:
    """The handler's own worker (a fresh process, as each function has its own Lambda
    environment), then each of its routes' requests."""
    return asyncio.run(_run(plan, options))


async def _run(plan: _Plan, options: _Options) -> HandlerReport:
    report = HandlerReport(
        plan.name,
        plan.label,
        f"{_relative(plan.path)}:{plan.name}",
        plan.routes[0][0],
        runtime=plan.runtime,
    )
    if plan.module is not None:
        target, base = f"{plan.module[0]}:{plan.name}", plan.module[1]
    else:
        target, base = f"{plan.path}:{plan.name}", plan.path.parent
    pool = WorkerPool(1, base, options.python)
    await pool.start()
    logs: list[str] = []
    try:
        loaded = await pool.run(_job(plan, target, {}, import_only=True), options.timeout)
        logs.append(loaded.log)
        if loaded.import_failure is not None or loaded.function_error:
            _not_loaded(report, loaded, plan, options.python)
            return report
        for api, method, resource, settings in plan.routes:
            if options.progress:
                options.progress(f"{plan.label}: {method} {resource}")
            call = await _call(pool, plan, target, (api, method, resource, settings), options)
            logs.append(call.log)
            report.calls.append(call)
    finally:
        await pool.stop()
        report.output = _bounded("".join(logs))
    return report


class _Options(NamedTuple):
    timeout: float
    progress: Callable[[str], None] | None
    python: str  # the Python the handlers run in


def _job(plan: _Plan, target: str, event: dict[str, Any], import_only: bool = False) -> Job:
    return Job(
        target,
        event,
        str(uuid.uuid4()),
        plan.label,
        plan.function_timeout,
        plan.environment,
        plan.runtime,
        plan.memory,
        import_only,
    )


def _not_loaded(report: HandlerReport, loaded: Invocation, plan: _Plan, python: str) -> None:
    failure = loaded.import_failure
    if failure is None and _timed_out(loaded):  # a slow machine is not a broken handler
        report.unchecked = (
            "importing it took longer than scan's --timeout here; give more with --timeout"
        )
        return
    if failure is None:  # importing it ended the worker
        report.problem = f"importing the handler failed: {_error_text(loaded)}"
        return
    missing = (
        _missing_package(failure, python)
        or _missing_variable(failure, plan)
        or _unreachable_at_import(failure)
    )
    if missing:
        report.unchecked = missing
    else:
        report.problem = failure.message


def _unreachable_at_import(failure: ImportFailure) -> str | None:
    """Module code that calls AWS (or another host) as it is imported."""
    if failure.cause in _AWS_UNREACHABLE:
        return (
            f"importing it calls AWS ({failure.cause}); scan runs handlers without AWS "
            "credentials so that it never changes real resources: --mock-aws or --aws"
        )
    if failure.cause in _NETWORK_UNREACHABLE:
        return f"importing it needs a host this machine cannot reach ({failure.cause})"
    return None


def _error_text(invocation: Invocation) -> str:
    try:
        error = json.loads(invocation.payload)
    except ValueError:
        return invocation.payload[:200].decode("utf-8", "replace")
    if not isinstance(error, dict):
        return str(error)[:200]
    return f"{error.get('errorType')}: {str(error.get('errorMessage'))[:200]}"


def _bounded(text: str, limit: int = 16_384) -> str:
    return (
        text
        if len(text) <= limit
        else text[:limit] + f"\n[... {len(text) - limit:,} more characters]"
    )


_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _missing_variable(failure: ImportFailure, plan: _Plan, when: str = "importing") -> str | None:
    """Module code that reads an environment variable nothing here sets: Lambda would
    have it from the deployment, so this is not checked, not failing."""
    if failure.cause != "KeyError" or not _VARIABLE_NAME.fullmatch(failure.name):
        return None
    name = failure.name
    where = "the template does not set it" if plan.module else "no template sets it"
    return (
        f"{when} it reads the environment variable {name}, and {where}: give it with "
        f'--env-vars FILE ({{"Parameters": {{"{name}": "..."}}}})'
    )


def _missing_package(failure: ImportFailure, python: str) -> str | None:
    """A handler that imports a package the handlers' Python lacks: not checked, not
    failing."""
    if failure.cause == "InstalledVersion" and failure.name:
        return (
            f"importing it fails with the version of {failure.name!r} installed in the "
            f"Python that runs the handlers ({python}): {failure.message.rpartition(': ')[2]}; "
            + install_hint(python)
        )
    if failure.cause != "ModuleNotFoundError" or not failure.name:
        return None
    return (
        f"importing it needs the package {failure.name!r}, which is not installed in the "
        f"Python that runs the handlers ({python}); " + install_hint(python)
    )


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


async def _call(
    pool: WorkerPool,
    plan: _Plan,
    target: str,
    route: tuple[str, str, str, Cors | None],
    options: _Options,
) -> Call:
    """One request, as API Gateway would send it, judged by the rules core (and, for an
    API with CORS settings, sent from a browser's page on an allowed origin)."""
    api, method, resource, settings = route
    timeout = options.timeout
    method = "GET" if method == "ANY" else method
    types = plan.binary_media_types
    headers = [("Accept", types[0])] if types else []
    origin = _browser_origin(settings)
    if origin:
        headers.append(("Origin", origin))
    body = b"{}" if method in _BODY_METHODS else b""
    if body:
        headers.append(("Content-Type", "application/json"))
    request = HttpRequest(method, sample_path(resource), headers=headers, body=body)
    event = build_event(api, request, route=Route(resource), binary_media_types=types)
    limit = min(timeout, plan.function_timeout)
    invocation = await pool.run(_job(plan, target, event), limit)
    verdict = _as_browser_sees(
        verdict_of(invocation, api, request.headers, types), request, settings
    )
    problem = (invocation.log or None) if invocation.function_error else None
    cut_short = None
    if invocation.function_error and _timed_out(invocation):
        problem = f"still running after {limit:g} s"
        if timeout < plan.function_timeout:  # scan's limit, not Lambda's: no verdict
            cut_short = (
                f"still running after {timeout:g} s (scan's --timeout), within the "
                f"function's Timeout of {plan.function_timeout:g} s: give --timeout "
                f"{plan.function_timeout + 1:g} to check it"
            )
    return Call(
        method,
        request.path,
        resource,
        api,
        verdict,
        problem,
        cut_short
        or _needed_aws(invocation)
        or _needed_mount(invocation)
        or _needed_variable(invocation, plan)
        or _needed_input(invocation, body),
        invocation.log,
    )


def _error_of(invocation: Invocation) -> dict[str, Any] | None:
    """Lambda's error object of a failed invocation (None: it did not fail)."""
    if not invocation.function_error:
        return None
    try:
        error = json.loads(invocation.payload)
    except ValueError:
        return None
    return error if isinstance(error, dict) else None


_MOUNTED = re.compile(r"'(/mnt/[^']*|/opt/[^']*|/efs[^']*)'")


def _needed_mount(invocation: Invocation) -> str | None:
    """A handler that reads a file system Lambda mounts (EFS under /mnt, layers under
    /opt), absent on this machine: not checked here."""
    error = _error_of(invocation)
    if error is None or error.get("errorType") not in (
        "FileNotFoundError",
        "PermissionError",
        "NotADirectoryError",
    ):
        return None
    found = _MOUNTED.search(str(error.get("errorMessage")))
    if not found:
        return None
    return (
        f"the handler uses {found.group(1)}, on a file system Lambda mounts (EFS, layers "
        "under /opt) that this machine does not have"
    )


def _browser_origin(settings: Cors | None) -> str | None:
    """An origin the API's CORS settings allow, for APIs that serve browsers."""
    if settings is None:
        return None
    named = [o for o in settings.origins if o != "*"]
    return named[0] if named else "https://app.example"


def _as_browser_sees(verdict: Verdict, request: HttpRequest, settings: Cors | None) -> Verdict:
    if settings is None:
        return verdict
    return cors.seen_by_browser(verdict, request.method, request.headers, settings, verdict.failed)


def _needed_variable(invocation: Invocation, plan: _Plan) -> str | None:
    """A handler reading an environment variable nothing here sets (``os.environ[...]``
    raised): Lambda would have it from the deployment."""
    error = _error_of(invocation)
    if error is None or error.get("errorType") != "KeyError":
        return None
    name = str(error.get("errorMessage", "")).strip("'\"")
    read_environ = "<frozen os>" in invocation.log or "os.environ" in invocation.log
    if not read_environ or not _VARIABLE_NAME.fullmatch(name):
        return None
    return _missing_variable(ImportFailure("", "KeyError", name), plan, when="calling")


def _needed_input(invocation: Invocation, body: bytes) -> str | None:
    """A handler that reads a field of the body scan made up (``{}``): valid input is
    unknown here, so this is not a verdict on the handler."""
    error = _error_of(invocation) if body else None
    if error is None or error.get("errorType") != "KeyError":
        return None
    field = error.get("errorMessage")
    return (
        f"the handler needs the field {field} in the request body, and scan sent {{}} "
        "(it cannot know valid input); a client that leaves it out gets a 502 here: "
        "answer 400 for missing fields"
    )


def _timed_out(invocation: Invocation) -> bool:
    return b'"Sandbox.Timedout"' in invocation.payload


#: what boto3 raises when it has no account or no endpoint to talk to
_AWS_UNREACHABLE = frozenset(
    {
        "NoCredentialsError",
        "PartialCredentialsError",
        "NoRegionError",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ConnectionClosedError",
        "ProfileNotFound",
    }
)


#: what Python and requests raise when a host cannot be reached from here
_NETWORK_UNREACHABLE = frozenset(
    {
        "ConnectionError",
        "ConnectTimeout",
        "ReadTimeout",
        "URLError",
        "gaierror",
        "NameResolutionError",
        "MaxRetryError",
        "NewConnectionError",
        "ConnectionRefusedError",
    }
)


def _needed_aws(invocation: Invocation) -> str | None:
    """Why a call could not be checked: the handler needed AWS (which scan withholds)
    or a network this machine does not reach."""
    error = _error_of(invocation)
    if error is None:
        return None
    kind = error.get("errorType")
    shown = f"{kind}: {str(error.get('errorMessage'))[:200]}"
    if kind in _AWS_UNREACHABLE:
        return (
            f"the handler called AWS ({shown}); scan runs handlers without AWS credentials "
            "so that it never changes real resources: --aws allows real calls"
        )
    if kind in _NETWORK_UNREACHABLE:
        return f"the handler needed a host this machine cannot reach ({shown})"
    return None
