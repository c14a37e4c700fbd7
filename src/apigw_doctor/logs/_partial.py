"""Closing a JSON text that a log cut off, so its visible part can be judged.

Only what the visible part proves is kept by the caller: a top-level key that
is there is there, a body that starts with ``{`` is an object, whatever was cut.
"""

from __future__ import annotations

from .. import _json as json_text


def close_json(prefix: str) -> str | None:
    """``prefix`` completed into valid JSON (cut strings closed, missing values null),
    or ``None`` when even that does not parse."""
    stack: list[list[str]] = []  # [bracket, state]; state: key/colon/value/comma
    in_string = escaped = string_is_key = False
    scalar_start = string_start = -1
    text = prefix.rstrip()
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                if stack:
                    stack[-1][1] = "colon" if string_is_key else "comma"
            continue
        if scalar_start >= 0 and char in ",:]} \t\r\n":
            scalar_start = -1
            if stack:
                stack[-1][1] = "comma"
        if char == '"':
            in_string = True
            string_start = index
            string_is_key = bool(stack) and stack[-1] == ["{", "key"]
        elif char in "{[":
            stack.append([char, "key" if char == "{" else "value"])
        elif char in "}]":
            if stack:
                stack.pop()
            if stack:
                stack[-1][1] = "comma"
        elif char == ":" and stack:
            stack[-1][1] = "value"
        elif char == "," and stack:
            stack[-1][1] = "key" if stack[-1][0] == "{" else "value"
        elif char not in " \t\r\n" and scalar_start < 0:
            scalar_start = index
    tail = ""
    if in_string and string_is_key:
        # a cut key could be any key ("b..." may be "body"): drop it rather than guess
        text = text[:string_start].rstrip().removesuffix(",")
    elif in_string:
        text = text[:-1] if escaped else text
        tail = '"'
    elif scalar_start >= 0:
        text = text[:scalar_start]
        tail = "null"
    elif stack and stack[-1][1] == "colon":
        tail = ": null"
    elif stack and stack[-1][1] == "value" and text.endswith((":", ",")):
        tail = "null"
    elif stack and stack[-1][1] == "key" and text.endswith(","):
        text = text[:-1]
    closing = "".join("}" if bracket == "{" else "]" for bracket, _ in reversed(stack))
    candidate = text + tail + closing
    try:
        json_text.loads(candidate)
    except ValueError:
        return None
    return candidate
