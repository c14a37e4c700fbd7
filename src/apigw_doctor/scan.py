"""``scan``: lint a project, then call every handler with the requests its routes
receive, through the test client, and say per handler what would fail.

Static analysis finds what code paths *can* do; calling the handlers shows what
they *do* for real requests (sizes, Decimals from real data, exceptions).
Together they cover every cause in the troubleshooting note.
"""

from __future__ import annotations

import ast
import asyncio
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from . import authorizers, cors
from .catalogue import Finding, finding
from .events import HttpRequest
from .lint import Config, LintFinding, handler_names_in_text, lint_paths
from .lint._project import (
    EVENT_NAMES,
    Module,
    TemplateHandlers,
    adapter_handlers,
    find_handlers,
    parse,
    python_files,
)
from .lint._values import keyed_read
from .project import Binding, Cors, Function, Note, image, load_project
from .project.cdk_source import cdk_named_handlers
from .project.discover import declared_runtimes
from .project.inline import materialise
from .rules import Verdict
from .runtime import diagnosis
from .runtime.credentials import MOCK, SHELL, WITHHELD, AwsCall, RefusingEndpoint, account
from .runtime.environment import lambda_defaults
from .runtime.interpreter import Interpreter, choose, choose_early
from .runtime.invocation import Invocation
from .runtime.invoke import LocalFunction, binding_for, invoke, load
from .runtime.pool import WorkerPool
from .samples import OTHER_SAMPLES, SAMPLE_PREFIX, sample_body, sample_path, sample_text

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
    inherit_env: bool = False,
    probe: threading.Thread | None = None,
) -> ScanReport:
    """Lint ``root`` and call each API handler its templates name (without a
    template: each function that reads an API Gateway event), in the project's
    Python (``python``, else the one ``interpreter.choose`` finds)."""
    # the handlers' Python is asked for its version while the project loads (``probe``:
    # the caller started that already)
    early = probe or choose_early(python, [root], declared_runtimes(root, template))
    project = load_project(
        [root],
        template=template,
        parameters=parameters,
        progress=(lambda done, total: progress(f"reading templates {done}/{total}"))
        if progress
        else None,
    )
    report = ScanReport(root, project.templates, notes=project.notes)
    early.join()
    report.interpreter = choose(
        python,
        [root, *(t.parent for t in project.templates)],
        [f.runtime for f in project.api_functions],
    )
    lint = lint_paths(
        [root],
        config,
        project=project,
        progress=(lambda done, total: progress(f"linting {done}/{total}")) if progress else None,
    )
    report.lint_findings = len(lint.findings)
    by_function: dict[tuple[Path, str], list[LintFinding]] = {}
    for item in lint.findings:
        by_function.setdefault((item.path.resolve(), item.handler or ""), []).append(item)
    policy = MOCK if mock else SHELL if aws else WITHHELD
    with account(policy, project.resources) as reached:
        variables, endpoint = reached.variables, reached.endpoint
        options = _Options(
            timeout,
            progress,
            report.interpreter.path,
            inherit_env,
            endpoint,
            report.interpreter.command,
        )
        if not project.functions:
            images = image.without_template(root)
            named = TemplateHandlers(cdk=cdk_named_handlers(project.cdk_apps))
            for path in python_files([root]):
                found = _signature_handlers(
                    path.resolve(), config, options, variables, images, named, root.resolve()
                )
                for signature in found:
                    signature.lint = by_function.get((path.resolve(), signature.name), [])
                    report.handlers.append(signature)
            for path in lint.broken:
                for unparsed in _unparsed_handlers(path, config.api):
                    unparsed.lint = by_function.get((path.resolve(), ""), [])
                    report.handlers.append(unparsed)
            return report
        archives = {f.name: f.code_dir for f in project.functions if f.code_dir.is_file()}
        with tempfile.TemporaryDirectory() as inline:
            project = materialise(project, Path(inline))  # code written in the template
            for function in project.functions:
                handler_report = _function_report(function, report, options, env_vars, variables)
                if handler_report is not None:
                    path = function.module_path.resolve()
                    handler_report.lint = by_function.get((path, handler_report.name), [])
                    if function.name in archives:  # unpacked from CodeUri: x.zip for the run
                        module = function.module_path.relative_to(function.code_dir)
                        handler_report.target = (
                            f"{_relative(archives[function.name])} "
                            f"({module}:{function.function_name})"
                        )
                    report.handlers.append(handler_report)
    return report


