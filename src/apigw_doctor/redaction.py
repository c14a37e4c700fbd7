"""One redaction layer for everything the tool shows of a request: credentials in
headers, cookies, query strings and bodies, bearer and basic credentials, JWTs and
AWS access keys.  Applied to structured data before it is rendered (text, JSON,
HTML, the inspector), so escaping never hides a secret from it, and shared by
``serve`` and ``logs``.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "[REDACTED]"
#: header, field and parameter names whose values are secrets
_SENSITIVE = re.compile(
    r"(?i)^(?:authorization|proxy-authorization|cookie|set-cookie|x-amz-security-token)$"
    r"|api[-_]?key|token|secret|passw(?:or)?d|credential|session[-_]?id"
)
_NAME = r"[A-Za-z][\w-]*"
_QUOTED_ITEM = re.compile(r'(\\?")(?:[^"\\]|\\[^"])*(\\?")')


def _mask_list(match: re.Match[str]) -> str:
    if not _SENSITIVE.search(match.group("name")):
        return match.group(0)
    items = _QUOTED_ITEM.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)}", match.group("items"))
    return f"{match.group('name')}{match.group('sep')}[{items}]"


_RULES: tuple[tuple[re.Pattern[str], Any], ...] = (
    # "Cookie": ["a=1", "b=2"]: a multi-value header list in logged JSON text
    (
        re.compile(rf"""(?P<name>{_NAME})(?P<sep>(?:\\?")?\s*:\s*)\[(?P<items>[^\]]*)\]"""),
        _mask_list,
    ),
    # name: value, name=value, "name": "value" (headers, query strings, JSON in text)
    (
        re.compile(
            rf"""(?P<name>{_NAME})(?P<sep>(?:\\?")?\s*[:=]\s*(?:\\?")?)"""
            rf"""(?P<value>[^"\\&,;{{}}\[\s\r\n][^"\\&,}}\r\n]*)"""
        ),
        lambda m: (
            m.group(0)
            if not _SENSITIVE.search(m.group("name"))
            else f"{m.group('name')}{m.group('sep')}{MASK}"
        ),
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/-]+=*"), r"\1 " + MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"), "[REDACTED-JWT]"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "[REDACTED-AWS-KEY]"),
)


#: one cheap look first (substring tests, far faster than a regex over the text):
#: most lines name no secret at all; every rule above needs one of these
_HINTS = (
    "authori", "cookie", "apikey", "api-key", "api_key", "token", "secret", "passw",
    "credential", "session", "bearer", "basic",
)  # fmt: skip
_CASED_HINTS = ("eyJ", "AKIA", "ASIA")


def might_hold_secrets(text: str) -> bool:
    """False when nothing in ``text`` looks like a secret."""
    # map over a bound method runs in C: a generator would cost more than the tests
    return any(map(text.__contains__, _CASED_HINTS)) or any(map(text.lower().__contains__, _HINTS))


def redact_text(text: str) -> str:
    """A string with every secret it visibly holds masked."""
    if not might_hold_secrets(text):
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redact_data(value: Any) -> Any:
    """A copy of JSON-like data with secrets masked: whole values under sensitive
    names (single and multi-value headers alike), and secrets inside any string."""
    if isinstance(value, dict):
        return {
            key: _masked(item)
            if isinstance(key, str) and _SENSITIVE.search(key)
            else redact_data(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact_data(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def _masked(value: Any) -> Any:
    if isinstance(value, list):
        return [MASK for _ in value]
    return MASK if value not in (None, "", "-") else value


_CONTROLS = re.compile("[\x00-\x1f\x7f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """A log line that cannot forge others: control characters written as escapes."""
    if not _CONTROLS.search(text):
        return text
    return "".join(
        ch if ch >= " " and ch not in "\x7f\u2028\u2029" else ch.encode("unicode_escape").decode()
        for ch in text
    )
