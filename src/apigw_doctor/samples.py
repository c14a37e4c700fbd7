"""Sample requests for a route: what ``scan`` sends when it has no real client.

A path parameter gets ``example-<name>``; a body declared by a request model or an
OpenAPI schema gets a value of every required field (and every described one), so a
handler that reads ``body["name"]`` runs its real logic instead of failing on ``{}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import _json as json_text

_PARAMETER = re.compile(r"\{([^}/]+?)(\+?)\}")
#: sample values by JSON schema ``format``, then by ``type``
_BY_FORMAT = {
    "email": "sample-user@example.com",
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
}
_BY_TYPE: dict[str, Any] = {"string": "example", "integer": 1, "number": 1.5, "boolean": True}
_DEEPEST = 8


def sample_path(resource: str, value: str | None = None) -> str:
    """A concrete path for a resource: ``/items/{id}`` -> ``/items/example-id``, or
    ``/items/1`` when ``value`` is ``"1"`` (a handler that wants a number)."""

    def fill(match: re.Match[str]) -> str:
        if match.group(2):
            return "example/path"
        return value if value is not None else sample_text(match.group(1))

    return _PARAMETER.sub(fill, resource)


#: how the first value of every path and query parameter starts
SAMPLE_PREFIX = "example-"


def sample_text(name: str) -> str:
    """The value a path or query parameter ``name`` gets first."""
    return f"{SAMPLE_PREFIX}{name}"


#: values tried next when a handler rejects ``example-<name>`` (``int(id)``,
#: ``uuid.UUID(id)``): the route may well work for the values clients send
OTHER_SAMPLES = ("1", "00000000-0000-4000-8000-000000000000")


def sample_body(schema_text: str) -> bytes:
    """A JSON body that the schema accepts (``{}`` without a schema)."""
    try:
        schema = json_text.loads(schema_text) if schema_text else {}
    except ValueError:
        schema = {}
    value = sample_value(schema) if isinstance(schema, dict) and schema else {}
    return json.dumps(value).encode("utf-8")


def sample_value(schema: dict[str, Any], depth: int = 0) -> Any:
    """A value of ``schema``: its example, default or first enum value, else one built
    from its type (objects with every property, arrays with one item)."""
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("allOf", "oneOf", "anyOf"):
        options = [s for s in schema.get(key) or [] if isinstance(s, dict)]
        if options:
            merged: dict[str, Any] = {}
            for option in options if key == "allOf" else options[:1]:
                value = sample_value(option, depth + 1)
                if not isinstance(value, dict):
                    return value
                merged.update(value)
            return merged
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema:
        if depth >= _DEEPEST:
            return {}
        properties = schema.get("properties")
        fields = properties if isinstance(properties, dict) else {}
        return {
            str(name): sample_value(field if isinstance(field, dict) else {}, depth + 1)
            for name, field in fields.items()
        }
    if kind == "array":
        items = schema.get("items")
        if depth >= _DEEPEST or not isinstance(items, dict):
            return []
        return [sample_value(items, depth + 1)]
    text_format = schema.get("format")
    if kind in (None, "string") and text_format in _BY_FORMAT:
        return _BY_FORMAT[text_format]
    value = _BY_TYPE.get(str(kind), "example")
    minimum = schema.get("minimum")
    if kind in ("integer", "number") and isinstance(minimum, (int, float)):
        return max(value, minimum)
    return value