def _function_report(
    function: Function,
    report: ScanReport,
    options: _Options,
    env_vars: dict[str, dict[str, str]] | None,
    variables: dict[str, str],
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
    missing = diagnosis.code_missing(function)
    if missing:
        report.skipped.append(Skipped(function.name, missing, False))
        return None
    for name in sorted({b.auth.name for b in function.api_bindings if b.auth}):
        note = Note(
            function.template,
            f"{function.name}: requests behind authorizer {name} carry a sample caller "
            f"(sub {authorizers.SAMPLE_SUBJECT}): samples, not a real token's claims",
        )
        if note not in report.notes:
            report.notes.append(note)
    local = LocalFunction.of(function, env_vars=env_vars).with_variables(variables)
    plan = _Plan(
        function.module_path.resolve(),
        function.function_name,
        local,
        function.api_bindings,
        function.code_dir.resolve(),
        templated=True,
    )
    handler_report = _report(plan, options)
    if function.lacks_api_permission:
        handler_report.template_findings.append(finding("GW769", function=function.name))
    if function.inline_code is not None:  # its file is a temporary copy: name the template
        handler_report.target = f"{_relative(function.template)} (inline code of {function.name})"
    elif function.generated_code is not None:
        handler_report.target = (
            f"{_relative(function.template)} ({function.handler}, generated at package time)"
        )
    return handler_report


def _signature_handlers(
    path: Path,
    config: Config,
    options: _Options,
    variables: dict[str, str],
    images: dict[tuple[Path, str], image.ImageFunction],
    named: TemplateHandlers,
    root: Path,
) -> list[HandlerReport]:
    """The handlers found in one file's code, each run as its Lambda image would
    run it when a Dockerfile names it (its ENV, its task root)."""
    try:
        source = path.read_text(encoding="utf-8")
        module = Module(path, source, parse(source, str(path)))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []  # lint has reported it
    found = [(h.name, h.api) for h in find_handlers(module, config, named)]
    if not config.handlers:  # handler = Mangum(app): an API handler with no def
        found += [(name, config.api) for name in adapter_handlers(module)]
    reports = []
    package = _package_of(module, root)
    for name, api in found:
        reads = _request_reads(module, name)
        built = images.get((path, name))
        environment = {**dict(built.environment), **variables} if built else variables
        target = f"{path}:{name}"
        base = built.code_dir.resolve() if built else path.parent
        if package is not None and not built:
            base, dotted = package
            target = f"{dotted}:{name}"
        local = LocalFunction(target, name, environment=lambda_defaults())
        plan = _Plan(
            path,
            name,
            local.with_variables(environment),
            (binding_for(api, reads.resource, reads.method),),
            base,
            query=reads.query,
        )
        reports.append(_report(plan, options))
    return reports


def _unparsed_handlers(path: Path, api: str) -> list[HandlerReport]:
    """Handlers in a file that does not parse (lint's GW913: it found a handler-like
    ``def`` in it): Lambda cannot import the module, so every request to them fails
    with Runtime.UserCodeSyntaxError, and API Gateway answers 502."""
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    try:
        compile(source, str(path), "exec", dont_inherit=True)
        return []
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        problem = (
            f"the file does not parse: {getattr(exc, 'msg', None) or exc}{where}; Lambda cannot "
            "import it (Runtime.UserCodeSyntaxError), so every request gets 502"
        )
    return [
        HandlerReport(name, name, f"{_relative(path)}:{name}", api, problem=problem)
        for name in dict.fromkeys(handler_names_in_text(source))
    ]


class _Reads(NamedTuple):
    """The request a template-less handler expects, from what its module reads."""

    resource: str = "/"
    method: str = "GET"
    query: tuple[tuple[str, str], ...] = ()


_SECTIONS = ("pathParameters", "queryStringParameters")


def _request_reads(module: Module, name: str) -> _Reads:
    """Without a template the route is unknown: a handler that reads
    ``event["pathParameters"]["id"]`` is behind ``/{id}``, one that reads
    ``queryStringParameters`` gets those parameters, one that reads the body is sent
    a POST with ``{}``. Sending ``GET /`` instead only shows the missing parts fail,
    which says nothing of the handler (lint warns of the unchecked reads, GW912).
    Read in the handler and the module's functions it calls."""
    nodes = _reached(module, name)
    aliases: dict[str, str] = {}

    def section(node: ast.expr) -> str | None:
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return section(node.values[0])
        if isinstance(node, ast.Name):
            return aliases.get(node.id)
        key = _key_read(node)
        return key[1] if key and key[1] in _SECTIONS else None

    for node in (n for top in nodes for n in ast.walk(top)):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            found = section(node.value)
            if found and isinstance(target, ast.Name):
                aliases[target.id] = found
    names: dict[str, list[str]] = {name: [] for name in _SECTIONS}
    body = False
    for node in (n for top in nodes for n in ast.walk(top)):
        key = _key_read(node)
        if key is None:
            continue
        owner, name = key
        found = section(owner)
        if found and name not in names[found]:
            names[found].append(name)
        elif name == "body" and isinstance(owner, ast.Name) and owner.id in EVENT_NAMES:
            body = True
    path = names["pathParameters"]
    return _Reads(
        "/" + "/".join(f"{{{n}}}" for n in path) if path else "/",
        "POST" if body else "GET",
        tuple((n, sample_text(n)) for n in names["queryStringParameters"]),
    )


def _reached(module: Module, name: str) -> list[ast.AST]:
    """The function ``name`` and the module's functions it calls, transitively (an
    adapter-made handler has no function: the whole module)."""
    if name not in module.functions:
        return [module.tree]
    seen = [name]
    for current in seen:
        for node in ast.walk(module.functions[current]):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in module.functions
                and node.func.id not in seen
            ):
                seen.append(node.func.id)
    return [module.functions[n] for n in seen]


