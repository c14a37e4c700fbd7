"""Which function answers a request: a template's routes, or one handler for all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..events import Route
from ..templates import load_template


@dataclass(frozen=True)
class Endpoint:
    """A route, the API kind in front of it and the function behind it."""

    route: Route
    api: str
    target: str  # path/to/file.py:function, as the worker loads it
    function_name: str
    timeout: float
    binary_media_types: tuple[str, ...] = ()

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
    ) -> RouteTable:
        """Every Api/HttpApi event of every function in a SAM template or serverless.yml."""
        endpoints = []
        for function in load_template(path).functions:
            target = f"{function.module_path}:{function.function_name}"
            for event in function.endpoints:
                endpoints.append(
                    Endpoint(
                        Route(event.path, "ANY" if event.method == "ANY" else event.method),
                        api or event.api,
                        target,
                        function.name,
                        timeout if timeout is not None else function.timeout,
                        binary_media_types or function.binary_media_types,
                    )
                )
        return cls(endpoints)
