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
import io
import json
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from .environment import (
    Environment,
    applied,
    environment_for,
    lambda_defaults,
    without_aws,
)
from .events import HttpRequest
from .handlers import HandlerNotFound, load_handler
from .lint import Config, LintFinding, lint_paths
from .lint._project import Module, find_handlers, python_files
from .mock_aws import mock_aws
from .project import Function, Note, load_project
from .rules import Verdict
from .runtime import Handler, Invocation, error_object, timed_out, verdict_of
from .testing import Gateway, Response

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
) -> ScanReport:
    """Lint ``root`` and call each API handler its templates name (without a
    template: each function that reads an API Gateway event)."""
    project = load_project([root], template=template, parameters=parameters)
    report = ScanReport(root, project.templates, notes=project.notes)
    lint = lint_paths([root], config, project=project)
    report.lint_findings = len(lint.findings)
    by_function: dict[tuple[Path, str], list[LintFinding]] = {}
    for item in lint.findings:
        by_function.setdefault((item.path.resolve(), item.handler or ""), []).append(item)
    if project.functions:
        mocking: contextlib.AbstractContextManager[dict[str, str]] = (
            mock_aws(project.resources) if mock else contextlib.nullcontext({})
        )
        with mocking as mocked:
            for function in project.functions:
                handler_report = _function_report(
                    function, report, timeout, progress, aws, env_vars, mocked
                )
                if handler_report is not None:
                    path = function.module_path.resolve()
                    handler_report.lint = by_function.get((path, handler_report.name), [])
                    report.handlers.append(handler_report)
        return report
    for path in python_files([root]):
        isolation = lambda_defaults() if aws else without_aws(lambda_defaults())
        for handler_report in _signature_handlers(
            path.resolve(), config, timeout, progress, isolation
        ):
            handler_report.lint = by_function.get((path.resolve(), handler_report.name), [])
            report.handlers.append(handler_report)
    return report


def _function_report(
    function: Function,
    report: ScanReport,
    timeout: float,
    progress: Callable[[str], None] | None,
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
    bindings = function.api_bindings
    environment = environment_for(function, overrides=env_vars)
    if mocked:  # moto on loopback stands in for the account
        environment = replace(environment, variables={**environment.variables, **mocked})
    plan = _Plan(
        function.module_path.resolve(),
        function.function_name,
        function.name,
        [(b.kind, b.method, b.path) for b in bindings],
        bindings[0].binary_media_types,
        function.timeout,
        environment if aws or mocked else without_aws(environment),
        (function.module_name, function.code_dir.resolve()),
    )
    return _report(plan, timeout, progress)


def _signature_handlers(
    path: Path,
    config: Config,
    timeout: float,
    progress: Callable[[str], None] | None,
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
                path, handler.name, handler.name, [(handler.api, "GET", "/")], (), 3.0, environment
            ),
            timeout,
            progress,
        )
        for handler in find_handlers(module, config)
    ]


class _Plan(NamedTuple):
    """What to call for one handler: where it is, its routes, and its world."""

    path: Path
    name: str  # the Python function
    label: str  # the template's name for it
    routes: list[tuple[str, str, str]]  # (api kind, method, resource)
    binary_media_types: tuple[str, ...]
    function_timeout: float
    environment: Environment | None
    #: Lambda's own import of the handler: a dotted module under the code folder
    #: (so ``from .models import x`` works as in Lambda); None: import the file
    module: tuple[str, Path] | None = None


def _report(plan: _Plan, timeout: float, progress: Callable[[str], None] | None) -> HandlerReport:
    report = HandlerReport(
        plan.name, plan.label, f"{_relative(plan.path)}:{plan.name}", plan.routes[0][0]
    )
    output = io.StringIO()  # what the handler prints is its function log, not scan's output
    with (
        applied(plan.environment) if plan.environment else contextlib.nullcontext(),
        contextlib.redirect_stdout(output),
        contextlib.redirect_stderr(output),
        _fresh_imports(_project_folders(plan)),
    ):
        try:
            if plan.module is not None:
                module, code_dir = plan.module
                handler = load_handler(f"{module}:{plan.name}", base=code_dir)
            else:
                handler = load_handler(f"{plan.path}:{plan.name}")
        except HandlerNotFound as exc:
            missing = _missing_package(exc) or _missing_variable(exc, plan)
            if missing:
                report.unchecked = missing
            else:
                report.problem = str(exc)
            return report
        _send(report, handler, plan, timeout, progress)
    report.output = _bounded(output.getvalue())
    return report


def _bounded(text: str, limit: int = 16_384) -> str:
    return (
        text
        if len(text) <= limit
        else text[:limit] + f"\n[... {len(text) - limit:,} more characters]"
    )


