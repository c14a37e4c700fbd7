"""The code being linted: parsed modules, the imports between them, and which
functions are Lambda handlers behind which API kind."""

from __future__ import annotations

import ast
import fnmatch
import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from ..project import Function as ModelFunction
from ..project import Project as ProjectModel
from ..project import load_project
from ..project.cdk_source import cdk_named_handlers
from ..project.discover import SKIP_DIRS as _NOT_PROJECTS
from ._flow import Enums, module_enums

#: CDK's handler code is read where its template names it: its copy in cdk.out
SKIP_DIRS = _NOT_PROJECTS - {"cdk.out"}

EVENT_NAMES = ("event", "_event", "evt")
CONTEXT_NAMES = ("context", "_context", "ctx", "_ctx", "lambda_context")

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class ConfigError(Exception):
    """A bad ``[tool.apigw-doctor]`` table; the message names the key and the fix."""


@dataclass(frozen=True)
class Config:
    """``[tool.apigw-doctor]`` in pyproject.toml, merged with command-line options."""

    handlers: tuple[str, ...] = ()
    api: str = "rest"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    source: Path | None = None
    #: the API kind was given (pyproject or --api), not assumed
    api_set: bool = False
    #: every (event, context) function is a handler (a snippet linted on its own)
    by_signature: bool = False

    def wants(self, code: str) -> bool:
        selected = not self.select or any(code.startswith(s) for s in self.select)
        return selected and not any(code.startswith(i) for i in self.ignore)


def load_config(start: Path) -> Config:
    """The nearest pyproject.toml's ``[tool.apigw-doctor]`` (defaults if none)."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read: {exc}") from None
            except RecursionError:  # tomllib recurses per level of nesting
                raise ConfigError(f"{path}: cannot read: nested too deeply") from None
            section = table.get("tool", {}).get("apigw-doctor")
            if section is not None:
                return _config(section, path)
    return Config()


def _config(section: Any, path: Path) -> Config:
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.apigw-doctor] must be a table")
    unknown = set(section) - {"handlers", "api", "select", "ignore"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) in [tool.apigw-doctor]: "
            f"{', '.join(sorted(unknown))} (known: handlers, api, select, ignore)"
        )

    def strings(key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{path}: {key} must be a list of strings, e.g. {key} = ["GW9"]')
        return tuple(value)

    api = section.get("api", "rest")
    from ..rules import API_KINDS

    if api not in API_KINDS:
        raise ConfigError(f"{path}: api = {api!r} is not one of {', '.join(API_KINDS)}")
    return Config(
        strings("handlers"), api, strings("select"), strings("ignore"), path, "api" in section
    )


@dataclass
class Module:
    """One parsed Python file, with what a lint needs to know of it."""

    path: Path
    source: str
    tree: ast.Module

    @cached_property
    def functions(self) -> dict[str, FunctionNode]:
        return {
            node.name: node
            for node in self.tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    @cached_property
    def classes(self) -> dict[str, ast.ClassDef]:
        return {node.name: node for node in self.tree.body if isinstance(node, ast.ClassDef)}

    @cached_property
    def imports(self) -> dict[str, tuple[str, str]]:
        """Local name -> (module, attribute) for ``from module import attribute``."""
        found = {}
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    found[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.ImportFrom) and node.level:
                for alias in node.names:
                    found[alias.asname or alias.name] = (
                        "." * node.level + (node.module or ""),
                        alias.name,
                    )
        return found

    @cached_property
    def module_aliases(self) -> dict[str, str]:
        """Local name -> module for ``import a.b as c`` (and ``import a``)."""
        found = {}
        for node in self.tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        found[alias.asname] = alias.name
                    elif "." not in alias.name:
                        found[alias.name] = alias.name
        return found

    @cached_property
    def resolvers(self) -> dict[str, str]:
        """Module-level names bound to a Powertools API resolver -> its API kind."""
        if "_powertools" not in self.source:
            return {}
        found = {}
        for node in self.tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                kind = _resolver_kind(node.value, self)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if kind and isinstance(target, ast.Name):
                        found[target.id] = kind
        return found

    @cached_property
    def enums(self) -> Enums:
        return module_enums(self.tree)

    def mentions_other_sources(self, node: FunctionNode) -> bool:
        """Whether a function quotes a key only other events have (cheap text test)."""
        return bool(set(_QUOTED.findall(self.segment(node))) & OTHER_SOURCE_KEYS)

    @cached_property
    def strings(self) -> set[str]:
        """Every quoted word of the module (read once, from its text)."""
        return set(_QUOTED.findall(self.source))

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def segment(self, node: ast.stmt) -> str:
        """The source text of a statement (cheap: whole lines, no tokenizing)."""
        return "\n".join(self.lines[node.lineno - 1 : node.end_lineno])

    def text_of(self, node: ast.AST) -> str:
        """A node's source as written (one line), else as ``ast.unparse`` prints it."""
        line: int | None = getattr(node, "lineno", None)
        start: int = getattr(node, "col_offset", 0)
        end: int | None = getattr(node, "end_col_offset", None)
        if line is not None and line == getattr(node, "end_lineno", None):
            raw = self.lines[line - 1].encode("utf-8")  # offsets count UTF-8 bytes
            return raw[start:end].decode("utf-8", "replace")
        return ast.unparse(node)

    @cached_property
    def noqa(self) -> dict[int, frozenset[str] | None]:
        """Line -> codes its ``# noqa: CODE`` names (``None``: a bare ``# noqa``)."""
        found: dict[int, frozenset[str] | None] = {}
        for number, line in enumerate(self.lines, start=1):
            _, marker, rest = line.partition("# noqa")
            if not marker:
                continue
            codes = rest.lstrip(":").replace(",", " ").split() if rest.startswith(":") else []
            found[number] = frozenset(c.upper() for c in codes) or None
        return found


