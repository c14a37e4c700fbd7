"""``apigw-doctor lint``: static analysis of handler code for what API Gateway
will reject, before deploy.

Data in, findings out, like the rules core: :func:`lint_paths` reads files and
returns :class:`LintFinding`\\ s; the CLI formats them.  Findings use the shared
catalogue (codes ``GW9xx``), so lint, ``check`` and the logs reader speak one
language.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import Finding, finding
from ..project import Project as ProjectModel
from ._checker import HandlerChecker, LintFinding, NoReturnIndex, RouteChecker, route_functions
from ._names import undefined_names
from ._project import (
    Config,
    ConfigError,
    Handler,
    Module,
    Project,
    TemplateHandlers,
    find_handlers,
    load_config,
    looks_like_handler,
    parse,
    python_files,
    reads_another_event,
    template_handlers,
)

__all__ = [
    "Config",
    "ConfigError",
    "LintFinding",
    "LintResult",
    "lint_paths",
    "lint_source",
    "load_config",
]

#: below this many files, worker processes cost more than they save
PARALLEL_THRESHOLD = 64


@dataclass
class LintResult:
    findings: list[LintFinding] = field(default_factory=list)
    files: int = 0
    handlers: int = 0
    lines: int = 0
    #: files that could not be parsed (their GW913 finding is in ``findings``)
    broken: list[Path] = field(default_factory=list)
    #: (file, line, name) of (event, context) functions not linted: nothing shows
    #: they serve an API (``--api`` or ``handlers`` would include them)
    passed_over: list[tuple[Path, int, str]] = field(default_factory=list)


def lint_source(
    source: str, filename: str = "handler.py", *, api: str = "rest", handlers: tuple[str, ...] = ()
) -> list[LintFinding]:
    """Lint one snippet (for tests and editors): handlers by signature or name."""
    path = Path(filename)
    try:
        tree = parse(source, filename)
    except SyntaxError as exc:
        return [_syntax_error(path, exc)]
    module = Module(path, source, tree)
    project = Project([path.parent])
    project.modules[path.resolve()] = module
    return _lint_module(
        project,
        module,
        Config(handlers=handlers, api=api, api_set=True, by_signature=True),
        TemplateHandlers(),
    )


def lint_paths(
    paths: list[Path],
    config: Config,
    *,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    project: ProjectModel | None = None,
) -> LintResult:
    """Lint every Python file under ``paths``; ``progress(done, total)`` as it goes.

    ``project`` is the deployment model when the caller has read it already."""
    files = python_files(paths)
    roots = [p if p.is_dir() else p.parent for p in paths]
    templates = template_handlers(paths, project)
    result = LintResult(files=len(files))
    jobs = jobs or os.cpu_count() or 1
    chunks = [files[i::jobs] for i in range(jobs)] if len(files) >= PARALLEL_THRESHOLD else []
    if jobs > 1 and chunks:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(_lint_files, chunk, roots, config, templates) for chunk in chunks
            ]
            done = 0
            for future in futures:
                part = future.result()
                done += part.files
                _merge(result, part)
                if progress:
                    progress(done, len(files))
    else:
        for index, part in enumerate(_each_file(files, roots, config, templates), start=1):
            _merge(result, part)
            if progress:
                progress(index, len(files))
    result.findings.sort(key=lambda f: (str(f.path), f.line, f.column, f.code))
    return result


def _merge(result: LintResult, part: LintResult) -> None:
    result.findings += part.findings
    result.handlers += part.handlers
    result.lines += part.lines
    result.broken += part.broken
    result.passed_over += part.passed_over


def _lint_files(
    files: list[Path], roots: list[Path], config: Config, templates: TemplateHandlers
) -> LintResult:
    total = LintResult(files=len(files))
    for part in _each_file(files, roots, config, templates):
        _merge(total, part)
    return total


def _each_file(
    files: list[Path], roots: list[Path], config: Config, templates: TemplateHandlers
) -> Iterator[LintResult]:
    project = Project(roots)
    for path in files:
        yield _lint_one(path, project, config, templates)


def _lint_one(
    path: Path, project: Project, config: Config, templates: TemplateHandlers
) -> LintResult:
    part = LintResult(files=1)
    try:
        source = path.read_text(encoding="utf-8")
        tree = parse(source, str(path))
    except SyntaxError as exc:
        skipped = _not_for_this_parser(source, exc) or _not_a_handler(path, source, templates, exc)
        if skipped is not None:
            part.findings.append(LintFinding(path, exc.lineno or 1, 1, skipped))
            return part
        part.findings.append(_syntax_error(path, exc))
        part.broken.append(path)
        return part
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        part.findings.append(LintFinding(path, 1, 1, finding("GW913", message=str(exc))))
        part.broken.append(path)
        return part
    module = Module(path, source, tree)
    key = path.resolve()
    cached = key in project.modules  # already read as another file's helper
    project.modules[key] = module
    part.lines = source.count("\n") + 1
    try:
        handlers = find_handlers(module, config, templates)
        part.handlers = len(handlers)
        part.passed_over = _passed_over(module, config, templates, {id(h.node) for h in handlers})
        part.findings = _lint_module(project, module, config, templates, handlers)
    except Exception as exc:  # RecursionError included: one file never ends the run
        problem = f"{type(exc).__name__}: {exc}"[:200]
        part.findings = [
            LintFinding(
                path,
                1,
                1,
                finding(
                    "GW914",
                    message=f"apigw-doctor failed on this file ({problem})",
                    fix="please report it with the file; the rest of the run is complete",
                ),
            )
        ]
    if not cached:
        del project.modules[key]  # keep memory flat on big trees
    return part


def _lint_module(
    project: Project,
    module: Module,
    config: Config,
    templates: TemplateHandlers,
    handlers: list[Handler] | None = None,
) -> list[LintFinding]:
    found: list[LintFinding] = []
    no_return = NoReturnIndex(project, module)
    handlers = find_handlers(module, config, templates) if handlers is None else handlers
    for handler in handlers:
        found += HandlerChecker(project, handler, no_return).run()
    routes = route_functions(module)
    for route in routes:
        found += RouteChecker(
            project, Handler(module, route, "rest", "a Powertools route"), no_return
        ).run()
    if handlers or routes:
        found += _undefined_names(module)
    unique = {(f.line, f.column, f.code, f.finding.message): f for f in found}
    kept = [f for f in unique.values() if config.wants(f.code) and not _silenced(module, f)]
    return sorted(kept, key=lambda f: (f.line, f.column, f.code))


def _undefined_names(module: Module) -> list[LintFinding]:
    """pyflakes' undefined names in a handler module (GW915): each is a NameError."""
    return [
        LintFinding(
            module.path,
            name.line,
            name.column,
            finding(
                "GW915",
                name=name.name,
                module=module.path.name,
                when="when the module is imported (every request fails)"
                if name.at_import
                else "when this line runs",
                fix=name.fix,
            ),
        )
        for name in undefined_names(module)
    ]


