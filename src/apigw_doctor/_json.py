"""Reading JSON that comes from outside (a user's file, a request, a log line, a
handler's result): one place where "too deeply nested" is a ValueError.

``json.loads`` raises RecursionError (not ValueError) for ``[[[[...`` a few
thousand deep, so every caller that answers bad JSON with a clear message would
let that one through as a traceback. Standard library only (the rules core and
the guard may use it)."""

from __future__ import annotations

import json
from typing import Any


class TooDeep(ValueError):
    """JSON nested deeper than Python's parser can follow."""


def loads(text: str | bytes | bytearray, **options: Any) -> Any:
    """``json.loads``, with nesting too deep to read raised as :class:`TooDeep`."""
    try:
        return json.loads(text, **options)
    except RecursionError:
        raise TooDeep("JSON nested too deeply for Python to read") from None