@dataclass
class Handler:
    """A function to lint as a Lambda handler, and the API in front of it."""

    module: Module
    node: FunctionNode
    api: str
    why: str
    #: no template or setting gives the API kind: ``api`` is a guess
    assumed: bool = False
    #: complete sets of values a request brings (see Placement)
    closed: tuple[frozenset[str], ...] = ()

    @property
    def name(self) -> str:
        return self.node.name


def parse(source: str, filename: str) -> ast.Module:
    """``ast.parse``, where source too deeply nested for Python's compiler (it raises
    RecursionError or MemoryError, not SyntaxError: ``x = 1+1+...`` 10,000 terms long)
    is a SyntaxError like any other file Python cannot compile, so every caller
    reports it as a broken file and one file never ends a run."""
    try:
        return ast.parse(source, filename)
    except (RecursionError, MemoryError) as exc:
        raise SyntaxError(
            f"too deeply nested for Python to compile ({type(exc).__name__})",
            (filename, 1, 1, None),
        ) from None


@dataclass
class Project:
    """Every module read so far, so helpers in other files can be analysed too."""

    roots: list[Path]
    modules: dict[Path, Module | None] = field(default_factory=dict)
    _pyjwt: dict[Path, bool] = field(default_factory=dict)
    _resolved: dict[tuple[Path, str], Path | None] = field(default_factory=dict)
    _numbers: list[str | None] = field(default_factory=list)

    def number_evidence(self) -> str | None:
        """Where the project shows its DynamoDB items hold numbers (read once)."""
        if not self._numbers:
            from ._evidence import number_evidence

            self._numbers.append(number_evidence(self.roots))
        return self._numbers[0]

    def module_at(self, path: Path) -> Module | None:
        """The parsed module at ``path`` (``None`` if unreadable or not Python)."""
        path = path.resolve()
        if path not in self.modules:
            try:
                source = path.read_text(encoding="utf-8")
                self.modules[path] = Module(path, source, parse(source, str(path)))
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                self.modules[path] = None
        return self.modules[path]

    def resolve(self, importer: Module, module_name: str) -> Module | None:
        """The project module an import names, searched like sys.path would (once per
        folder and name: ``json.dumps`` asks for ``json`` in every file)."""
        key = (importer.path.parent, module_name)
        if key not in self._resolved:
            self._resolved[key] = self._find(importer, module_name)
        path = self._resolved[key]
        return None if path is None else self.module_at(path)

    def _find(self, importer: Module, module_name: str) -> Path | None:
        level = len(module_name) - len(module_name.lstrip("."))
        relative = module_name.lstrip(".").replace(".", "/")
        if level:
            base = importer.path.parent
            for _ in range(level - 1):
                base = base.parent
            candidates = [base]
        else:
            candidates = [importer.path.parent, *self.roots, *(r / "src" for r in self.roots)]
        for folder in candidates:
            for path in (folder / f"{relative}.py", folder / relative / "__init__.py"):
                if relative and path.is_file():
                    return path
        return None

    def pins_pyjwt_1(self, module: Module) -> bool:
        """Whether the requirements next to ``module`` (or above it, up to a root) pin
        PyJWT below 2, whose ``jwt.encode`` returns bytes (PyJWT 2 returns str)."""
        folder = module.path.parent
        key = folder.resolve()
        if key not in self._pyjwt:
            self._pyjwt[key] = _pins_pyjwt_1(key, self.roots)
        return self._pyjwt[key]

    def function(self, module: Module, name: str) -> tuple[Module, FunctionNode] | None:
        """The function a name refers to in ``module``: defined there or imported
        (``helper``), or a function of an imported project module (``utils.helper``)."""
        if name in module.functions:
            return module, module.functions[name]
        prefix, dot, attribute = name.rpartition(".")
        if dot:
            if "." in prefix:
                return None
            method = self._method(module, prefix, attribute)
            if method is not None:
                return method
            if prefix in module.module_aliases:
                target = self.resolve(module, module.module_aliases[prefix])
            elif prefix in module.imports:
                package, submodule = module.imports[prefix]
                joined = f"{package}.{submodule}" if package.strip(".") else package + submodule
                target = self.resolve(module, joined)
            else:
                return None
            if target is not None and attribute in target.functions:
                return target, target.functions[attribute]
            return None
        if name in module.imports:
            source, attribute = module.imports[name]
            target = self.resolve(module, source)
            if target and attribute in target.functions:
                return target, target.functions[attribute]
        return None

    def _method(
        self, module: Module, class_name: str, name: str
    ) -> tuple[Module, FunctionNode] | None:
        """``Response.ok`` for a static or class method of a class defined in the
        module or imported from a project module (``Response.ok(item)``)."""
        target: Module | None = module
        if class_name not in module.classes and class_name in module.imports:
            source, class_name = module.imports[class_name]
            target = self.resolve(module, source)
        if target is None or class_name not in target.classes:
            return None
        for node in target.classes[class_name].body:
            if (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.name == name
                and any(
                    isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod")
                    for d in node.decorator_list
                )
            ):
                return target, node
        return None