def _passed_over(
    module: Module, config: Config, templates: TemplateHandlers, linted: set[int]
) -> list[tuple[Path, int, str]]:
    """Functions shaped like handlers that nothing shows to be API handlers (no
    template or setting decides, they read no event of another source): the CLI
    says which, and how to include them."""
    if config.handlers or config.by_signature:
        return []
    found = [
        (module.path, node.lineno, node.name)
        for node in module.functions.values()
        if id(node) not in linted
        and looks_like_handler(node)
        and not reads_another_event(node, module)
    ]
    if found and templates.governs(module.path.resolve()):
        return []
    return found


def _silenced(module: Module, item: LintFinding) -> bool:
    if item.line not in module.noqa:
        return False
    codes = module.noqa[item.line]
    return codes is None or item.code in codes


#: what Python 3.11's parser says of syntax that newer Pythons accept
_NEWER_GRAMMAR = (
    ("f-string", "Python 3.12 f-strings (PEP 701: quotes and backslashes inside {})"),
    ("multiple exception types must be parenthesized", "Python 3.14's except A, B: (PEP 758)"),
    ("type parameter", "Python 3.12 generics (PEP 695)"),
)
_NEWER_PYTHONS = ("python3.14", "python3.13", "python3.12")


def _not_for_this_parser(source: str, exc: SyntaxError) -> Finding | None:
    """A file that is not wrong, only not Python 3.11: a template for a template
    engine, or syntax of a newer Python.  Said as info, never as an error."""
    if "{{" in source and "}}" in source:
        return finding(
            "GW914",
            message="a file for a template engine (cookiecutter/Jinja {{ ... }})",
            fix="lint the project generated from it",
        )
    message = exc.msg or ""
    feature = next((f for marker, f in _NEWER_GRAMMAR if marker in message), None)
    if feature is None or _newer_python_rejects(source):
        return None
    return finding(
        "GW914",
        message=f"line {exc.lineno} needs a newer Python than this one to parse "
        f"({feature}: {message})",
        fix="run apigw-doctor with the Python the function runs on (3.12 or newer)",
    )


def _newer_python_rejects(source: str) -> bool:
    """Whether a newer Python on PATH also fails to parse it (then it is truly broken)."""
    newer = next((p for p in map(shutil.which, _NEWER_PYTHONS) if p), None)
    if newer is None:
        return False  # cannot tell: precision first, not an error
    check = (
        "import ast, sys\n"
        "try:\n    ast.parse(sys.stdin.read())\nexcept SyntaxError:\n    print('rejects')"
    )
    try:
        done = subprocess.run(
            [newer, "-c", check], input=source, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.stdout.strip() == "rejects"  # a broken interpreter shim tells nothing


#: a function that looks like a Lambda handler, in text that does not parse
_HANDLER_TEXT = re.compile(
    r"def\s+(\w+)\s*\(\s*\w*(?:event|evt|request)\w*\s*,\s*\w*(?:context|ctx)"
)


def handler_names_in_text(source: str) -> list[str]:
    """The names of handler-like functions in text that does not parse."""
    return _HANDLER_TEXT.findall(source)


def _not_a_handler(
    path: Path, source: str, templates: TemplateHandlers, exc: SyntaxError
) -> Finding | None:
    """A file that does not parse but is no handler's: a Python 2 script, a file no
    template names in a folder templates govern, a file with nothing handler-like.
    That it does not parse is no API Gateway failure."""
    resolved = path.resolve()
    if resolved in templates.named:
        return None
    if "Missing parentheses in call to 'print'" in (exc.msg or ""):
        why = "a Python 2 file (Lambda has no Python 2 runtime)"
    elif templates.governs(resolved):
        why = "no template names it as an API handler's module"
    elif not _HANDLER_TEXT.search(source):
        why = "nothing in it looks like a Lambda handler"
    else:
        return None
    return finding(
        "GW914",
        message=f"cannot parse ({exc.msg}, line {exc.lineno}): {why}",
        fix="fix the syntax if a handler imports it",
    )


def _syntax_error(path: Path, exc: SyntaxError) -> LintFinding:
    return LintFinding(
        path,
        exc.lineno or 1,
        exc.offset or 1,
        finding("GW913", message=f"{exc.msg} (line {exc.lineno})"),
    )
