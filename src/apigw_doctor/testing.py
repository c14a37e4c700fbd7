"""A test client that puts API Gateway's rules between your tests and your handler.

Like starlette's ``TestClient``, but for Lambda handlers: requests become the
events API Gateway sends, results are serialised as the Lambda runtime does,
and the rules core decides what the client receives, all in-process::

    from apigw_doctor.testing import Gateway

    def test_get_item():
        api = Gateway(app.handler, api="rest", resource="/items/{id}")
        response = api.get("/items/42")
        assert response.status_code == 200, response.verdict.findings
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from .catalogue import Finding
from .events import HttpRequest
from .rules import Verdict, profile_for
from .runtime.invocation import Handler, Invocation
from .runtime.invoke import LocalFunction, binding_for, call

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]] | None
QueryInput = Mapping[str, str] | Iterable[tuple[str, str]] | None


class MalformedResponse(AssertionError):
    """Raised in strict mode when API Gateway would answer with its own 5xx."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        lines = [f"API Gateway ({verdict.api}) would answer {verdict.status}:"]
        lines += [
            f"  {f.code} [{f.rule}, {f.confidence}] {f.message}\n    fix: {f.fix}"
            for f in verdict.errors
        ]
        super().__init__("\n".join(lines))


class Headers(Mapping[str, str]):
    """Response headers: case-insensitive, repeated lines joined as HTTP reads them."""

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self.lines = lines

    def __getitem__(self, name: str) -> str:
        values = self.get_list(name)
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def get_list(self, name: str) -> list[str]:
        return [v for n, v in self.lines if n.lower() == name.lower()]

    def __iter__(self) -> Any:
        return iter(dict.fromkeys(n.lower() for n, _ in self.lines))

    def __len__(self) -> int:
        return len({n.lower() for n, _ in self.lines})

    def __repr__(self) -> str:
        return f"Headers({self.lines!r})"


class Response:
    """What the client of the API receives, with the verdict that explains it."""

    def __init__(self, verdict: Verdict, invocation: Invocation, event: dict[str, Any]) -> None:
        self.verdict = verdict
        self.invocation = invocation
        self.event = event
        self.status_code = verdict.status
        self.headers = Headers(verdict.headers)
        self.content = verdict.body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.verdict.findings

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


class Gateway:
    """An in-process API Gateway in front of one handler."""

    def __init__(
        self,
        handler: Handler,
        api: str = "rest",
        *,
        resource: str | None = None,
        binary_media_types: Iterable[str] = (),
        stage: str | None = None,
        stage_variables: dict[str, str] | None = None,
        function_name: str = "handler",
        timeout_seconds: float = 3.0,
        strict: bool = False,
    ) -> None:
        profile_for(api)  # fail now on an unknown kind, with the list of kinds
        self.handler = handler
        self.api = api
        self.binding = replace(
            binding_for(api, resource), binary_media_types=tuple(binary_media_types)
        )
        self.function = LocalFunction(
            getattr(handler, "__name__", "handler"), function_name, timeout_seconds
        )
        self.stage = stage
        self.stage_variables = stage_variables
        self.strict = strict
        #: every response so far, so a test (or the pytest plugin) can inspect them
        self.responses: list[Response] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: HeaderInput = None,
        query: QueryInput = None,
        json: Any = None,
        data: bytes | str | None = None,
    ) -> Response:
        header_list = _pairs(headers)
        body = data.encode("utf-8") if isinstance(data, str) else (data or b"")
        if json is not None:
            body = jsonlib.dumps(json).encode("utf-8")
            if not any(n.lower() == "content-type" for n, _ in header_list):
                header_list.append(("Content-Type", "application/json"))
        request = HttpRequest.from_target(
            method, path, headers=header_list, query=_pairs(query), body=body
        )
        return self.send(request)

    def send(self, request: HttpRequest) -> Response:
        """Run one request through the event builder, the handler and the rules: the
        same steps as ``scan``, ``invoke`` and ``serve`` (``runtime.invoke``)."""
        outcome = call(
            self.handler,
            self.function,
            self.binding,
            request,
            stage=self.stage,
            stage_variables=self.stage_variables,
        )
        verdict, invocation, event = outcome.verdict, outcome.invocation, outcome.event
        response = Response(verdict, invocation, event)
        self.responses.append(response)
        if self.strict and verdict.errors:
            raise MalformedResponse(verdict)
        return response

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)


def _pairs(items: HeaderInput) -> list[tuple[str, str]]:
    if items is None:
        return []
    if isinstance(items, Mapping):
        return [(str(k), str(v)) for k, v in items.items()]
    return [(str(k), str(v)) for k, v in items]