#: files that list a project's dependencies
_REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements.in",
    "pyproject.toml",
    "Pipfile",
    "setup.py",
    "setup.cfg",
    "poetry.lock",
)
_PYJWT_1 = re.compile(
    r"""pyjwt["']?\s*(?:[=:]\s*)?["']?\s*(?:==|~=|<=|\^|~)?\s*1\.|pyjwt[^\n,;]*<\s*2""",
    re.IGNORECASE,
)


def _pins_pyjwt_1(folder: Path, roots: list[Path]) -> bool:
    tops = {r.resolve() for r in roots}
    for candidate in (folder, *folder.parents):
        for name in _REQUIREMENT_FILES:
            path = candidate / name
            if path.is_file():
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if _PYJWT_1.search(text):
                    return True
        if candidate in tops or any(candidate in t.parents for t in tops):
            break
    return False


def python_files(paths: list[Path]) -> list[Path]:
    """Every .py file under ``paths``, skipping virtualenvs, caches and builds."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
            continue
        below: list[Path] = []
        for folder, names, files in os.walk(path):  # as rglob, links to folders not followed
            names[:] = [n for n in names if n not in SKIP_DIRS]
            below.extend(Path(folder, name) for name in files if name.endswith(".py"))
        found.extend(sorted(below))
    return found


class Placement(NamedTuple):
    """Where a template puts a handler: its API kind, and the complete sets of values
    a request can bring (its resources, methods, route keys): an if/elif chain that
    covers one of them has no other path."""

    api: str
    closed: tuple[frozenset[str], ...] = ()


def _placement(function: ModelFunction) -> Placement:
    bindings = function.api_bindings
    closed = [
        frozenset(b.path for b in bindings),
        frozenset(f"{b.method} {b.path}" for b in bindings),
    ]
    if all(b.method != "ANY" for b in bindings):
        closed.append(frozenset(b.method for b in bindings))
    return Placement(bindings[0].kind, tuple(closed))


@dataclass(frozen=True)
class TemplateHandlers:
    """What the project's templates say: module path -> {function: API kind} for the
    functions behind a proxy integration, and the folders the templates govern (where
    no other function is a handler: SQS consumers, authorizers... are not)."""

    named: dict[Path, dict[str, Placement]] = field(default_factory=dict)
    governed: tuple[Path, ...] = ()
    #: no template: module path -> functions a CDK app's source names as handlers
    cdk: dict[Path, frozenset[str]] = field(default_factory=dict)

    def governs(self, path: Path) -> bool:
        return any(path.is_relative_to(folder) for folder in self.governed)


def template_handlers(paths: list[Path], project: ProjectModel | None = None) -> TemplateHandlers:
    """The API handlers the templates under (or above) ``paths`` name."""
    project = project if project is not None else load_project(paths, python_only=True)
    named: dict[Path, dict[str, Placement]] = {}
    for function in project.api_functions:
        if function.handler is not None and function.is_python:
            named.setdefault(function.module_path.resolve(), {})[function.function_name] = (
                _placement(function)
            )
    governed = tuple(t.parent.resolve() for t in project.templates if not _is_build_output(t))
    if project.functions:
        return TemplateHandlers(named, governed)
    return TemplateHandlers(named, (), cdk_named_handlers(project.cdk_apps))


def _is_build_output(template: Path) -> bool:
    return "cdk.out" in template.parts


def find_handlers(
    module: Module, config: Config, from_templates: TemplateHandlers | None = None
) -> list[Handler]:
    """The handlers of one module: from a template, the config, or what they read."""
    templates = from_templates or TemplateHandlers()
    path = module.path.resolve()
    named = templates.named.get(path)
    if named:
        return [
            Handler(
                module,
                module.functions[name],
                place.api,
                "named by the template",
                closed=place.closed,
            )
            for name, place in named.items()
            if name in module.functions
        ]
    if templates.governs(path) and not config.handlers:
        return []  # a template governs this file and names no API handler in it
    handlers = []
    for node in module.functions.values():
        assumed = not config.api_set
        if config.handlers and _matches(module, node.name, config.handlers):
            handlers.append(Handler(module, node, config.api, "named in pyproject.toml", assumed))
        elif (
            not config.handlers
            and looks_like_handler(node)
            and (
                config.by_signature
                or serves_an_api(node, module)
                or _named_by_cdk(node, module, templates.cdk.get(path, frozenset()))
            )
        ):
            resolved = None if config.api_set else resolver_api(node, module)
            handlers.append(
                Handler(
                    module,
                    node,
                    resolved or config.api,
                    "hands its event to a Powertools resolver"
                    if resolved
                    else "reads an API Gateway event",
                    assumed and not resolved,
                )
            )
    return handlers


#: what only an API Gateway event has
_REQUEST_MARKERS = frozenset(
    {
        "httpMethod",
        "requestContext",
        "routeKey",
        "pathParameters",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "rawPath",
        "rawQueryString",
    }
)
#: what a proxy response has (other handlers return statusCode too, by habit)
_RESPONSE_MARKERS = frozenset({"statusCode", "isBase64Encoded"})


#: what only other events have: SQS/SNS/S3 records, EventBridge, custom resources,
#: authorizers, Cognito triggers
_OTHER_EVENT_MARKERS = frozenset(
    {
        "Records",
        "detail-type",
        "RequestType",
        "ResourceProperties",
        "authorizationToken",
        "methodArn",
        "routeArn",
        "triggerSource",
        "awslogs",
    }
)


#: what only an Application Load Balancer's target builds: its events look like REST
#: proxy events (httpMethod, path, queryStringParameters), its responses do not
_LOAD_BALANCER_MARKERS = frozenset({"statusDescription"})


#: every top-level key of an API Gateway event (payload 1.0 and 2.0)
_API_EVENT_KEYS = _REQUEST_MARKERS | {
    "resource",
    "path",
    "headers",
    "multiValueHeaders",
    "stageVariables",
    "body",
    "isBase64Encoded",
    "version",
    "cookies",
}


_QUOTED = re.compile(r"""["']([A-Za-z][\w-]*)["']""")


@functools.lru_cache(maxsize=64)
def _key_reads(name: str) -> re.Pattern[str]:
    return re.compile(rf"""\b{re.escape(name)}\s*(?:\[\s*|\.get\(\s*)["']([^"'\n]+)["']""")


def _reads(node: FunctionNode, module: Module) -> tuple[set[str], set[str]]:
    """From the function's text (no tree walk: this runs for every candidate of a
    big tree): the words it quotes, and the keys it reads off its first parameter
    (``event["x"]``, ``event.get("x")``); commented-out lines are not read."""
    text = "\n".join(
        line for line in module.segment(node).splitlines() if not line.lstrip().startswith("#")
    )
    args = node.args.posonlyargs + node.args.args
    keys = set(_key_reads(args[0].arg).findall(text)) if args else set()
    return set(_QUOTED.findall(text)), keys


#: keys only other events have: a branch testing one serves that source, not an API
OTHER_SOURCE_KEYS = frozenset(
    {
        "Records",
        "detail-type",
        "detail",
        "source",
        "RequestType",
        "ResourceProperties",
        "authorizationToken",
        "methodArn",
        "triggerSource",
        "awslogs",
        "Sns",
    }
)


#: WSGI/ASGI adapters that turn an API Gateway event into a request for an app
#: (``awsgi.response(app, event, context)``, ``serverless_wsgi.handle_request``...)
_ADAPTERS = ("awsgi", "aws_wsgi", "serverless_wsgi", "apig_wsgi", "mangum")
_ADAPTER_CALL = re.compile(rf"\b(?:{'|'.join(_ADAPTERS)})\.\w+\s*\(")


#: Powertools' event handlers for API Gateway, by the API kind whose events each
#: reads (``ALBResolver`` and the others serve other sources)
_RESOLVERS = {
    "APIGatewayRestResolver": "rest",
    "ApiGatewayResolver": "rest",
    "APIGatewayHttpResolver": "http-2.0",
    "LambdaFunctionUrlResolver": "function-url",
}
_POWERTOOLS = "aws_lambda_powertools"


def resolver_api(node: FunctionNode, module: Module) -> str | None:
    """The API kind of a Powertools resolver the function hands its event to
    (``return app.resolve(event, context)``, ``app = APIGatewayRestResolver()`` at
    module level), if it does: an API handler whose routes are the resolver's."""
    text = module.segment(node)
    if ".resolve(" not in text:
        return None
    for name, kind in module.resolvers.items():
        if re.search(rf"\b{re.escape(name)}\.resolve\(", text):
            return kind
    return None


def _resolver_kind(value: ast.expr, module: Module) -> str | None:
    """``APIGatewayRestResolver(...)`` (imported from Powertools) -> its API kind."""
    found = _imported_callable(value.func, module) if isinstance(value, ast.Call) else None
    if found is None or not found[0].startswith(_POWERTOOLS):
        return None
    return _RESOLVERS.get(found[1])


def _hands_to_an_adapter(node: FunctionNode, module: Module) -> bool:
    """The function passes its event to a WSGI/ASGI adapter or a Powertools resolver:
    an API handler whatever its own text reads."""
    text = module.segment(node)
    if _ADAPTER_CALL.search(text) or resolver_api(node, module):
        return True
    imported = [n for n, (m, _) in module.imports.items() if m.split(".")[0] in _ADAPTERS]
    return any(re.search(rf"\b{re.escape(name)}\s*\(", text) for name in imported)


#: factories that wrap a WSGI/ASGI app into a Lambda handler, and Chalice's app, which
#: is its own handler (``chalice package`` deploys ``app.app``): (module, callable)
_HANDLER_FACTORIES = frozenset(
    {("mangum", "Mangum"), ("apig_wsgi", "make_lambda_handler"), ("chalice", "Chalice")}
)


def adapter_handlers(module: Module) -> list[str]:
    """Module-level names bound to an adapter-made handler (``handler = Mangum(app)``,
    ``lambda_handler = make_lambda_handler(app)``): API handlers with no function of
    their own, so without a template only this shape says they are there."""
    found = []
    for node in module.tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and _factory(node.value.func, module) in _HANDLER_FACTORIES
        ):
            found.append(node.targets[0].id)
    return found