def _key_read(node: ast.AST) -> tuple[ast.expr, str] | None:
    """(what is read, the key) of ``x["key"]`` (read, not written) or ``x.get("key")``."""
    found = keyed_read(node)
    return (found[0], found[1]) if found and isinstance(found[1], str) else None


def _package_of(module: Module, top: Path) -> tuple[Path, str] | None:
    """(task root, dotted module) for a handler module that only imports as part of
    its package (``from . import views``, or ``from shop.db import x`` in shop/, with
    or without ``__init__.py``), or that imports a module only a folder above it has
    (api/index.py's ``from main import app`` beside api/): Lambda imports it as
    ``shop.api`` from that folder, so must the run. None: its own folder is the task
    root. ``top``: the scanned folder, above which no task root is looked for."""
    ancestors = list(module.path.parents)
    names = {folder.name: depth for depth, folder in reversed(list(enumerate(ancestors)))}
    depth = -1  # how many folders up the package starts (0: the module's own)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            depth = max(depth, node.level - 1)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
            )
            for name in modules:
                first = name.split(".")[0]
                if first in names and len(name.split(".")) > 1:
                    depth = max(depth, names[first])
                elif node.col_offset == 0 and first and not _beside(ancestors[0], first):
                    above = next(
                        (
                            level
                            for level, folder in enumerate(ancestors)
                            if folder.is_relative_to(top) and _beside(folder, first)
                        ),
                        None,
                    )
                    if above is not None:
                        depth = max(depth, above - 1)
    if depth < 0 or depth + 1 >= len(ancestors):
        return None
    root = ancestors[depth + 1]
    # a package inside a package imports as the outer one's; never above the scan
    while (root / "__init__.py").is_file() and root != top and root.is_relative_to(top):
        root = root.parent
    parts = [*module.path.relative_to(root).parent.parts, module.path.stem]
    if not all(part.isidentifier() for part in parts):
        return None
    return root, ".".join(parts)


def _beside(folder: Path, name: str) -> bool:
    """Whether ``import name`` finds a module of the project in ``folder``."""
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


class _Plan(NamedTuple):
    """What to call for one handler: where it is, how it runs, and its routes."""

    path: Path
    name: str  # the Python function
    function: LocalFunction
    bindings: tuple[Binding, ...]
    base: Path  # the code folder
    templated: bool = False  # a template describes its deployment
    #: query parameters to send (no template: those the handler reads)
    query: tuple[tuple[str, str], ...] = ()


class _Options(NamedTuple):
    timeout: float
    progress: Callable[[str], None] | None
    python: str  # the Python the handlers run in
    inherit_env: bool
    endpoint: RefusingEndpoint | None  # AWS withheld: the calls it refused
    command: str  # the program workers start as (``python`` without a shim in front)


def _report(plan: _Plan, options: _Options) -> HandlerReport:
    """The handler's own worker (a fresh process, as each function has its own Lambda
    environment), then each of its routes' requests."""
    return asyncio.run(_run(plan, options))


async def _run(plan: _Plan, options: _Options) -> HandlerReport:
    function = plan.function
    report = HandlerReport(
        plan.name,
        function.name,
        f"{_relative(plan.path)}:{plan.name}",
        plan.bindings[0].kind,
        runtime=function.runtime,
    )
    pool = WorkerPool(1, plan.base, options.command, inherit_shell=options.inherit_env)
    await pool.start()
    logs: list[str] = []
    try:
        mark = _mark(options)
        loaded = await load(pool, function, options.timeout)
        logs.append(loaded.log)
        if loaded.import_failure is not None or loaded.function_error:
            report.unchecked, report.problem = diagnosis.not_importable(
                loaded, options.python, templated=plan.templated, calls=_since(options, mark)
            )
            return report
        for binding in plan.bindings:
            if options.progress:
                options.progress(f"calling {function.name}: {binding.method} {binding.path}")
            call = await _call(pool, plan, binding, options)
            logs.append(call.log)
            report.calls.append(call)
    finally:
        await pool.stop()
        report.output = _bounded("".join(logs))
    return report


