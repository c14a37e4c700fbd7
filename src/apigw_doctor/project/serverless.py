"""serverless.yml (Serverless Framework): functions, their events and settings.

Variables (``${self:...}``, ``${opt:stage, 'dev'}``, ``${env:X}``, ``${sls:stage}``)
are resolved where the file alone can say their value; the rest stay visible
as placeholders and are listed as notes.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import authorizers as authorizers_of
from . import cors as cors_of
from . import image as image_of
from .files import TemplateError
from .generated import serverless_wsgi_handler
from .model import Authorizer, Binding, Function, Note, Trigger

_VARIABLE = re.compile(r"\$\{([^{}]+)\}")
#: how many ${self:} references may stand behind one another, and how long a value
#: they make may grow: far past real files, short of what exhausts memory or the stack
DEEPEST_REFERENCES = 50
LONGEST = 1_000_000
#: events that are not APIs: what the output calls them
_TRIGGERS = {
    "sqs": "SQS",
    "sns": "SNS",
    "s3": "S3",
    "schedule": "schedule",
    "stream": "stream",
    "eventBridge": "EventBridge rule",
    "cloudwatchEvent": "EventBridge rule",
    "cloudwatchLog": "CloudWatch Logs",
    "cognitoUserPool": "Cognito trigger",
    "alb": "ALB target",
    "iot": "IoT rule",
    "websocket": "WebSocket API",
    "kafka": "Kafka",
    "alexaSkill": "Alexa",
}
#: plugins whose generated handler stands in for the app's code
_WSGI_HANDLERS = ("wsgi_handler.handler", "wsgi.handler")


class Reader:
    def __init__(self, path: Path, data: dict[str, Any], *, stage: str | None, region: str) -> None:
        self.path = path
        self.data = data
        self.notes: list[Note] = []
        self.unresolved: set[str] = set()
        #: the ${self:...} references being resolved, outermost first (a cycle check)
        self.resolving: list[str] = []
        #: each ${self:key} once resolved: a value that repeats another twice, which
        #: repeats the next twice... costs its length, not 2**depth lookups
        self.resolved_self: dict[str, str | None] = {}
        provider = _dict(data.get("provider"))
        self.options = {"stage": stage, "region": region}
        self.stage = stage or self._text(provider.get("stage", "dev")) or "dev"
        self.options["stage"] = self.stage
        self.resolved_self.clear()  # read before the stage was known

    # -- variables -------------------------------------------------------------------
    def _text(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if not isinstance(value, str):
            return "" if value is None else str(value)
        text: str = value
        for _ in range(10):  # variables may nest: ${self:custom.${opt:stage}}
            replaced = _VARIABLE.sub(self._variable, text)
            if replaced == text:
                break
            if len(replaced) > LONGEST:
                raise TemplateError(
                    f"{self.path}: {value[:60]!r} expands past {LONGEST:,} characters "
                    "(variables that repeat each other): not read"
                )
            text = replaced
        return text

    def _scopes(self, value: Any) -> list[Any] | None:
        """A route's scopes with their variables resolved (an unknown one stays as it
        was, so ``with_scopes`` leaves the route's scopes unchecked)."""
        if not isinstance(value, list):
            return None
        return [self._known(v) or {"unknown": v} for v in value]

    def _known(self, value: Any) -> str | None:
        """A setting's text, or None when it is not text or a variable in it is not
        known here (a JWT authorizer then leaves that setting unchecked)."""
        if not isinstance(value, str):
            return None
        before, self.unresolved = self.unresolved, set()
        try:
            text = self._text(value)
            missing = bool(self.unresolved)
        finally:
            self.unresolved = before | self.unresolved
        return None if missing else text

    def _variable(self, match: re.Match[str]) -> str:
        expression = match.group(1)
        for candidate in _alternatives(expression):
            found = self._lookup(candidate)
            if found is not None:
                return found
        self.unresolved.add("${" + expression + "}")
        return "<" + expression + ">"

    def _lookup(self, candidate: str) -> str | None:
        if candidate[:1] in "'\"" and candidate[-1:] == candidate[:1]:
            return candidate[1:-1]
        source, _, key = candidate.partition(":")
        if source == "opt":
            return self.options.get(key) or None
        if source == "sls" and key == "stage":
            return self.stage
        if source == "env":
            return os.environ.get(key)
        if source == "self":
            return self._self(key)
        return None

    def _self(self, key: str) -> str | None:
        """``${self:key}``: the file's own value at ``key``, its variables resolved; a
        :class:`TemplateError` for a cycle (``a: ${self:b}``, ``b: ${self:a}``), which
        the framework also refuses."""
        if key in self.resolved_self:
            return self.resolved_self[key]
        if key in self.resolving or len(self.resolving) >= DEEPEST_REFERENCES:
            keys = [f"${{self:{k}}}" for k in (*self.resolving, key)]
            chain = " -> ".join(keys if len(keys) < 6 else [*keys[:3], "...", *keys[-2:]])
            problem = "refers to itself" if key in self.resolving else "nests too deeply"
            raise TemplateError(f"{self.path}: {chain}: {problem}: not read")
        value: Any = self.data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, (str, int, float)):
            return None
        self.resolving.append(key)
        try:
            found = self.resolved_self[key] = self._text(value)
        finally:
            self.resolving.pop()
        return found

    # -- functions -------------------------------------------------------------------
    def resolved(self, value: Any, depth: int = 0) -> Any:
        """``value`` with the framework's variables resolved in every string (the
        ``resources`` section: ``TableName: ${self:service}-${sls:stage}``)."""
        if depth > 64:  # deeper than any template: left as it is
            return value
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, dict):
            return {k: self.resolved(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolved(v, depth + 1) for v in value]
        return value

    def read(self) -> list[Function]:
        provider = _dict(self.data.get("provider"))
        cloud = self._text(provider.get("name", "aws")) or "aws"
        if cloud != "aws":
            self.notes.append(Note(self.path, f"provider {cloud}: not AWS, not read"))
            return []
        plugins = self.data.get("plugins")
        plugin_names = plugins if isinstance(plugins, list) else _dict(plugins).get("modules") or []
        functions = []
        for name, spec in _dict(self.data.get("functions")).items():
            function = self._function(str(name), _dict(spec), provider, plugin_names)
            if function is not None:
                functions.append(function)
        authorizers = {b.authorizer for f in functions for b in f.bindings if b.authorizer} | {
            b.auth.function for f in functions for b in f.bindings if b.auth and b.auth.function
        }
        functions = [
            replace(f, triggers=(*f.triggers, Trigger("authorizer", f.name)))
            if f.name in authorizers
            else f
            for f in functions
        ]
        if self.unresolved:
            shown = ", ".join(sorted(self.unresolved)[:8])
            self.notes.append(Note(self.path, f"variables left as placeholders: {shown}"))
        return functions

    def _function(
        self, name: str, spec: dict[str, Any], provider: dict[str, Any], plugins: list[Any]
    ) -> Function | None:
        handler = self._text(spec.get("handler"))
        image = spec.get("image")
        if not handler and image is None:
            self.notes.append(Note(self.path, f"{name}: no handler"))
            return None
        generated = None
        wsgi = "wsgi" in _dict(self.data.get("custom")) or "serverless-wsgi" in plugins
        if handler in _WSGI_HANDLERS and wsgi:
            generated = self._wsgi(name)
            handler = handler if generated else ""
        # the service folder is the task root; a handler names its file from there
        module_function = handler
        code_dir, unknown, runtime = self.path.parent, "", None
        beside: tuple[Path, ...] = ()
        environment: dict[str, str] = {}  # an image's ENV, under the function's own
        if image is not None:
            built = self._image(name, image, provider)
            if built is not None:
                module_function = built.handler or ""
                code_dir, unknown, beside = built.code_dir, built.unknown, built.beside
                runtime = built.runtime
                environment = dict(built.environment)
        environment |= {
            str(k): self._text(v)
            for k, v in {
                **_dict(provider.get("environment")),
                **_dict(spec.get("environment")),
            }.items()
        }
        bindings, triggers = self._events(spec.get("events"), provider)
        url = spec.get("url")
        if url:  # `url: true`, or an object with cors/authorizer settings
            cors = cors_of.serverless(url.get("cors") if isinstance(url, dict) else None, "url")
            bindings.append(Binding("function-url", "ANY", "/{proxy+}", api="url", cors=cors))
        timeout = spec.get("timeout", provider.get("timeout", 6))
        memory = spec.get("memorySize", provider.get("memorySize", 1024))
        return Function(
            name=name,
            template=self.path,
            handler=module_function if "." in module_function else None,
            code_dir=code_dir,
            runtime=runtime or self._text(spec.get("runtime", provider.get("runtime"))) or None,
            layers=beside,
            code_unknown=unknown,
            timeout=float(timeout) if isinstance(timeout, (int, float)) else 6.0,
            memory=int(memory) if isinstance(memory, int) else 1024,
            environment=environment,
            bindings=tuple(bindings),
            triggers=tuple(triggers),
            package_type="Image" if image is not None else "Zip",
            generated_code=generated,
        )

    def _image(
        self, name: str, image: Any, provider: dict[str, Any]
    ) -> image_of.ImageFunction | None:
        """A function built from an image of ``provider.ecr.images`` (``image: NAME`` or
        ``image: {name: NAME, command: [module.handler]}``); None for a prebuilt image
        (a URI), whose code is not here."""
        settings = image if isinstance(image, dict) else {"name": image}
        images = _dict(_dict(provider.get("ecr")).get("images"))
        built = images.get(self._text(settings.get("name")))
        if not isinstance(built, dict) or not isinstance(built.get("path"), str):
            self.notes.append(
                Note(self.path, f"{name}: a prebuilt image (not built from this folder): not read")
            )
            return None
        context = self.path.parent / self._text(built["path"])
        dockerfile = context / (self._text(built.get("file")) or "Dockerfile")
        command = settings.get("command")
        given = self._text(command[0]) if isinstance(command, list) and command else None
        found = image_of.function(context, dockerfile, given or None)
        if found.note:
            self.notes.append(
                Note(
                    self.path,
                    f"{name}: an image function whose handler could not be read ({found.note})",
                )
            )
        return found

    def _wsgi(self, name: str) -> str | None:
        """serverless-wsgi's generated handler for the app ``custom.wsgi.app`` names."""
        settings = _dict(_dict(self.data.get("custom")).get("wsgi"))
        app = self._text(settings.get("app"))
        if "." not in app or "<" in app:
            self.notes.append(
                Note(
                    self.path,
                    f"{name}: serverless-wsgi's handler serves the WSGI app custom.wsgi.app "
                    f"names, and it names none that can be read here ({app or 'not set'})",
                )
            )
            return None
        types = settings.get("textMimeTypes")
        text_types = [self._text(t) for t in types] if isinstance(types, list) else []
        return serverless_wsgi_handler(app, text_types)

    def _events(self, events: Any, provider: dict[str, Any]) -> tuple[list[Binding], list[Trigger]]:
        bindings: list[Binding] = []
        triggers: list[Trigger] = []
        http_api = _dict(provider.get("httpApi"))
        version = self._text(http_api.get("payload", "2.0")) or "2.0"
        binary = tuple(
            str(t) for t in _dict(provider.get("apiGateway")).get("binaryMediaTypes") or []
        )
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            for key, config in event.items():
                key = str(key)
                if key == "http":
                    bindings.append(self._http(config, binary))
                elif key == "httpApi":
                    binding = self._http_api(config, version)
                    cors = cors_of.serverless(http_api.get("cors"), "http")
                    bindings.append(replace(binding, cors=cors))
                else:
                    triggers.append(Trigger(_TRIGGERS.get(key, key), key))
        return bindings, triggers

    def _http(self, config: Any, binary: tuple[str, ...]) -> Binding:
        if isinstance(config, str):
            method, _, path = self._text(config).partition(" ")
            return Binding(
                "rest",
                method.upper() or "ANY",
                _path(path),
                stage=self.stage,
                binary_media_types=binary,
            )
        config = _dict(config)
        integration = self._text(config.get("integration", "lambda-proxy")).lower()
        authorizer = config.get("authorizer")
        auth = authorizers_of.with_scopes(
            self._rest_authorizer(authorizer), self._scopes(_dict(authorizer).get("scopes"))
        )
        return Binding(
            "rest",
            self._text(config.get("method", "ANY")).upper(),
            _path(self._text(config.get("path", "/"))),
            proxy=integration in ("lambda-proxy", "aws_proxy", "aws-proxy"),
            stage=self.stage,
            binary_media_types=binary,
            authorizer=self._text(
                authorizer if isinstance(authorizer, str) else _dict(authorizer).get("name")
            )
            or None,
            cors=cors_of.serverless(config.get("cors"), "rest"),
            auth=auth,
        )

    def _rest_authorizer(self, value: Any) -> Authorizer | None:
        """``authorizer: fnName`` / ``{name, type, identitySource, arn}`` of an http event."""
        if not value:
            return None
        config = {"name": value} if isinstance(value, str) else _dict(value)
        name = self._text(config.get("name") or config.get("arn") or "authorizer")
        kind = self._text(config.get("type", "token")).lower()
        if name.lower() == "aws_iam" or kind == "aws_iam":
            return Authorizer(name, "iam")
        if kind == "cognito_user_pools" or "cognito-idp" in self._text(config.get("arn", "")):
            return Authorizer(name, "cognito", identity=(("header", "Authorization"),))
        sources = authorizers_of.identity(
            config.get("identitySource") or "method.request.header.Authorization"
        )
        local = None if config.get("arn") else name
        return Authorizer(name, "request" if kind == "request" else "token", local, sources)

    def _http_authorizer(self, value: Any) -> Authorizer | None:
        """``authorizer: {name}`` of an httpApi event, defined in provider.httpApi."""
        name = self._text(_dict(value).get("name")) if value else ""
        if not name:
            return None
        provider = _dict(self.data.get("provider"))
        config = _dict(_dict(_dict(provider.get("httpApi")).get("authorizers")).get(name))
        kind = self._text(config.get("type", "jwt")).lower()
        sources = authorizers_of.identity(
            config.get("identitySource") or "$request.header.Authorization"
        )
        if kind == "jwt":
            audience = config.get("audience") or []
            known = [
                self._known(a) for a in (audience if isinstance(audience, list) else [audience])
            ]
            return Authorizer(
                name,
                "jwt",
                identity=sources,
                issuer=self._known(config.get("issuerUrl")) or "",
                audience=tuple(a for a in known if a is not None) if None not in known else (),
            )
        return Authorizer(
            name,
            "request",
            self._text(config.get("functionName", "")) or None,
            sources,
            self._text(config.get("payloadVersion", "2.0")) or "2.0",
            bool(config.get("enableSimpleResponses")),
        )

    def _http_api(self, config: Any, version: str) -> Binding:
        kind = "http-1.0" if version == "1.0" else "http-2.0"
        if isinstance(config, str):
            text = self._text(config)
            if text.strip() == "*":
                return Binding(kind, "ANY", "/{proxy+}", stage="$default", route_key="$default")
            method, _, path = text.partition(" ")
            return Binding(kind, method.upper().replace("*", "ANY"), _path(path), stage="$default")
        config = _dict(config)
        if "payload" in config:  # the event's own payload version wins over provider's
            version = self._text(config.get("payload")) or version
            kind = "http-1.0" if version == "1.0" else "http-2.0"
        method = self._text(config.get("method", "*")).upper()
        return Binding(
            kind,
            "ANY" if method == "*" else method,
            _path(self._text(config.get("path", "/"))),
            stage="$default",
            authorizer=self._text(_dict(config.get("authorizer")).get("name")) or None,
            auth=authorizers_of.with_scopes(
                self._http_authorizer(config.get("authorizer")),
                self._scopes(_dict(config.get("authorizer")).get("scopes")),
            ),
        )


def _alternatives(expression: str) -> list[str]:
    """``opt:stage, 'dev'`` -> ["opt:stage", "'dev'"] (a comma outside quotes)."""
    parts, current, quote = [], "", ""
    for char in expression:
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
        if char == "," and not quote:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def _path(path: str) -> str:
    return "/" + path.strip().lstrip("/")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