def _factory(func: ast.expr, module: Module) -> tuple[str, str] | None:
    """``Mangum`` imported from mangum, or ``mangum.Mangum``: (top module, name)."""
    found = _imported_callable(func, module)
    return (found[0].split(".")[0], found[1]) if found else None


def _imported_callable(func: ast.expr, module: Module) -> tuple[str, str] | None:
    """(the module it comes from, its name) of a callable the module imported:
    ``Mangum`` after ``from mangum import Mangum``, ``mangum.Mangum`` after ``import
    mangum``, ``event_handler.APIGatewayRestResolver`` after ``from
    aws_lambda_powertools import event_handler``."""
    if isinstance(func, ast.Name):
        return module.imports.get(func.id)
    if not isinstance(func, ast.Attribute):
        return None
    root = func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return None
    origin = module.module_aliases.get(root.id) or module.imports.get(root.id, ("", ""))[0]
    return (origin, func.attr) if origin else None


def serves_an_api(node: FunctionNode, module: Module) -> bool:
    """Without a template: a function reads an API Gateway event or builds a proxy
    response (itself, or through helpers of its module), and reads no other event;
    or hands its event to a WSGI/ASGI adapter (aws-wsgi, serverless-wsgi, Mangum).

    A function that reads a key no API Gateway event has (``event["SecretId"]``,
    ``event["apiPath"]``) is fed by something else, whatever it returns."""
    if _hands_to_an_adapter(node, module):
        return True
    own, keys = _reads(node, module)
    if keys - _API_EVENT_KEYS or (own | module.strings) & _LOAD_BALANCER_MARKERS:
        return False
    if own & _REQUEST_MARKERS:
        return True
    if own & _OTHER_EVENT_MARKERS:
        return False
    return bool(own & _RESPONSE_MARKERS or module.strings & (_REQUEST_MARKERS | _RESPONSE_MARKERS))


