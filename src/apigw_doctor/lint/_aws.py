"""What a boto3 response holds, from botocore's own service models.

boto3 returns every ``timestamp`` member of an operation's output as a
``datetime``, which ``json.dumps`` cannot write: ``json.dumps(s3.list_buckets())``
raises TypeError (so a 502) as soon as there is a bucket.  botocore ships the
models its clients are built from; they are read from its data files (no
session, no configuration, no network), and only for code that dumps a response.
"""

from __future__ import annotations

import ast
import functools
from collections import deque
from typing import Any

from ._values import Scope, Value, classify, keyed_read

#: how many subscripts, ``.get()`` calls and names lead from a value to its response
_MOST_STEPS = 20


def datetime_member(value: Value) -> str | None:
    """Where the response part ``value`` (kind ``aws-response`` or ``aws-part``) holds
    a datetime, as a path such as ``Buckets[].CreationDate``; None when it holds none,
    or the client's service or operation cannot be told."""
    found = _response_of(value)
    if found is None:
        return None
    call, scope, keys = found
    if not isinstance(call.func, ast.Attribute):
        return None
    service = _service(*_origin(call.func.value, scope))
    if service is None:
        return None
    return timestamp_path(service, call.func.attr, keys)


def _response_of(value: Value) -> tuple[ast.Call, Scope, tuple[object, ...]] | None:
    """The client call a response part comes from, and the keys taken below it."""
    keys: list[object] = []
    node, scope = value.node, value.scope
    for _ in range(_MOST_STEPS):
        if node is None or scope is None:
            return None
        current = classify(node, scope)
        if current.kind == "aws-response":
            call, scope = _origin(node, scope)
            return (call, scope, tuple(keys)) if isinstance(call, ast.Call) else None
        if current.kind != "aws-part":
            return None
        node, scope = _origin(node, scope)
        step = keyed_read(node)
        if step is None:
            return None
        node, key = step
        keys.insert(0, key)
    return None


def _origin(node: ast.expr, scope: Scope) -> tuple[ast.expr, Scope]:
    """The expression a name was given (its last assignment, or the argument bound
    to it), as classify read it; any other expression is its own origin."""
    for _ in range(_MOST_STEPS):
        if not isinstance(node, ast.Name):
            break
        if node.id in scope.bindings:
            node, scope = scope.bindings[node.id]
            continue
        assigned = scope.assignments(node.id)
        if not assigned:
            break
        node = assigned[-1]
    return node, scope


def _service(call: ast.expr, scope: Scope) -> str | None:
    """``"s3"`` for a client made by ``boto3.client("s3")``."""
    if not isinstance(call, ast.Call) or not call.args:
        return None
    if classify(call, scope).kind != "aws-client":
        return None
    name = call.args[0]
    return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None


def timestamp_path(service: str, method: str, keys: tuple[object, ...] = ()) -> str | None:
    """The shallowest member below ``keys`` of the output of ``service``'s client
    method ``method`` (``list_buckets``) that boto3 returns as a datetime."""
    shape = _output(service, method)
    path = ""
    for key in keys:
        if shape is None:
            return None
        shape, step = _child(shape, key)
        path += step
    return None if shape is None else _first_timestamp(shape, path)


def _child(shape: Any, key: object) -> tuple[Any, str]:
    if shape.type_name == "structure" and isinstance(key, str):
        return shape.members.get(key), f".{key}"
    if shape.type_name == "list" and isinstance(key, int):
        return shape.member, "[]"
    return None, ""


def _first_timestamp(shape: Any, path: str) -> str | None:
    """Breadth first, so the path shown is the shortest; shapes may recurse."""
    queue: deque[tuple[Any, str]] = deque([(shape, path)])
    seen: set[str] = set()
    while queue:
        shape, path = queue.popleft()
        if shape.type_name == "timestamp":
            return path.removeprefix(".") or "the value"
        if shape.name in seen:
            continue
        seen.add(shape.name)
        if shape.type_name == "structure":
            queue.extend((member, f"{path}.{name}") for name, member in shape.members.items())
        elif shape.type_name == "list":
            queue.append((shape.member, f"{path}[]"))
        elif shape.type_name == "map":
            queue.append((shape.value, f"{path}[...]"))
    return None


def _output(service: str, method: str) -> Any:
    model = _model(service)
    if model is None:
        return None
    operation = _operations(service).get(method)
    return model.operation_model(operation).output_shape if operation else None


@functools.cache
def _model(service: str) -> Any:
    try:
        from botocore.loaders import Loader
        from botocore.model import ServiceModel

        return ServiceModel(Loader().load_service_model(service, "service-2"), service)
    except Exception:  # no botocore, or a service it does not know (a typo, a new one)
        return None


@functools.cache
def _operations(service: str) -> dict[str, str]:
    """Client method name -> operation name, as botocore names the methods."""
    from botocore import xform_name

    model = _model(service)
    return {xform_name(name): name for name in model.operation_names} if model else {}