def _mark(options: _Options) -> int:
    return len(options.endpoint.calls) if options.endpoint else 0


def _since(options: _Options, mark: int) -> list[AwsCall]:
    return options.endpoint.since(mark) if options.endpoint else []


def _bounded(text: str, limit: int = 16_384) -> str:
    return (
        text
        if len(text) <= limit
        else text[:limit] + f"\n[... {len(text) - limit:,} more characters]"
    )


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def sample_request(binding: Binding) -> HttpRequest:
    """The request a real client sends to the route: a concrete path, the headers a
    browser on an allowed origin and a binary API expect, a JSON body for writes."""
    method = "GET" if binding.method == "ANY" else binding.method
    types = binding.binary_media_types
    headers = [("Accept", types[0])] if types else []
    origin = _browser_origin(binding.cors)
    if origin:
        headers.append(("Origin", origin))
    body = sample_body(binding.request_schema) if method in _BODY_METHODS else b""
    if body:
        headers.append(("Content-Type", "application/json"))
    return HttpRequest(method, sample_path(binding.path), headers=headers, body=body)


async def _call(pool: WorkerPool, plan: _Plan, binding: Binding, options: _Options) -> Call:
    """One request, as API Gateway would send it, judged by the rules core (and, for an
    API with CORS settings, sent from a browser's page on an allowed origin)."""
    request = sample_request(binding)
    if plan.query:
        request = replace(request, query=list(plan.query))
    authorizer = authorizers.sample_context(binding.auth, binding.kind) if binding.auth else None
    mark = _mark(options)
    outcome = await invoke(
        pool, plan.function, binding, request, authorizer=authorizer, limit=options.timeout
    )
    sent = [request.path, *(value for _, value in request.query)]
    if _rejects_text(outcome.invocation) and any(SAMPLE_PREFIX in text for text in sent):
        for value in OTHER_SAMPLES:  # int(event["pathParameters"]["id"]) rejects example-id
            request = _with_samples(request, binding, value)
            outcome = await invoke(
                pool, plan.function, binding, request, authorizer=authorizer, limit=options.timeout
            )
            if not _rejects_text(outcome.invocation):
                break
    invocation = outcome.invocation
    verdict = _as_browser_sees(outcome.verdict, request, binding.cors)
    problem = (invocation.log or None) if invocation.function_error else None
    function_timeout = plan.function.timeout
    cut_short = None
    if invocation.function_error and diagnosis.timed_out(invocation):
        limit = min(options.timeout, function_timeout)
        problem = f"still running after {limit:g} s"
        if options.timeout < function_timeout:  # scan's limit, not Lambda's: no verdict
            cut_short = (
                f"still running after {options.timeout:g} s (scan's --timeout), within the "
                f"function's Timeout of {function_timeout:g} s: give --timeout "
                f"{function_timeout + 1:g} to check it"
            )
    unchecked = cut_short or diagnosis.not_checked(
        invocation,
        templated=plan.templated,
        body_sent=bool(request.body) and not binding.request_schema,  # {}: a guess
        calls=_since(options, mark),
    )
    return Call(
        request.method,
        request.path + (f"?{urlencode(request.query)}" if request.query else ""),
        binding.path,
        binding.kind,
        verdict,
        problem,
        unchecked,
        invocation.log,
    )


#: what a handler raises when a parameter's text is not what it parses (int(), float(),
#: uuid.UUID(), Decimal(), date.fromisoformat())
_REJECTED_TEXT = frozenset({"ValueError", "InvalidOperation"})


def _rejects_text(invocation: Invocation) -> bool:
    """The call failed as parsing a value fails.  After a sample parameter
    (``example-<name>``) was sent, that says the route wants another kind of value,
    not that its clients get a 502."""
    error = diagnosis.error_of(invocation)
    return error is not None and error.get("errorType") in _REJECTED_TEXT


def _with_samples(request: HttpRequest, binding: Binding, value: str) -> HttpRequest:
    """The same request with ``value`` for every path and query parameter."""
    query = [(name, value) for name, _ in request.query]
    return replace(request, path=sample_path(binding.path, value), query=query)


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