def _named_by_cdk(node: FunctionNode, module: Module, names: frozenset[str]) -> bool:
    """A function a CDK app names as a handler (``handler="hitcounter.handler"``) that
    reads an API Gateway event's keys and no other event's (``event["path"]`` alone is
    no proof without the app's word that it is a Lambda handler)."""
    if node.name not in names or reads_another_event(node, module):
        return False
    _, keys = _reads(node, module)
    return bool(keys & _API_EVENT_KEYS)


def reads_another_event(node: FunctionNode, module: Module) -> bool:
    """A function that reads keys only other events have (``event["Records"]``)."""
    own, keys = _reads(node, module)
    return bool(
        keys - _API_EVENT_KEYS
        or own & _OTHER_EVENT_MARKERS
        or (own | module.strings) & _LOAD_BALANCER_MARKERS
    )


def _matches(module: Module, name: str, patterns: tuple[str, ...]) -> bool:
    dotted = f"{module.path.stem}.{name}"
    return any(fnmatch.fnmatchcase(dotted, pattern) for pattern in patterns)


def looks_like_handler(node: FunctionNode) -> bool:
    """``(event, context)``; more parameters only when a decorator supplies them or
    they have defaults (Lambda itself passes two)."""
    params = node.args.posonlyargs + node.args.args
    args = [a.arg for a in params]
    if len(args) < 2 or args[0] not in EVENT_NAMES or args[1] not in CONTEXT_NAMES:
        return False
    extra = len(args) - 2
    return extra == 0 or bool(node.decorator_list) or len(node.args.defaults) >= extra
