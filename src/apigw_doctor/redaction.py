"""The one redaction layer for everything the tool shows of a request or a log: the
inspector, the server's stderr and every ``logs`` format call it, on structured data
before it is rendered (so escaping never hides a secret from it) or on text.

Secrets are found by meaning, not by a list of inputs:

- by name: the value under a sensitive field, header, parameter or cookie name
  (``Authorization``, ``Cookie``, ``cookies``, ``X-Api-Key``, ``access_token``,
  ``password``...), whether the name is a JSON key, a Python repr key, a header,
  a query or form parameter, or an entry of API Gateway's Java-style maps;
- by cookie syntax: cookie values are masked, cookie names and ``Set-Cookie``
  attributes are kept, so the shape stays readable;
- by shape: bearer and basic credentials, JWTs, AWS access key ids and a few
  well-known token prefixes, wherever they appear (paths included);
- by encoding: a base64 body (``isBase64Encoded`` in an event or a raw result,
  ``body_base64``) is decoded, redacted and encoded again.

Every pattern here runs in time linear in its input: a name or token is tried only
where a run of its characters starts (look-behinds), values are delimited without
backtracking, and a scan never goes back over text it has passed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, NamedTuple

MASK = "[REDACTED]"

#: field, header, parameter and cookie names whose values are secrets
_SENSITIVE = re.compile(
    r"(?i)authorization|cookie|api[-_]?key|token|secret|passw(?:or)?d|credential"
    r"|session[-_]?id|access[-_]?key|private[-_]?key|jwt"
)
_COOKIE_NAME = re.compile(r"(?i)cookie")
#: the prefixes of AWS access key ids (users, roles, temporary credentials...)
_AWS_KEY_IDS = ("AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "AIPA", "ABIA", "ACCA")
#: Set-Cookie attributes: not secret, kept so the cookie stays readable
#: what a cookie's name may be (RFC 6265's token, without quotes)
_COOKIE_NAME_SYNTAX = re.compile(r"[\w!#$%&*+.^`|~-]{1,128}")
_COOKIE_ATTRIBUTES = frozenset(
    {"path", "domain", "expires", "max-age", "samesite", "secure", "httponly", "partitioned"}
)


class _Shape(NamedTuple):
    """A token recognised by its shape, masked wherever it appears."""

    pattern: re.Pattern[str]
    replacement: str
    #: one of these is in the text whenever the pattern can match (a C substring
    #: test is far cheaper than a regex over text that holds none)
    hints: tuple[str, ...]
    #: the hints are lower case, looked for in the lowered text
    folded: bool = False


#: each pattern starts only where a run of its characters starts (look-behinds)
_SHAPES = (
    _Shape(
        re.compile(r"(?i)(?<![\w-])(bearer|basic)[ \t]+[A-Za-z0-9._~+/-]++=*+"),
        r"\1 " + MASK,
        ("bearer", "basic"),
        folded=True,
    ),
    _Shape(
        re.compile(r"(?<![\w-])eyJ[\w-]{5,}+\.[\w-]{5,}+\.[\w-]*+"),
        "[REDACTED-JWT]",
        ("eyJ",),
    ),
    _Shape(
        re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(_AWS_KEY_IDS)})[A-Z0-9]{{16}}(?![A-Za-z0-9])"),
        "[REDACTED-AWS-KEY]",
        _AWS_KEY_IDS,
    ),
    _Shape(
        re.compile(
            r"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,}+|github_pat_\w{30,}+"
            r"|xox[abposr]-[\w-]{10,}+|[sr]k_live_\w{10,}+|AIza[\w-]{35})"
        ),
        "[REDACTED-TOKEN]",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "k_live_", "AIza"),
    ),
)

#: ``name`` then ``:`` or ``=``, the name perhaps quoted (JSON, repr, escaped JSON);
#: a name is tried only where a run of name characters starts
_NAMED = re.compile(r"""(?<![\w-])(?P<name>[A-Za-z][\w-]*+)(?:\\*+["'])?[ \t]*+[:=][ \t]*+""")
_QUOTE = re.compile(r"""\\*+["']""")
_TO_QUOTE = {
    '"': re.compile(r'(?:[^"\\\n]|\\.)*+'),
    "'": re.compile(r"(?:[^'\\\n]|\\.)*+"),
}
#: an unquoted value: up to a quote, a line end, a query or markup delimiter, a
#: closing bracket or ", " (the entry separator of API Gateway's maps); a comma
#: alone stays inside (``token=a,b``), and ``;`` ends it except in a cookie; a mask
#: already written (``Bearer [REDACTED]``) is part of the value
_BARE = re.compile(r"""(?:\[REDACTED[\w-]*+\]|[^\r\n"'&<>}\],;]|,(?! ))*+""")
_BARE_COOKIE = re.compile(r"""(?:\[REDACTED[\w-]*+\]|[^\r\n"'&<>}\],]|,(?! ))*+""")
_BRACKETS = re.compile(r"[\[\]{}\n]")
_LEAD = re.compile(r"""[ \t]*+\\*+["']?""")
_TRAIL = re.compile(r"""[ \t]*+["']?\\*+""")  # matched on the reversed item

#: a sensitive name holds one of these (lower case): most lines hold none
_NAME_HINTS = (
    "authori", "cookie", "apikey", "api-key", "api_key", "token", "secret", "passw",
    "credential", "session", "accesskey", "access_key", "access-key", "privatekey",
    "private_key", "private-key", "jwt",
)  # fmt: skip


def is_sensitive(name: str) -> bool:
    """Whether a field, header, parameter or cookie of this name holds a secret."""
    return _SENSITIVE.search(name) is not None


def secret_hints() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What :func:`might_hold_secrets` looks for: substrings of the lowered text (lower
    case: names, and the shapes matched in any case), then of the text as it is (the
    other shapes).  A text holding none of them is one redaction leaves as it is (a
    caller may test for them in one pass of its own)."""
    folded = _NAME_HINTS + tuple(h for shape in _SHAPES if shape.folded for h in shape.hints)
    exact = tuple(h for shape in _SHAPES if not shape.folded for h in shape.hints)
    return folded, exact


def might_hold_secrets(text: str) -> bool:
    """False when nothing in ``text`` looks like a secret."""
    lowered = text.lower()
    return _holds(lowered, _NAME_HINTS) or any(_may_match(s, text, lowered) for s in _SHAPES)


def redact_text(text: str) -> str:
    """A string with every secret it visibly holds masked."""
    lowered = text.lower()
    if _holds(lowered, _NAME_HINTS):  # names first: a token shape never hides a name
        text = _redact_named(text)
    for shape in _SHAPES:
        if _may_match(shape, text, lowered):
            text = shape.pattern.sub(shape.replacement, text)
    return text


def _holds(text: str, hints: tuple[str, ...]) -> bool:
    # map over a bound method runs in C: a generator would cost more than the tests
    return any(map(text.__contains__, hints))


def _may_match(shape: _Shape, text: str, lowered: str) -> bool:
    return _holds(lowered if shape.folded else text, shape.hints)


def _redact_named(text: str) -> str:
    """The values of sensitive names masked, in one pass from left to right."""
    parts: list[str] = []
    done = 0  # text before this is in ``parts``
    at = 0  # where the next name is looked for
    while (found := _NAMED.search(text, at)) is not None:
        at = found.end()
        name = found.group("name")
        if not _SENSITIVE.search(name):
            continue  # the value may itself hold names (a query string, a body)
        cookie = _COOKIE_NAME.search(name) is not None
        start, end, kind = _value_at(text, at, cookie)
        if end > start:
            parts.append(text[done:start])
            parts.append(_mask_value(text[start:end], kind, cookie))
            done = end
        at = max(end, at)
    parts.append(text[done:])
    return "".join(parts)


def _value_at(text: str, at: int, cookie: bool) -> tuple[int, int, str]:
    """Where the value that starts at ``at`` lies (quotes excluded), and its kind."""
    if text.startswith(MASK, at):
        return at, at, "masked"
    quote = _QUOTE.match(text, at)
    if quote is not None:
        mark, start = quote.group(), quote.end()
        if mark in _TO_QUOTE:
            return start, _match_end(_TO_QUOTE[mark], text, start), "text"
        end = text.find(mark, start)
        return start, _line_end(text, start) if end < 0 else end, "text"
    if text.startswith(("[", "{"), at):
        end, closed = _closing(text, at)
        kind = "list" if text[at] == "[" else "object"
        return at, end, kind if closed else "open"
    end = _match_end(_BARE_COOKIE if cookie else _BARE, text, at)
    while end > at and text[end - 1] in " \t":
        end -= 1
    return at, end, "text"


def _match_end(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Where a pattern that may match nothing stops matching from ``at``."""
    found = pattern.match(text, at)
    return found.end() if found is not None else at


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _closing(text: str, start: int) -> tuple[int, bool]:
    """Just past the bracket that closes the one at ``start``, else the line's end
    (and whether it was closed)."""
    depth = 0
    for mark in _BRACKETS.finditer(text, start):
        char = mark.group()
        if char == "\n":
            return mark.start(), False
        depth += 1 if char in "[{" else -1
        if depth == 0:
            return mark.end(), True
    return len(text), False


def _mask_value(value: str, kind: str, cookie: bool) -> str:
    if kind == "masked" or value.startswith("[REDACTED"):
        return value
    if kind == "list":
        items = ",".join(_mask_item(item, cookie) for item in value[1:-1].split(","))
        return f"[{items}]"
    if kind == "object":
        return "{" + MASK + "}"
    if kind == "open":  # a bracket never closed on its line: all after it
        return value[0] + MASK
    return mask_cookie(value) if cookie else MASK


def _mask_item(item: str, cookie: bool) -> str:
    """One item of a listed value, its quotes and spacing kept."""
    lead = _match_end(_LEAD, item, 0)
    trail = _match_end(_TRAIL, item[::-1], 0)
    core = item[lead : len(item) - trail] if lead < len(item) - trail else ""
    if not core or core.startswith("[REDACTED"):
        return item
    masked = mask_cookie(core) if cookie else MASK
    return item[:lead] + masked + item[len(item) - trail :]


def mask_cookie(value: str) -> str:
    """A Cookie or Set-Cookie value with each cookie's value masked; cookie names and
    Set-Cookie attributes stay, so what was sent remains readable.  A part that is not
    cookie syntax (``name=value``, an attribute) is masked whole."""
    parts = []
    for part in value.split(";"):
        name, equals, content = part.partition("=")
        key = name.strip()
        lead = part[: len(part) - len(part.lstrip())]
        if part.strip() in ("", MASK) or key.lower() in _COOKIE_ATTRIBUTES:
            parts.append(part)
        elif not equals or not _COOKIE_NAME_SYNTAX.fullmatch(key):
            parts.append(lead + MASK)
        elif content and not content.startswith("[REDACTED"):
            parts.append(f"{name}={MASK}")
        else:
            parts.append(part)
    return ";".join(parts)


def redact_data(value: Any) -> Any:
    """A copy of JSON-like data with secrets masked: whole values under sensitive
    names (single and multi-value headers, cookie lists, ``[name, value]`` header
    pairs), base64 bodies decoded and redacted, and secrets inside any string."""
    try:
        return _redact(value)
    except RecursionError:  # deeper than any event or report: show nothing of it
        return MASK


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        out = {
            key: _masked(item, _COOKIE_NAME.search(key) is not None)
            if isinstance(key, str) and _SENSITIVE.search(key)
            else _redact(item)
            for key, item in value.items()
        }
        if value.get("isBase64Encoded") is True and isinstance(out.get("body"), str):
            out["body"] = _redact_base64(out["body"])
        if isinstance(out.get("body_base64"), str):
            out["body_base64"] = _redact_base64(out["body_base64"])
        return out
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, str) for v in value) and is_sensitive(value[0]):
            return [value[0], _masked(value[1], _COOKIE_NAME.search(value[0]) is not None)]
        return [_redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(_with_base64_body_redacted(value))
    return value


def _with_base64_body_redacted(text: str) -> str:
    """A raw result (JSON text) whose body is base64: that body decoded, masked and
    encoded again in place, the rest of the text as it was."""
    if '"isBase64Encoded"' not in text or not text.lstrip().startswith("{"):
        return text
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    body = value.get("body") if isinstance(value, dict) else None
    if value.get("isBase64Encoded") is not True or not isinstance(body, str) or not body:
        return text
    return text.replace(body, _redact_base64(body))


def _masked(value: Any, cookie: bool) -> Any:
    """Everything under a sensitive name, masked (cookies: their values only)."""
    if isinstance(value, dict):
        return {key: _masked(item, cookie) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(item, cookie) for item in value]
    if value in (None, "", "-") or not isinstance(value, str):
        return value if value in (None, "", "-", True, False) else MASK
    if value.startswith("[REDACTED"):
        return value
    return mask_cookie(value) if cookie else MASK


def _redact_base64(body: str) -> str:
    """A base64 body with the secrets of its text masked (binary stays as it is)."""
    try:
        text = base64.b64decode(body[: len(body) // 4 * 4], validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return body
    clean = redact_text(text)
    return body if clean == text else base64.b64encode(clean.encode("utf-8")).decode("ascii")


_CONTROLS = re.compile("[\x00-\x1f\x7f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """A log line that cannot forge others: control characters written as escapes."""
    if not _CONTROLS.search(text):
        return text
    return "".join(
        ch if ch >= " " and ch not in "\x7f\u2028\u2029" else ch.encode("unicode_escape").decode()
        for ch in text
    )
