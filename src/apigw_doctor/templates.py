"""Reading SAM / CloudFormation templates and serverless.yml: which functions
exist, their handlers, code folders, routes and API settings.

Shared by ``lint`` (which functions are handlers, behind which API kind),
``scan`` (which requests to send) and ``serve`` (which routes to mount).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_NAMES = (
    "template.yaml",
    "template.yml",
    "template.json",
    "serverless.yml",
    "serverless.yaml",
)


class TemplateError(Exception):
    """A template that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Endpoint:
    """One route of a function: the API kind in front of it, method and path."""

    api: str
    method: str
    path: str


@dataclass(frozen=True)
class Function:
    """A Lambda function the template defines."""

    name: str
    handler: str  # Lambda's module.function, relative to code_dir
    code_dir: Path
    endpoints: tuple[Endpoint, ...] = ()
    timeout: float = 3.0
    binary_media_types: tuple[str, ...] = ()

    @property
    def module_path(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_dir / (module.replace(".", "/") + ".py")

    @property
    def function_name(self) -> str:
        return self.handler.rpartition(".")[2]

    @property
    def api(self) -> str | None:
        return self.endpoints[0].api if self.endpoints else None


@dataclass(frozen=True)
class Template:
    path: Path
    functions: tuple[Function, ...] = field(default_factory=tuple)


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt...) kept as data."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {f"Fn::{suffix}" if suffix != "Ref" else "Ref": value}


_CfnLoader.add_multi_constructor("!", _tag)


def find_template(start: Path) -> Path | None:
    """The nearest template in ``start`` or a folder above it."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        for name in TEMPLATE_NAMES:
            if (candidate / name).is_file():
                return candidate / name
    return None


def load_template(path: Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, _CfnLoader)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: a template must be a mapping at the top level")
    if path.name.startswith("serverless."):
        return Template(path, tuple(_serverless_functions(path.parent, data)))
    return Template(path, tuple(_sam_functions(path.parent, data)))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sam_functions(base: Path, data: dict[str, Any]) -> list[Function]:
    globals_ = _dict(_dict(data.get("Globals")).get("Function"))
    resources = _dict(data.get("Resources"))
    binary = _binary_media_types(data, resources)
    functions = []
    for name, resource in resources.items():
        resource = _dict(resource)
        kind = resource.get("Type")
        props = {**globals_, **_dict(resource.get("Properties"))}
        if kind == "AWS::Lambda::Function":
            props.setdefault("CodeUri", _dict(props.get("Code")).get("S3Key", "."))
        elif kind != "AWS::Serverless::Function":
            continue
        handler = props.get("Handler")
        if not isinstance(handler, str) or "." not in handler:
            continue  # container images and other runtimes have no Python handler
        code_uri = props.get("CodeUri")
        code_dir = base / code_uri if isinstance(code_uri, str) else base
        endpoints = tuple(_sam_endpoints(_dict(props.get("Events"))))
        timeout = props.get("Timeout", 3)
        functions.append(
            Function(
                name=str(name),
                handler=handler,
                code_dir=code_dir,
                endpoints=endpoints,
                timeout=float(timeout) if isinstance(timeout, (int, float)) else 3.0,
                binary_media_types=binary,
            )
        )
    return functions


def _sam_endpoints(events: dict[str, Any]) -> list[Endpoint]:
    endpoints = []
    for event in events.values():
        event = _dict(event)
        props = _dict(event.get("Properties"))
        path = props.get("Path", "/{proxy+}")
        method = str(props.get("Method", "ANY")).upper()
        if event.get("Type") == "Api":
            endpoints.append(Endpoint("rest", method, str(path)))
        elif event.get("Type") == "HttpApi":
            version = str(props.get("PayloadFormatVersion", "2.0"))
            endpoints.append(
                Endpoint("http-1.0" if version == "1.0" else "http-2.0", method, str(path))
            )
    return endpoints


def _binary_media_types(data: dict[str, Any], resources: dict[str, Any]) -> tuple[str, ...]:
    """Globals.Api and every AWS::Serverless::Api's BinaryMediaTypes (``~1`` is ``/``)."""
    found = list(_dict(_dict(data.get("Globals")).get("Api")).get("BinaryMediaTypes") or [])
    for resource in resources.values():
        resource = _dict(resource)
        if resource.get("Type") in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            found += _dict(resource.get("Properties")).get("BinaryMediaTypes") or []
    return tuple(dict.fromkeys(str(t).replace("~1", "/") for t in found if isinstance(t, str)))


def _serverless_functions(base: Path, data: dict[str, Any]) -> list[Function]:
    functions = []
    for name, spec in _dict(data.get("functions")).items():
        spec = _dict(spec)
        handler = spec.get("handler")
        if not isinstance(handler, str) or "." not in handler:
            continue
        folder, _, module_function = handler.rpartition("/")
        endpoints = []
        for event in spec.get("events") or []:
            for key, api in (("http", "rest"), ("httpApi", "http-2.0")):
                config = _dict(event).get(key) if isinstance(event, dict) else None
                if isinstance(config, str):
                    method, _, path = config.partition(" ")
                    endpoints.append(Endpoint(api, method.upper(), path or "/"))
                elif isinstance(config, dict):
                    path = "/" + str(config.get("path", "")).lstrip("/")
                    endpoints.append(Endpoint(api, str(config.get("method", "ANY")).upper(), path))
        functions.append(
            Function(
                name=str(name),
                handler=module_function,
                code_dir=base / folder,
                endpoints=tuple(endpoints),
            )
        )
    return functions
