"""A last line of defence inside Lambda: whatever the handler returns, send a
response API Gateway accepts, and log why it had to be repaired.

Standard library only, and cheap to import, because it runs on every cold
start::

    from apigw_doctor.guard import guard

    @guard(api="rest")
    def handler(event, context):
        ...

Modes: ``"repair"`` (default) fixes what it can and answers a clean JSON 500
otherwise; ``"report"`` only logs; ``"strict"`` raises :class:`GuardError`
(for tests).  Each problem is logged as one JSON line (code, rule, fix).
"""

from __future__ import annotations

import functools
import json
import logging
import os
from typing import TYPE_CHECKING, Any

from .rules._keys import HEADER_NAME, HEADER_VALUE_FORBIDDEN, KEYS_BY_KIND, V1_KEYS, V2_KEYS

if TYPE_CHECKING:  # the rules core loads only when a result is not obviously valid
    from collections.abc import Callable
    from typing import TypeVar

    from .catalogue import Finding
    from .rules import Verdict

    F = TypeVar("F", bound=Callable[..., Any])

logger = logging.getLogger("apigw_doctor.guard")

MODES = ("repair", "report", "strict")
#: any of these makes a dict a response (else it is data to wrap)
_RESPONSE_KEYS = V1_KEYS | V2_KEYS
#: a body this large is checked in full (the payload limit warns near 6 MB)
_QUICK_BODY_LIMIT = 1_000_000


