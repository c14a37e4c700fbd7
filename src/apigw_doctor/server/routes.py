"""Which function answers a request: a template's routes, or one handler for all."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..environment import Environment, environment_for
from ..events import Route
from ..project import Authorizer, Binding, Cors, Function, Project, load_template


@dataclass(frozen=True)
class FunctionRef:
    """A function the gateway calls besides the route's own (a Lambda authorizer)."""

    target: str
    function_name: str
    timeout: float
    environment: Environment | None = None
    runtime: str | None = None
    memory_mb: int = 0

    @classmethod
    def of(cls, function: Function, env_vars: dict[str, dict[str, str]] | None) -> FunctionRef:
        return cls(
            f"{function.module_name}:{function.function_name}",
            function.name,
            function.timeout,
            environment_for(function, overrides=env_vars),
            function.runtime,
            function.memory,
        )


@dataclass(frozen=True)
class Endpoint:
    """A route, the API kind in front of it and the function behind it."""

    route: Route
    api: str
    #: as the worker imports it: Lambda's dotted module under the code folder
    #: (``handlers.api:handler``), or path/to/file.py:function
    target: str
    function_name: str
    timeout: float
    binary_media_types: tuple[str, ...] = ()
    #: what the function sees (template environment, layers); None: the server's own
    environment: Environment | None = None
    runtime: str | None = None  # the template's Runtime (how results are serialised)
    memory_mb: int = 0  # the template's MemorySize; 0: not limited
    cors: Cors | None = None
    auth: Authorizer | None = None
    #: the Lambda authorizer's function (auth of kind token/request)
    auth_function: FunctionRef | None = None
    stage: str = ""

    @property
    def specificity(self) -> tuple[int, int, int]:
        """Literal segments beat {params}, which beat {greedy+}; exact methods beat ANY."""
        segments = self.route.resource.strip("/").split("/")
        literal = sum(1 for s in segments if not s.startswith("{"))
        greedy = any(s.endswith("+}") for s in segments)
        return (0 if greedy else 1, literal, 0 if self.route.method == "ANY" else 1)


class RouteTable:
    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.endpoints = sorted(endpoints, key=lambda e: e.specificity, reverse=True)

    def match(self, method: str, path: str) -> Endpoint | None:
        for endpoint in self.endpoints:
            if endpoint.route.match(method, path) is not None:
                return endpoint
        return None

    def cors_for(self, path: str) -> tuple[str, Cors] | None:
        """The API kind and CORS settings of the API answering ``path``, whatever the
        method."""
        for endpoint in self.endpoints:
            if (
                endpoint.cors is not None
                and Route(endpoint.route.resource).match("GET", path) is not None
            ):
                return endpoint.api, endpoint.cors
        return None

    def with_cors(self, cors: Cors) -> RouteTable:
        """Every route with these CORS settings (``serve --cors``)."""
        return RouteTable([replace(e, cors=cors) for e in self.endpoints])

    def without_auth(self) -> RouteTable:
        """Every route open (``serve --no-auth``)."""
        return RouteTable([replace(e, auth=None, auth_function=None) for e in self.endpoints])

    def with_variables(self, variables: dict[str, str]) -> RouteTable:
        """The same routes, every function seeing ``variables`` too (--mock-aws's
        endpoint and credentials)."""
        return RouteTable(
            [
                replace(
                    e,
                    environment=replace(
                        e.environment or Environment(),
                        variables={**(e.environment or Environment()).variables, **variables},
                    ),
                )
                for e in self.endpoints
            ]
        )

    @property
    def default_api(self) -> str:
        """The API kind that answers a path no route matches (REST when there is one)."""
        apis = {e.api for e in self.endpoints}
        return "rest" if "rest" in apis or not apis else sorted(apis)[0]

    @classmethod
    def single(
        cls, target: str, api: str, *, timeout: float, binary_media_types: tuple[str, ...] = ()
    ) -> RouteTable:
        """One handler behind every path, as a ``{proxy+}`` resource."""
        name = target.rpartition(":")[2] or "handler"
        return cls(
            [
                Endpoint(Route(resource, "ANY"), api, target, name, timeout, binary_media_types)
                for resource in ("/", "/{proxy+}")
            ]
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
            if function.handler is None or not function.is_python:
                continue
            target = f"{function.module_name}:{function.function_name}"
            for binding in function.api_bindings:
                for resource in _resources(binding):
                    endpoints.append(
                        Endpoint(
                            Route(resource, binding.method),
                            api or binding.kind,
                            target,
                            function.name,
                            timeout if timeout is not None else function.timeout,
                            binary_media_types or binding.binary_media_types,
                            environment_for(function, overrides=env_vars),
                            function.runtime,
                            function.memory,
                            binding.cors,
                            binding.auth,
                            _auth_function(binding.auth, by_name, env_vars),
                            binding.stage,
                        )
                    )
        return cls(endpoints)


def _auth_function(
    auth: Authorizer | None,
    functions: dict[str, Function],
    env_vars: dict[str, dict[str, str]] | None,
) -> FunctionRef | None:
    function = functions.get(auth.function) if auth and auth.function else None
    if function is None or function.handler is None or not function.is_python:
        return None
    return FunctionRef.of(function, env_vars)


def _resources(binding: Binding) -> tuple[str, ...]:
    """A function URL and an HTTP API's catch-all answer ``/`` too; REST's {proxy+} does not."""
    if binding.path == "/{proxy+}" and binding.kind != "rest":
        return ("/", "/{proxy+}")
    return (binding.path,)
