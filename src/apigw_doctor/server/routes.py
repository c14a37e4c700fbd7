"""Which function answers a request: a template's routes, or one handler for all.

Routes come from the project model's bindings; the functions behind them are the
runtime's ``LocalFunction``s, so ``serve`` runs them exactly as ``scan`` and
``invoke`` do.  A request may carry the stage in its path (``/Prod/hello``, as the
deployed URL does); when two APIs declare the same route, the second is served
under a prefix of its own name, so every route stays reachable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..events import Route
from ..project import Authorizer, Binding, Cors, Function, Project, load_template
from ..runtime.invoke import LocalFunction, binding_for, route_of


@dataclass(frozen=True)
class Endpoint:
    """A route, the binding it comes from and the function behind it."""

    route: Route
    binding: Binding
    function: LocalFunction
    #: the Lambda authorizer's function (auth of kind token/request)
    auth_function: LocalFunction | None = None
    #: the path prefix this API is served under when its routes clash with another's
    prefix: str = ""

    @classmethod
    def of(
        cls,
        target: str,
        resource: str,
        api: str = "rest",
        *,
        method: str = "ANY",
        timeout: float = 3.0,
        binary_media_types: tuple[str, ...] = (),
    ) -> Endpoint:
        """One handler (``module:function``, ``file.py:function``) on one route."""
        binding = replace(binding_for(api, resource, method), binary_media_types=binary_media_types)
        function = LocalFunction(target, target.rpartition(":")[2] or "handler", timeout)
        return cls(route_of(binding, resource), binding, function)

    @property
    def api(self) -> str:
        return self.binding.kind

    @property
    def target(self) -> str:
        return self.function.target

    @property
    def function_name(self) -> str:
        return self.function.name

    @property
    def timeout(self) -> float:
        return self.function.timeout

    @property
    def binary_media_types(self) -> tuple[str, ...]:
        return self.binding.binary_media_types

    @property
    def cors(self) -> Cors | None:
        return self.binding.cors

    @property
    def auth(self) -> Authorizer | None:
        return self.binding.auth

    @property
    def stage(self) -> str:
        return self.binding.stage

    @property
    def specificity(self) -> tuple[int, int, int]:
        return self.route.specificity


class RouteTable:
    def __init__(self, endpoints: list[Endpoint], warnings: tuple[str, ...] = ()) -> None:
        self.endpoints = sorted(endpoints, key=lambda e: e.specificity, reverse=True)
        #: what the table had to decide (two APIs with the same route), said at start
        self.warnings = warnings
        self._stages = tuple(
            sorted({e.stage for e in endpoints if e.stage and e.stage != "$default"})
        )

    def match(self, method: str, path: str) -> tuple[Endpoint, str] | None:
        """The endpoint answering ``method path``, and the path as the API sees it
        (without an API prefix or a leading stage name)."""
        for candidate in self._paths(path):
            for endpoint in self.endpoints:
                inner = _under(candidate, endpoint.prefix)
                if inner is not None and endpoint.route.match(method, inner) is not None:
                    return endpoint, inner
        return None

    def _paths(self, path: str) -> list[str]:
        """The path as sent, then without a leading stage name (``/Prod/hello``)."""
        paths = [path]
        for stage in self._stages:
            inner = _under(path, f"/{stage}")
            if inner is not None:
                paths.append(inner)
        return paths

    def cors_for(self, path: str) -> tuple[str, Cors] | None:
        """The API kind and CORS settings of the API answering ``path``, whatever the
        method."""
        for candidate in self._paths(path):
            for endpoint in self.endpoints:
                inner = _under(candidate, endpoint.prefix)
                if (
                    endpoint.cors is not None
                    and inner is not None
                    and Route(endpoint.route.resource).match("GET", inner) is not None
                ):
                    return endpoint.api, endpoint.cors
        return None

    def with_cors(self, cors: Cors) -> RouteTable:
        """Every route with these CORS settings (``serve --cors``)."""
        endpoints = [replace(e, binding=replace(e.binding, cors=cors)) for e in self.endpoints]
        return RouteTable(endpoints, self.warnings)

    def without_auth(self) -> RouteTable:
        """Every route open (``serve --no-auth``)."""
        endpoints = [
            replace(e, binding=replace(e.binding, auth=None), auth_function=None)
            for e in self.endpoints
        ]
        return RouteTable(endpoints, self.warnings)

    def with_variables(self, variables: dict[str, str]) -> RouteTable:
        """The same routes, every function seeing ``variables`` too (the AWS account)."""
        return RouteTable(
            [
                replace(
                    e,
                    function=e.function.with_variables(variables),
                    auth_function=e.auth_function.with_variables(variables)
                    if e.auth_function
                    else None,
                )
                for e in self.endpoints
            ],
            self.warnings,
        )

    @property
    def functions(self) -> list[LocalFunction]:
        """Every function the table calls, once each (authorizers too)."""
        found = {e.function.target: e.function for e in self.endpoints}
        found.update({e.auth_function.target: e.auth_function for e in self.endpoints
                      if e.auth_function})  # fmt: skip
        return list(found.values())

    @property
    def default_api(self) -> str:
        """The API kind that answers a path no route matches (REST when there is one)."""
        apis = {e.api for e in self.endpoints}
        return "rest" if "rest" in apis or not apis else sorted(apis)[0]

    @classmethod
    def single(
        cls, target: str, api: str, *, timeout: float, binary_media_types: tuple[str, ...] = ()
    ) -> RouteTable:
        """One handler behind every path, as a ``{proxy+}`` resource (and ``/``)."""
        name = target.rpartition(":")[2] or "handler"
        function = LocalFunction(target, name, timeout)
        binding = replace(binding_for(api), binary_media_types=binary_media_types)
        return cls(
            [Endpoint(route_of(binding, path), binding, function) for path in ("/", "/{proxy+}")]
        )

    @classmethod
    def from_template(
        cls,
        path: Path,
        *,
        api: str | None = None,
        timeout: float | None = None,
        binary_media_types: tuple[str, ...] = (),
        parameters: dict[str, str] | None = None,
    ) -> RouteTable:
        """Every proxy route of every function of a template (and its nested stacks)."""
        project = load_template(path, parameters=parameters or {})
        return cls.from_project(
            project, api=api, timeout=timeout, binary_media_types=binary_media_types
        )

    @classmethod
    def from_project(
        cls,
        project: Project,
        *,
        api: str | None = None,
        timeout: float | None = None,
        binary_media_types: tuple[str, ...] = (),
        env_vars: dict[str, dict[str, str]] | None = None,
    ) -> RouteTable:
        endpoints = []
        by_name = {f.name: f for f in project.functions}
        for function in project.api_functions:
            if function.handler is None or not function.is_python or function.code_unknown:
                continue  # (serve notes an image whose handler file is not found)
            local = LocalFunction.of(function, env_vars=env_vars, timeout=timeout)
            for binding in function.api_bindings:
                if api:
                    binding = replace(binding, kind=api)
                if binary_media_types:
                    binding = replace(binding, binary_media_types=binary_media_types)
                auth_function = _auth_function(binding.auth, by_name, env_vars)
                for path in _paths(binding):
                    endpoints.append(
                        Endpoint(route_of(binding, path), binding, local, auth_function)
                    )
        return cls(*_separated(endpoints))


def _auth_function(
    auth: Authorizer | None,
    functions: dict[str, Function],
    env_vars: dict[str, dict[str, str]] | None,
) -> LocalFunction | None:
    function = functions.get(auth.function) if auth and auth.function else None
    if function is None or function.handler is None or not function.is_python:
        return None
    return LocalFunction.of(function, env_vars=env_vars)


def _paths(binding: Binding) -> tuple[str, ...]:
    """A function URL and an HTTP API's catch-all answer ``/`` too; REST's {proxy+} does not."""
    if binding.path == "/{proxy+}" and binding.kind != "rest":
        return ("/", "/{proxy+}")
    return (binding.path,)


def _separated(endpoints: list[Endpoint]) -> tuple[list[Endpoint], tuple[str, ...]]:
    """When two APIs declare the same method and route, the first API (by name) keeps
    the plain paths and every other one is served under ``/<its name>``; said as a
    warning."""
    owner: dict[tuple[str, str], str] = {}
    clashing: dict[str, str] = {}  # later API -> the API it clashes with
    for endpoint in sorted(endpoints, key=lambda e: e.binding.api or e.binding.kind):
        key = (endpoint.route.method, endpoint.route.resource)
        api = endpoint.binding.api or endpoint.binding.kind
        first = owner.setdefault(key, api)
        if first != api and api not in clashing:
            clashing[api] = first
    if not clashing:
        return endpoints, ()
    warnings = tuple(
        f"APIs {first} and {api} declare the same route(s): {first} is served at "
        f"the plain paths, {api} under /{_slug(api)} (e.g. /{_slug(api)}/...)"
        for api, first in clashing.items()
    )
    separated = [
        replace(e, prefix=f"/{_slug(e.binding.api or e.binding.kind)}")
        if (e.binding.api or e.binding.kind) in clashing
        else e
        for e in endpoints
    ]
    return separated, warnings


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) or "api"


def _under(path: str, prefix: str) -> str | None:
    """``path`` without ``prefix`` (a whole leading segment), or None if not under it."""
    if not prefix:
        return path
    if path == prefix:
        return "/"
    if path.startswith(prefix + "/"):
        return path[len(prefix) :]
    return None