class GuardError(Exception):
    """Strict mode: the handler's result would make API Gateway fail."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        super().__init__("; ".join(f"{f.code} {f.message} (fix: {f.fix})" for f in verdict.errors))


def guard(
    api: str = "rest", *, mode: str = "repair", binary_media_types: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """Wrap a Lambda handler so it never returns what API Gateway rejects."""
    if api not in KEYS_BY_KIND:
        raise ValueError(f"unknown API kind {api!r}: expected one of {', '.join(KEYS_BY_KIND)}")
    if mode not in MODES:
        raise ValueError(f"unknown guard mode {mode!r}: expected one of {', '.join(MODES)}")

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            request_id = str(getattr(context, "aws_request_id", None) or "unknown")
            try:
                result = handler(event, context)
            except Exception as exc:
                if mode != "repair":
                    raise
                logger.exception(
                    json.dumps(
                        {
                            "code": "GW701",
                            "rule": "F1",
                            "message": f"{type(exc).__name__}: {exc}",
                            "requestId": request_id,
                        }
                    )
                )
                return internal_error(api, request_id)
            return _checked(result, api, mode, binary_media_types, event, request_id)

        return wrapper  # type: ignore[return-value]

    return decorate


def _checked(
    result: Any,
    api: str,
    mode: str,
    binary_media_types: tuple[str, ...],
    event: Any,
    request_id: str,
) -> Any:
    if _plainly_valid(result, api):
        return result  # the common case: no need to load the rules core
    from .rules import evaluate

    headers = _request_headers(event)
    verdict = evaluate(
        result,
        api=api,
        request_headers=headers,
        binary_media_types=binary_media_types,
        runtime=os.environ.get("AWS_EXECUTION_ENV"),
    )
    if verdict.ok and not _warnings(verdict):
        return result
    _log(verdict.findings, request_id)
    if verdict.ok or mode == "report":
        return result
    if mode == "strict":
        raise GuardError(verdict)
    repaired = repair(result, api)
    if repaired is not None:
        again = evaluate(
            repaired, api=api, request_headers=headers, binary_media_types=binary_media_types
        )
        if again.ok:
            return repaired
        _log(again.errors, request_id)
    return internal_error(api, request_id)


def _plainly_valid(result: Any, api: str) -> bool:
    """A response no rule can object to, and no rule warns about: an int status, a
    string body, string headers, no binary, no multi-value headers or cookies.  Only
    ever a shortcut: anything else goes through the whole rules core."""
    if type(result) is not dict or not result.keys() <= KEYS_BY_KIND[api]:
        return False
    status = result.get("statusCode")
    body = result.get("body")
    headers = result.get("headers")
    return (
        type(status) is int
        and 200 <= status <= 599
        and (body is None or (type(body) is str and len(body) < _QUICK_BODY_LIMIT))
        and (headers is None or _string_map(headers))
        and result.get("isBase64Encoded", False) is False
        and "multiValueHeaders" not in result
        and "cookies" not in result
        and "base64Encoded" not in result
    )


def _string_map(headers: Any) -> bool:
    """String values HTTP can carry under names HTTP can carry."""
    return type(headers) is dict and all(
        type(k) is str
        and type(v) is str
        and HEADER_NAME.fullmatch(k) is not None
        and v.isascii()
        and HEADER_VALUE_FORBIDDEN.search(v) is None
        for k, v in headers.items()
    )


def _warnings(verdict: Verdict) -> list[Finding]:
    return [f for f in verdict.findings if f.severity == "warning"]


def _log(findings: tuple[Finding, ...] | list[Finding], request_id: str) -> None:
    for item in findings:
        if item.severity == "info":
            continue
        level = logging.ERROR if item.severity == "error" else logging.WARNING
        logger.log(
            level,
            json.dumps(
                {
                    "code": item.code,
                    "rule": item.rule,
                    "confidence": item.confidence,
                    "message": item.message,
                    "fix": item.fix,
                    "requestId": request_id,
                }
            ),
        )


def _request_headers(event: Any) -> dict[str, str] | None:
    headers = event.get("headers") if isinstance(event, dict) else None
    return headers if isinstance(headers, dict) else None


def internal_error(api: str, request_id: str) -> dict[str, Any]:
    """A clean JSON 500 that names the request id, never a stack trace."""
    body = json.dumps({"message": "Internal server error", "requestId": request_id})
    return {"statusCode": 500, "headers": {"Content-Type": "application/json"}, "body": body}


def _to_json(value: Any) -> Any:
    """What ``json.dumps`` cannot write, as the value a client most likely wants."""
    import base64
    import datetime
    import decimal

    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _plain(value: Any) -> Any:
    """A copy of ``value`` that the Lambda runtime can serialise."""
    return json.loads(json.dumps(value, default=_to_json))


def repair(result: Any, api: str) -> dict[str, Any] | None:
    """A valid response carrying what the handler meant, or ``None`` if unclear."""
    if result is None:
        return None  # a code path without a return: nothing to send but a 500
    try:
        if not isinstance(result, dict) or not (result.keys() & _RESPONSE_KEYS):
            return _json_response(200, _plain(result))
        return _repair_response(result, api)
    except (TypeError, ValueError, RecursionError):
        return None


def _json_response(status: int, data: Any) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(data),
    }


def _repair_response(result: dict[str, Any], api: str) -> dict[str, Any]:
    import base64

    allowed = KEYS_BY_KIND[api]
    fixed: dict[str, Any] = {k: v for k, v in result.items() if k in allowed}
    fixed["statusCode"] = _status(result.get("statusCode"))
    body = result.get("body")
    if isinstance(body, (bytes, bytearray)):
        fixed["body"] = base64.b64encode(body).decode("ascii")
        fixed["isBase64Encoded"] = True
    elif body is not None and not isinstance(body, str):
        fixed["body"] = json.dumps(body, default=_to_json)
    for key in ("headers", "multiValueHeaders"):
        if isinstance(result.get(key), dict):
            fixed[key] = {str(n): _header_value(v, key) for n, v in result[key].items()}
        elif key in fixed:
            del fixed[key]
    if "cookies" in fixed:
        fixed["cookies"] = [
            _header_text(str(c))
            for c in (
                fixed["cookies"] if isinstance(fixed["cookies"], list) else [fixed["cookies"]]
            )
        ]
    return _plain(fixed)  # type: ignore[no-any-return]


def _status(value: Any) -> int:
    try:
        status = int(value)
    except (TypeError, ValueError, OverflowError):
        return 200 if value is None else 500
    return status if 200 <= status <= 599 else 500  # 1xx is never a final answer


def _header_value(value: Any, key: str) -> Any:
    if key == "multiValueHeaders":
        items = value if isinstance(value, list) else [value]
        return [_header_text(v) for v in items]
    return _header_text(value)


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
    elif isinstance(value, (list, dict)):
        text = json.dumps(value, default=_to_json)
    else:
        text = str(value)
    return HEADER_VALUE_FORBIDDEN.sub(" ", text)  # a line break would split the response
