"""Response headers as the client sees them (spec R6-R9, V1).

One line per value: a multiValueHeaders list becomes repeated header lines
(which HTTP treats as one comma-joined header, except Set-Cookie, where
separate lines are what makes several cookies work).
"""

from __future__ import annotations

from typing import Any

from ..catalogue import Finding, describe, finding, preview
from ._apis import ApiProfile
from ._keys import HEADER_NAME, HEADER_VALUE_FORBIDDEN

Headers = list[tuple[str, str]]
_Groups = dict[str, tuple[str, list[str]]]


def _as_text(name: str, value: Any, code: str, findings: list[Finding]) -> str | None:
    """A header value as sent, or ``None`` (with a finding) when it cannot be."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        text = "true" if value else "false"
        findings.append(finding("GW403", name=repr(name), value=preview(value), text=text))
        return text
    if code == "GW402" and isinstance(value, list):  # several values: another key holds them
        code = "GW413"
    findings.append(
        finding(code, name=repr(name), value=describe(value), value_short=preview(value, 30))
    )
    return None


def _mapping(result: dict[str, Any], key: str, findings: list[Finding]) -> dict[str, Any]:
    """``result[key]`` as a header map: absent and null are empty (R6)."""
    value = result.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    findings.append(finding("GW401", key=key, value=describe(value)))
    return {}


def _add_multi_value(result: dict[str, Any], groups: _Groups, findings: list[Finding]) -> None:
    for name, values in _mapping(result, "multiValueHeaders", findings).items():
        if not isinstance(values, list):
            findings.append(
                finding(
                    "GW404",
                    name=repr(name),
                    value=describe(values),
                    value_short=preview(values, 30),
                )
            )
            continue
        texts = [_as_text(name, v, "GW405", findings) for v in values]
        group = groups.setdefault(name.lower(), (name, []))
        group[1].extend(t for t in texts if t is not None)


def _add_single_value(result: dict[str, Any], groups: _Groups, findings: list[Finding]) -> None:
    for name, value in _mapping(result, "headers", findings).items():
        text = _as_text(name, value, "GW402", findings)
        if text is None:
            continue
        lower = name.lower()
        if lower in groups:
            # R8: multi values first, then the single value; the first spelling wins.
            display, values = groups[lower]
            values.append(text)
            findings.append(finding("GW406", name=repr(display), joined=", ".join(values)))
        else:
            groups[lower] = (name, [text])


def _single_value_lines(result: dict[str, Any], findings: list[Finding]) -> Headers:
    """The common case, kept fast: no multiValueHeaders to merge with."""
    headers = _mapping(result, "headers", findings)
    lines = [(name, value) for name, value in headers.items() if type(value) is str]
    if len(lines) == len(headers):
        return lines
    groups: _Groups = {}
    _add_single_value(result, groups, findings)
    return [(display, value) for display, values in groups.values() for value in values]


def _cookies(result: dict[str, Any], findings: list[Finding]) -> list[str]:
    cookies = result.get("cookies")
    if cookies is None:
        return []
    if isinstance(cookies, list) and all(isinstance(c, str) for c in cookies):
        return cookies
    findings.append(finding("GW408", value=describe(cookies)))
    return []


def _is_token(name: str) -> bool:
    """Whether HTTP can carry this header name; letters, digits and dashes (nearly
    every name) are told by two string methods, the rest by the token pattern."""
    return (name.isascii() and name.replace("-", "").isalnum()) or (
        HEADER_NAME.fullmatch(name) is not None
    )


def _valid_lines(lines: Headers, findings: list[Finding]) -> Headers:
    """Names and values HTTP can carry (GW412, GW414): a line break in a value would
    split the response (header injection), a NUL ends it; the client could never
    receive such a line as the function wrote it.  Text outside ASCII is sent, as
    UTF-8, with a warning (GW415): how AWS encodes it is not known."""
    bad = [name for name, _ in lines if not _is_token(name)]
    for name in dict.fromkeys(bad):
        findings.append(finding("GW412", name=preview(name, 40)))
    for name, value in lines:
        if not value.isascii():
            findings.append(finding("GW415", name=repr(name), value=preview(value, 40)))
        found = HEADER_VALUE_FORBIDDEN.search(value)
        if found is not None:
            char = found.group()
            findings.append(
                finding(
                    "GW414",
                    name=repr(name),
                    value=preview(value, 40),
                    char=_CONTROL_NAMES.get(char, f"U+{ord(char):04X}"),
                )
            )
    return lines


#: the control characters handlers put in header values, by the names users know
_CONTROL_NAMES = {"\x00": "NUL (\\0)", "\r": "CR (\\r)", "\n": "LF (\\n)"}


def response_headers(
    result: dict[str, Any], profile: ApiProfile, findings: list[Finding]
) -> Headers:
    """The header lines the client receives for a structured result."""
    if "multiValueHeaders" in result and "multiValueHeaders" in profile.allowed_keys:
        groups: _Groups = {}
        _add_multi_value(result, groups, findings)
        _add_single_value(result, groups, findings)
        lines = [(display, value) for display, values in groups.values() for value in values]
    else:
        lines = _single_value_lines(result, findings)
    if "cookies" in result and "cookies" in profile.allowed_keys:
        lines.extend(("set-cookie", cookie) for cookie in _cookies(result, findings))
    return _valid_lines(lines, findings)


def with_default_content_type(
    lines: Headers, profile: ApiProfile, findings: list[Finding]
) -> Headers:
    """R9: without a Content-Type from the function, the gateway adds its own."""
    for name, _ in lines:
        if name.lower() == "content-type":
            return lines
    findings.append(finding(profile.content_type_code, default=profile.default_content_type))
    return [*lines, ("Content-Type", profile.default_content_type)]
