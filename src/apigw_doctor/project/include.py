"""Local files a template pulls in before it is read: ``AWS::Include`` and API bodies.

``Fn::Transform: {Name: AWS::Include, Parameters: {Location: api.yaml}}`` is
replaced by the file's content before anything else reads the template, as SAM
CLI does for a local ``Location`` (CloudFormation would fetch it from S3 after
``sam package`` uploaded it).  The same goes for an API's OpenAPI document named
by a local path in ``BodyS3Location`` (``aws cloudformation package`` input).
Without this, an API defined in its own file has no routes, and the functions
its ``x-amazon-apigateway-integration`` URIs name look as if nothing invoked them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .files import TemplateError, read_document

#: API resources whose OpenAPI document may live in a local file
_BODY_LOCATIONS = {
    "AWS::ApiGateway::RestApi": "BodyS3Location",
    "AWS::ApiGatewayV2::Api": "BodyS3Location",
}
_MAX_DEPTH = 8  # an included file may include others; a cycle stops here


def is_remote(location: Any) -> bool:
    return not isinstance(location, str) or location.startswith(("s3://", "https://", "http://"))


def resolve(path: Path, data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """``data`` with every local ``AWS::Include`` and local API body file read in;
    what cannot be read is a note (the include stays, and reads as no routes).
    ``data`` itself is left as it is (a parsed file may be shared)."""
    resolved = _walk(data, path.parent, notes, 0)
    data = resolved if isinstance(resolved, dict) else data
    return _local_bodies(path.parent, data, notes)


def _walk(value: Any, base: Path, notes: list[str], depth: int) -> Any:
    """``value`` with its includes read in; the very same object when it has none (a
    template without includes costs one pass and no copy)."""
    if isinstance(value, list):
        items = [_walk(item, base, notes, depth) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if not isinstance(value, dict):
        return value
    included = _include(value, base, notes, depth)
    if included is not value:
        return included
    walked = {key: _walk(item, base, notes, depth) for key, item in value.items()}
    return walked if any(walked[k] is not value[k] for k in value) else value


def _include(value: dict[str, Any], base: Path, notes: list[str], depth: int) -> Any:
    """The content a ``Fn::Transform: AWS::Include`` stands for, or ``value`` itself."""
    transform = value.get("Fn::Transform")
    if not isinstance(transform, dict):
        return value
    if transform.get("Name") != "AWS::Include":
        return value
    parameters = transform.get("Parameters")
    location = parameters.get("Location") if isinstance(parameters, dict) else None
    if is_remote(location):
        notes.append(f"AWS::Include of {_shown(location)} is not a local file: not read")
        return value
    file = (base / str(location)).resolve()
    if depth >= _MAX_DEPTH:
        notes.append(f"AWS::Include of {file}: includes nested too deeply: not read")
        return value
    try:
        content = read_document(file)
    except TemplateError as exc:
        notes.append(f"AWS::Include: {exc}")
        return value
    content = _walk(content, file.parent, notes, depth + 1)
    rest = {k: v for k, v in value.items() if k != "Fn::Transform"}
    if rest:  # beside other keys (a Resources section's), the snippet's keys join them
        return {**_walk(rest, base, notes, depth), **content}
    return content


def _local_bodies(base: Path, data: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return data
    changed = {}
    for name, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        key = _BODY_LOCATIONS.get(str(resource.get("Type")))
        props = resource.get("Properties")
        if key is None or not isinstance(props, dict) or "Body" in props:
            continue
        location = props.get(key)
        if is_remote(location):
            continue
        try:
            body = _walk(read_document(base / str(location)), base, notes, 1)
        except TemplateError as exc:
            notes.append(f"cannot read the API definition: {exc}")
            continue
        props = {k: v for k, v in props.items() if k != key}
        changed[name] = {**resource, "Properties": {**props, "Body": body}}
    if not changed:
        return data
    return {**data, "Resources": {**resources, **changed}}


def _shown(location: Any) -> str:
    return location if isinstance(location, str) else "a computed location"