@contextlib.contextmanager
def _fresh_imports(folders: tuple[Path, ...]) -> Iterator[None]:
    """Each function imports its own modules, as in its own Lambda: two functions'
    ``app`` modules from two code folders must not be one cached module.  Only modules
    from the project's folders are forgotten; the standard library, installed packages
    and this tool stay cached."""
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            path = getattr(sys.modules.get(name), "__file__", None)
            if path and "site-packages" not in path and _under(Path(path), folders):
                del sys.modules[name]


def _project_folders(plan: _Plan) -> tuple[Path, ...]:
    folders = [plan.path.parent]
    if plan.module is not None:
        folders.append(plan.module[1])
    if plan.environment is not None:
        folders.extend(plan.environment.paths)
    return tuple(folder.resolve() for folder in folders)


def _under(path: Path, folders: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder) for folder in folders)


_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _missing_variable(exc: HandlerNotFound, plan: _Plan) -> str | None:
    """Module code that reads an environment variable nothing here sets: Lambda would
    have it from the deployment, so this is not checked, not failing."""
    cause = exc.__cause__
    if not isinstance(cause, KeyError) or not cause.args:
        return None
    name = str(cause.args[0])
    if not _VARIABLE_NAME.fullmatch(name):
        return None
    where = "the template does not set it" if plan.module else "no template sets it"
    return (
        f"importing it reads the environment variable {name}, and {where}: give it with "
        f'--env-vars FILE ({{"Parameters": {{"{name}": "..."}}}})'
    )


def _missing_package(exc: HandlerNotFound) -> str | None:
    """A handler that imports a package this Python lacks: not checked, not failing."""
    cause = exc.__cause__
    if not isinstance(cause, ModuleNotFoundError) or not cause.name:
        return None
    return (
        f"importing it needs the package {cause.name!r}, which is not installed in the "
        f"Python running apigw-doctor ({sys.executable}); install the function's "
        "requirements there (pip install -r requirements.txt) to check it"
    )


def _send(
    report: HandlerReport,
    handler: Handler,
    plan: _Plan,
    timeout: float,
    progress: Callable[[str], None] | None,
) -> None:
    for api, method, resource in plan.routes:
        if progress:
            progress(f"{plan.label}: {method} {resource}")
        gateway = Gateway(
            handler,
            api,
            resource=resource,
            binary_media_types=plan.binary_media_types,
            function_name=plan.label,
            timeout_seconds=plan.function_timeout,
        )
        method = "GET" if method == "ANY" else method
        report.calls.append(_call(gateway, method, resource, timeout))


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _call(gateway: Gateway, method: str, resource: str, timeout: float) -> Call:
    """One request, in a thread so a handler that never returns cannot stop the scan."""
    headers = [("Accept", gateway.binary_media_types[0])] if gateway.binary_media_types else []
    body = b"{}" if method in _BODY_METHODS else b""
    if body:
        headers.append(("Content-Type", "application/json"))
    request = HttpRequest(method, sample_path(resource), headers=headers, body=body)
    outcome: list[Response | BaseException] = []

    def run() -> None:
        # Lambda calls handlers on a main thread that has an event loop; asyncio-based
        # adapters (Mangum) look for one, so this thread gets its own
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            outcome.append(gateway.send(request))
        except BaseException as exc:  # the scan must outlive any handler
            outcome.append(exc)
        finally:
            loop.close()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        verdict = verdict_of(timed_out("scan", timeout), gateway.api)
        return Call(
            method,
            request.path,
            resource,
            gateway.api,
            verdict,
            f"still running after {timeout:g} s",
        )
    result = outcome[0]
    if isinstance(result, BaseException):  # the gateway itself failed, not the handler
        failure = Invocation(
            json.dumps(error_object(result, "scan")).encode(), "Unhandled", "scan", 0.0
        )
        return Call(
            method,
            request.path,
            resource,
            gateway.api,
            verdict_of(failure, gateway.api),
            repr(result),
        )
    return Call(
        method,
        request.path,
        resource,
        gateway.api,
        result.verdict,
        result.invocation.log or None,
        _needed_aws(result.invocation),
    )


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
    if not invocation.function_error:
        return None
    try:
        error = json.loads(invocation.payload)
    except ValueError:
        return None
    kind = error.get("errorType") if isinstance(error, dict) else None
    shown = f"{kind}: {str(error.get('errorMessage'))[:200]}" if isinstance(error, dict) else ""
    if kind in _AWS_UNREACHABLE:
        return (
            f"the handler called AWS ({shown}); scan runs handlers without AWS credentials "
            "so that it never changes real resources: --aws allows real calls"
        )
    if kind in _NETWORK_UNREACHABLE:
        return f"the handler needed a host this machine cannot reach ({shown})"
    return None
