"""The deployment as AWS sees it: functions, what triggers them, and the APIs in front.

Plain values, read once by ``project.load_project`` and used by every command:
lint (which functions are API handlers, behind which kind), scan (which
requests to send, which functions to skip and why), serve (which routes to
mount) and audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Cors:
    """An API's CORS settings, as API Gateway applies them.

    REST APIs answer a preflight from an OPTIONS method (SAM's ``Cors`` makes a mock
    one per path, with fixed headers) and add nothing to the function's responses;
    HTTP APIs and function URLs answer preflights themselves and add the headers to
    every response.  ``on_errors``: headers REST adds to its own 4xx/5xx answers
    (``GatewayResponses``), none by default.
    """

    managed: bool  # True: HTTP API / function URL; False: REST's OPTIONS mock
    origins: tuple[str, ...] = ("*",)
    methods: tuple[str, ...] = ("*",)
    headers: tuple[str, ...] = ()
    expose: tuple[str, ...] = ()
    max_age: int | None = None
    credentials: bool = False
    #: REST: the OPTIONS mock's header lines, exactly as configured
    preflight: tuple[tuple[str, str], ...] = ()
    on_errors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Authorizer:
    """Who may call a route, checked by API Gateway before the function runs."""

    name: str
    kind: str  # token, request (Lambda); jwt; iam; cognito
    function: str | None = None  # the Lambda authorizer's logical id
    #: where the identity comes from: ("header", "Authorization"), ("query", "key")...
    identity: tuple[tuple[str, str], ...] = ()
    payload_version: str = "1.0"  # HTTP API Lambda authorizers: 1.0 or 2.0
    simple_responses: bool = False  # HTTP API: {"isAuthorized": bool}
    issuer: str = ""  # JWT
    audience: tuple[str, ...] = ()  # JWT
    #: the route's authorization scopes (JWT, Cognito): the token needs one of them
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binding:
    """One way a request reaches the function through an API."""

    kind: str  # rest, http-1.0, http-2.0, function-url
    method: str  # GET ... or ANY
    path: str  # /items/{id}; a function URL answers every path: /{proxy+}
    #: a proxy integration passes the result through the proxy rules; a non-proxy
    #: (AWS, mock) integration maps it with templates, so any shape is valid
    proxy: bool = True
    api: str = ""  # the API's logical id (or "url" for a function URL)
    stage: str = ""
    binary_media_types: tuple[str, ...] = ()
    authorizer: str | None = None
    cors: Cors | None = None
    auth: Authorizer | None = None  # the authorizer in force (None: open)
    #: the route key as declared when it is not METHOD path (HTTP APIs' ``$default``)
    route_key: str = ""
    #: the JSON schema of the request body the API declares (a request model), as JSON
    #: text so the binding stays hashable; "" when none is declared
    request_schema: str = ""


@dataclass(frozen=True)
class Trigger:
    """Something other than an API that invokes the function."""

    kind: str  # "sqs", "s3", "schedule", "authorizer", "custom-resource", a resource type...
    source: str = ""  # the resource or setting that names the function


@dataclass(frozen=True)
class Function:
    """A Lambda function of the deployment, with what a local run needs."""

    name: str  # the template's logical id (serverless: the function's key)
    template: Path
    #: Lambda's handler setting, module.function (serverless: path/to/module.function),
    #: relative to code_dir, the task root (None: not a Python handler we can read)
    handler: str | None
    code_dir: Path
    runtime: str | None = None
    timeout: float = 3.0
    memory: int = 128
    layers: tuple[Path, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    bindings: tuple[Binding, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    package_type: str = "Zip"
    #: why the handler's file cannot be found here though the handler is known (an
    #: image whose Dockerfile does not show where it comes from); "" when it can
    code_unknown: str = ""
    #: the code written in the template itself (Code.ZipFile, SAM's InlineCode)
    inline_code: str | None = None
    #: the handler module a deployment tool generates beside the code at package time
    #: (serverless-wsgi's wsgi_handler.py): written out before a run
    generated_code: str | None = None
    #: folders whose files the package holds over the code's own (where that generated
    #: handler is written before a run): first on the path
    overlay: tuple[Path, ...] = ()
    #: whether the template lets API Gateway invoke it (an AWS::Lambda::Permission for
    #: apigateway.amazonaws.com, or an integration role); None: not known here
    api_permission: bool | None = None

    @property
    def lacks_api_permission(self) -> bool:
        """Behind an API Gateway route (not only a function URL) with no permission
        for API Gateway in the template."""
        gateway = any(b.kind != "function-url" for b in self.api_bindings)
        return gateway and self.api_permission is False

    @property
    def module_path(self) -> Path:
        module = (self.handler or "").rpartition(".")[0]
        return self.code_dir / (module.replace(".", "/") + ".py")

    @property
    def module_name(self) -> str:
        """The module Lambda imports: ``handlers/api.handler`` -> ``handlers.api``."""
        return (self.handler or "").rpartition(".")[0].replace("/", ".")

    @property
    def function_name(self) -> str:
        return (self.handler or "").rpartition(".")[2]

    @property
    def is_python(self) -> bool:
        """Python, or not said (an image without a recognisable base, say)."""
        return self.runtime is None or self.runtime.startswith("python")

    @property
    def api_bindings(self) -> tuple[Binding, ...]:
        """The bindings whose result API Gateway reads by the proxy rules."""
        return tuple(b for b in self.bindings if b.proxy)

    @property
    def is_api_handler(self) -> bool:
        return bool(self.api_bindings)

    @property
    def why_not_api(self) -> str:
        """Why a function gets no requests: what triggers it instead."""
        if self.bindings and not self.api_bindings:
            return "behind a non-proxy integration (mapping templates decide the response)"
        if self.triggers:
            first: dict[str, str] = {}
            for trigger in self.triggers:
                first.setdefault(trigger.kind, trigger.source)
            return "triggered by " + ", ".join(f"{k} ({s})" for k, s in first.items())
        return "no API or trigger in the template invokes it"


@dataclass(frozen=True)
class Resource:
    """A data resource handlers use (a table, a bucket, a queue), for --mock-aws."""

    kind: str  # the CloudFormation type
    name: str  # its physical name as the functions' environment sees it
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Note:
    """Something in a template that was not understood, or was assumed."""

    where: Path
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


@dataclass
class Project:
    templates: list[Path] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    #: templates that cannot be read (invalid YAML...): file:line: problem
    errors: list[str] = field(default_factory=list)
    #: CDK apps (their folders) without a synthesized cdk.out to read
    cdk_apps: list[Path] = field(default_factory=list)

    @property
    def api_functions(self) -> list[Function]:
        return [f for f in self.functions if f.is_api_handler]

    def governs(self, path: Path) -> bool:
        """Whether a template of the project covers this file's folder."""
        resolved = path.resolve()
        return any(resolved.is_relative_to(t.parent.resolve()) for t in self.templates)
