"""From a Lambda result to the client's response: the whole decision, no I/O.

Like h11's ``_state.py``, everything that decides a verdict lives here, and
the per-kind differences are data (``_apis.PROFILES``).  The order of steps is
AWS's: Lambda serialises and size-checks the result, API Gateway parses it,
validates its shape, and only then decodes a base64 body.
"""

from __future__ import annotations

import json
import math
import re
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..catalogue import Finding, describe, finding, kind_of, preview, serialise_fix, shorten
from ..runtime.encoder import MarshalError, marshal
from ._apis import ApiProfile, profile_for
from ._binary import accept_matches, decode_base64, first_media_range, leading_wildcards
from ._headers import response_headers, with_default_content_type
from ._keys import V1_KEYS, V2_KEYS
from ._limits import DEFAULT_LIMITS, Limits
from ._service import service_cause
from ._verdict import Verdict

RequestHeaders = Mapping[str, str] | Sequence[tuple[str, str]] | None

_MALFORMED_LOG = "Execution failed due to configuration error: Malformed Lambda proxy response"
_FUNCTION_ERROR_LOG = (
    "Lambda execution failed with status 200 due to customer function error: {message}"
)
_SIZE_ERROR = "Response payload size exceeded maximum allowed payload size ({limit} bytes)."
_TIMEOUT_MARKER = "Task timed out after"
#: Lambda's errorType for a function error, and the finding that explains it.
#: json.dumps' TypeError for a value it cannot write (a Decimal from DynamoDB...)
_NOT_SERIALIZABLE = re.compile(r"Object of type '?(\w+)'? is not JSON serializable")
_FUNCTION_ERROR_CODES = {
    "Runtime.MarshalError": "GW702",
    "Function.ResponseSizeTooLarge": "GW601",
    "Sandbox.Timedout": "GW703",
}
#: the keys of Lambda's error object (the runtime's, or the service's for a crash)
_ERROR_OBJECT_KEYS = frozenset({"errorMessage", "errorType", "stackTrace", "requestId", "cause"})
#: the keys of the body Lambda's service sends instead of a result (throttling, ENIs)
_SERVICE_ERROR_KEYS = frozenset({"Reason", "Type", "message", "Message"})
#: payload 2.0 results without statusCode that were probably meant as responses
_RESPONSE_KEYS = sorted((V1_KEYS | V2_KEYS) - {"statusCode"})


class _NonFinite(ValueError):
    """NaN or Infinity in the payload: Python writes them, JSON has no such tokens."""


def _reject_constant(name: str) -> Any:
    raise _NonFinite(name)


def _int_or_decimal(text: str) -> int | Decimal:
    """Python refuses ints over 4300 digits; AWS reads them, so keep them as Decimal."""
    return int(text) if len(text) < 4000 else Decimal(text)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
# Only for payloads whose integers exceed Python's digit limit.
_BIG_INT_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=_int_or_decimal)


def evaluate(
    returned: Any,
    *,
    api: str,
    request_headers: RequestHeaders = None,
    binary_media_types: Iterable[str] = (),
    function_error: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    lambda_request_id: str | None = None,
    runtime: str | None = None,
) -> Verdict:
    """What the client receives when the handler returned ``returned``.

    ``returned`` is what the handler returned (or Lambda's error object when
    ``function_error`` is set).  It is serialised as the Lambda Python runtime
    does (``encoder``): a ``Decimal`` is a number there, while a ``datetime``
    or a ``set`` gives the runtime's marshal error.  ``runtime`` (the
    function's ``Runtime``) decides whether non-ASCII text is escaped (S8).
    """
    profile = profile_for(api)
    if function_error:
        return _function_error(returned, profile, lambda_request_id)
    try:
        payload = marshal(returned, runtime=runtime)
    except MarshalError as exc:
        error = {"errorMessage": exc.message, "errorType": "Runtime.MarshalError"}
        return _function_error(error, profile, lambda_request_id)
    return evaluate_payload(
        payload,
        api=api,
        request_headers=request_headers,
        binary_media_types=binary_media_types,
        limits=limits,
        lambda_request_id=lambda_request_id,
    )


def evaluate_payload(
    payload: bytes,
    *,
    api: str,
    request_headers: RequestHeaders = None,
    binary_media_types: Iterable[str] = (),
    function_error: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    lambda_request_id: str | None = None,
) -> Verdict:
    """What the client receives for a raw invocation payload (any bytes)."""
    profile = profile_for(api)
    if function_error:
        value, problem = _parse(payload)
        error = payload.decode("utf-8", errors="replace") if problem else value
        return _function_error(error, profile, lambda_request_id, payload=payload)
    size = len(payload)
    if size > limits.lambda_response_bytes:
        error = {
            "errorMessage": _SIZE_ERROR.format(limit=limits.lambda_response_bytes),
            "errorType": "Function.ResponseSizeTooLarge",
        }
        return _function_error(
            error,
            profile,
            lambda_request_id,
            payload=payload,
            size=size,
            limit=limits.lambda_response_bytes,
        )
    findings: list[Finding] = []
    if size > limits.gateway_payload_bytes:
        findings.append(finding("GW602", size=size, limit=limits.gateway_payload_bytes))
        return _failure(profile, findings, payload)
    if size > limits.lambda_response_bytes * limits.near_limit_ratio:
        findings.append(
            finding(
                "GW604",
                size=size,
                limit=limits.lambda_response_bytes,
                percent=round(100 * size / limits.lambda_response_bytes),
            )
        )
    value, problem = _parse(payload)
    if problem is not None:
        findings.append(problem)
        return _failure(profile, findings, payload)
    if isinstance(value, dict) and "statusCode" not in value:
        told = _not_a_result(value, profile, findings, payload, lambda_request_id)
        if told is not None:
            return told
    if profile.infers_response and not (isinstance(value, dict) and "statusCode" in value):
        return _inferred(value, profile, findings, payload)
    if not isinstance(value, dict):
        findings.append(finding("GW101", value=describe(value)))
        return _failure(profile, findings, payload)
    usual = None if findings else _usual(value, profile, payload)
    if usual is not None:
        return usual
    return _structured(
        value, profile, findings, payload, request_headers, tuple(binary_media_types)
    )


def _usual(result: dict[str, Any], profile: ApiProfile, payload: bytes) -> Verdict | None:
    """The verdict on the shape nearly every result has, or ``None`` for any other.

    ``statusCode`` a status ``_status`` accepts without a word, ``headers`` text
    under plain names (letters, digits, dashes) with a Content-Type, ``body`` text,
    and no other key but a false ``isBase64Encoded``: ``_structured`` would find
    nothing to say, so this says the same in one pass (the verdict runs on every
    request of ``serve`` and of the test client, ``benchmarks/bench_rules.py``).
    """
    extra = len(result) - 3
    if extra and (extra != 1 or result.get("isBase64Encoded", True) is not False):
        return None
    body = result.get("body")
    headers = result.get("headers")
    if type(body) is not str or type(headers) is not dict:
        return None
    said: list[Finding] = []
    status = _status(result, profile, said)
    if status is None or said:
        return None
    lines = []
    content_type = False
    for name, value in headers.items():
        if type(value) is not str or not (name.isascii() and name.replace("-", "").isalnum()):
            return None
        if not (value.isascii() and value.isprintable()):  # GW414, GW415 (a tab too)
            return None
        content_type = content_type or name.lower() == "content-type"
        lines.append((name, value))
    if not content_type:
        return None
    return Verdict(
        profile.name,
        status,
        lines,
        body.encode("utf-8", errors="replace"),
        False,
        (),
        _log(profile, _SUCCEEDED, status),
        payload,
    )


def _not_a_result(
    value: dict[str, Any],
    profile: ApiProfile,
    findings: list[Finding],
    payload: bytes,
    lambda_request_id: str | None,
) -> Verdict | None:
    """A body the function never returned: Lambda's service error (throttling, VPC
    networking) or its error object for a failed invocation (F1, G1-G6)."""
    keys = value.keys()
    if keys and keys <= _SERVICE_ERROR_KEYS and ("Reason" in keys or "Type" in keys):
        text = " ".join(str(v) for v in value.values())
        told = _service_verdict(text, profile, findings, payload)
        if told is not None:
            return told
    if "errorMessage" in keys and keys <= _ERROR_OBJECT_KEYS and not profile.infers_response:
        verdict = _function_error(value, profile, lambda_request_id, payload=payload)
        return verdict._replace(findings=(finding("GW108"), *findings, *verdict.findings))
    return None


def service_failure(text: str, *, api: str) -> Verdict | None:
    """The response when a log line or message says the function never answered
    (invoke permission, throttling, VPC networking: G1-G6), else ``None``."""
    return _service_verdict(text, profile_for(api), [], None)


def _service_verdict(
    text: str, profile: ApiProfile, findings: list[Finding], payload: bytes | None
) -> Verdict | None:
    cause = service_cause(text)
    if cause is None:
        return None
    row, detail = cause
    findings.append(finding(row.code, detail=detail))
    status = row.status or profile.failure_status
    line = f"Execution failed due to configuration error: {detail}"
    return _failure(profile, findings, payload, status=status, log=(line,))


def integration_timeout(api: str, limits: Limits = DEFAULT_LIMITS) -> Verdict:
    """The 504 API Gateway sends when the integration outlives its timeout (L3)."""
    profile = profile_for(api)
    return Verdict(
        api=profile.name,
        status=504,
        headers=[("Content-Type", "application/json")],
        body=b'{"message": "Endpoint request timed out"}',
        failed=True,
        findings=(finding("GW603", limit=limits.integration_timeout_seconds),),
        log_lines=_log(profile, ("Execution failed due to a timeout error",), 504),
    )


def _parse(payload: bytes) -> tuple[Any, Finding | None]:
    """The decoded payload, or the finding that says why it is not JSON."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, finding(
            "GW106", problem=f"byte {payload[exc.start]:#04x} at offset {exc.start} is not UTF-8"
        )
    try:
        return _DECODER.decode(text), None
    except _NonFinite as exc:
        return None, finding("GW107", value=str(exc))
    except json.JSONDecodeError as exc:
        if not text.strip():
            return None, finding("GW106", problem="the payload is empty")
        return None, finding("GW106", problem=f"{exc.msg} at line {exc.lineno} column {exc.colno}")
    except RecursionError:
        deep = _parse_deep(text)
        if deep is None:
            return None, finding("GW106", problem="nested too deeply to parse")
        return deep, None
    except ValueError:
        pass  # an integer past Python's digit limit: read it as AWS would
    try:
        return _BIG_INT_DECODER.decode(text), None
    except (ValueError, RecursionError) as exc:
        return None, finding("GW106", problem=str(exc))


#: how deep a result may nest: API Gateway reads what other runtimes can write, far
#: past Python's default recursion limit (the decoder is C; its frames are small)
DEEPEST = 12_000


def _parse_deep(text: str) -> Any:
    """A result nested deeper than the recursion limit, decoded with a higher one."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, DEEPEST))
    try:
        return _DECODER.decode(text)
    except (ValueError, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(previous)


def _accept(request_headers: RequestHeaders) -> str | None:
    if not request_headers:
        return None
    pairs = request_headers.items() if isinstance(request_headers, Mapping) else request_headers
    return next((value for name, value in pairs if name.lower() == "accept"), None)


def _structured(
    result: dict[str, Any],
    profile: ApiProfile,
    findings: list[Finding],
    payload: bytes,
    request_headers: RequestHeaders,
    binary_media_types: tuple[str, ...],
) -> Verdict:
    """A result read as a response object: check every key, then build it."""
    allowed = profile.allowed_keys
    for key, value in result.items():
        if key in allowed:
            continue
        names = preview(list(value)) if isinstance(value, dict) else preview(value)
        code = profile.unknown_key_overrides.get(key, profile.unknown_key_code)
        findings.append(finding(code, key=repr(key), names=names))
    status = _status(result, profile, findings)
    body = _body(result, profile, findings)
    headers = response_headers(result, profile, findings)
    encoded = _base64_flag(result, findings)
    if status is None or body is None or _has_error(findings):
        return _failure(profile, findings, payload)
    headers = with_default_content_type(headers, profile, findings)
    data = body.encode("utf-8", errors="replace")
    if encoded and _decodes(profile, request_headers, binary_media_types, findings):
        decoded, problem, unpadded = decode_base64(body)
        if decoded is None:
            findings.append(finding(profile.base64_invalid_code, problem=problem))
            return _failure(
                profile, findings, payload, status=profile.base64_failure_status, log=()
            )
        if unpadded:
            findings.append(finding("GW506"))
        data = decoded
    return Verdict(
        api=profile.name,
        status=status,
        headers=headers,
        body=data,
        failed=False,
        findings=tuple(findings),
        payload=payload,
        log_lines=_log(profile, _SUCCEEDED, status),
    )


_SUCCEEDED = ("Successfully completed execution",)


def _has_error(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings) if findings else False


def _status(result: dict[str, Any], profile: ApiProfile, findings: list[Finding]) -> int | None:
    """The status code (R3, R4, H2), or ``None`` when the result is malformed."""
    value = result.get("statusCode")
    if value is None:
        findings.append(finding(profile.status_missing_code))
        return 200 if profile.status_missing_code == "GW203" else None
    if type(value) is int and 200 <= value <= 599:
        return value  # the common case, first
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        findings.append(finding("GW206", value=preview(value), kind=kind_of(value)))
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            findings.append(finding("GW201", value=preview(value)))
            return None
        status = int(value) if len(value) < 10 else 0
    elif isinstance(value, int):
        status = value
    elif _is_finite(value):
        if not -1000 < value < 1000:  # int() of 1E+999999999 would build a billion digits
            findings.append(finding("GW206", value=preview(value), kind="outside 100-999"))
            return None
        status = int(value)
        findings.append(finding("GW204", value=preview(value), kind=kind_of(value), status=status))
    else:
        findings.append(finding("GW206", value=preview(value), kind=kind_of(value)))
        return None
    if 200 <= status <= 599:
        return status
    if 100 <= status <= 199:  # informational: never a final answer in HTTP
        findings.append(finding("GW207", value=status))
        return None
    if 600 <= status <= 999:
        findings.append(finding("GW205", value=status))
        return None
    findings.append(finding("GW206", value=preview(value), kind="outside 100-999"))
    return None


def _is_finite(value: float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return math.isfinite(value)


def _body(result: dict[str, Any], profile: ApiProfile, findings: list[Finding]) -> str | None:
    """The body text (R5, U3): absent and null are empty; a non-string fails, or
    on a function URL is sent as its JSON text."""
    body = result.get("body")
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    findings.append(
        finding(profile.body_not_string_code, value=describe(body), value_short=preview(body, 40))
    )
    return _compact(body) if profile.serialises_object_body else None


def _compact(value: Any) -> str:
    """JSON text without spaces, as function URLs re-serialise values (U1, U3)."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except TypeError:  # a number read past Python's int digit limit (a Decimal)
        return _compact_with_numbers(value)


def _compact_with_numbers(value: Any) -> str:
    """JSON text with each Decimal written as its digits: ``json.dumps`` writes no
    Decimal, so each is written as a marked string first, then unquoted."""
    marker = f"\x00{uuid.uuid4().hex}"

    def number(item: Any) -> str:
        if isinstance(item, Decimal):
            return f"{marker}{item}"
        raise TypeError(type(item).__name__)

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=number)
    quoted = re.escape(json.dumps(marker)[:-1])
    return re.sub(quoted + r'([-+.\deE]*)"', r"\1", text)


def _base64_flag(result: dict[str, Any], findings: list[Finding]) -> bool:
    """isBase64Encoded as API Gateway reads it (SAM's 'base64Encoded' alias: peer)."""
    if "isBase64Encoded" in result:
        value = result["isBase64Encoded"]
    elif "base64Encoded" in result:
        value = result["base64Encoded"]
        findings.append(finding("GW105", value=preview(value)))
    else:
        return False
    if value is None or isinstance(value, bool):
        return bool(value)
    flag = isinstance(value, str) and value.lower() == "true"
    findings.append(
        finding(
            "GW505", value=preview(value), kind=kind_of(value), flag="True" if flag else "False"
        )
    )
    return flag


def _decodes(
    profile: ApiProfile,
    request_headers: RequestHeaders,
    binary_media_types: tuple[str, ...],
    findings: list[Finding],
) -> bool:
    """Whether a base64 body reaches the client as bytes (R10, R11, H4)."""
    if not profile.negotiates_binary:
        return True
    if not binary_media_types:
        findings.append(finding("GW501"))
        return False
    accept = _accept(request_headers)
    for entry in leading_wildcards(binary_media_types):
        findings.append(finding("GW507", type=repr(entry)))
    media = first_media_range(accept)
    if media is None:
        shown = "no Accept header" if accept is None else f"a malformed Accept {accept!r}"
        findings.append(finding("GW508", accept=shown))
        return False
    if not accept_matches(media, binary_media_types):
        findings.append(finding("GW502", accept=repr(media), types=preview(binary_media_types)))
        return False
    return True


def _inferred(value: Any, profile: ApiProfile, findings: list[Finding], payload: bytes) -> Verdict:
    """Payload 2.0 without statusCode: 200, application/json, the result as body (V2, U1)."""
    body = payload.strip()
    if isinstance(value, dict):
        shape = [k for k in _RESPONSE_KEYS if k in value]
        findings.append(finding("GW802", keys=", ".join(shape)) if shape else finding("GW801"))
    elif isinstance(value, str) and profile.compact_inferred:
        body = value.encode("utf-8", errors="replace")  # U1: recorded as raw text
        findings.append(finding("GW801"))
    elif isinstance(value, str) or value is None:
        body = value.encode("utf-8", errors="replace") if value else b""
        other = "its JSON text " + preview(value) if value is not None else "the text null"
        findings.append(
            finding(
                "GW803",
                value=describe(value),
                reading=f"{len(body)} bytes of raw text",
                other=other,
            )
        )
    else:
        findings.append(finding("GW801"))
    if profile.compact_inferred and isinstance(value, (dict, list)):
        body = _compact(value).encode("utf-8", errors="replace")
    return Verdict(
        api=profile.name,
        status=200,
        headers=[("content-type", "application/json")],
        body=body,
        failed=False,
        findings=tuple(findings),
        payload=payload,
    )


def _function_error(
    error: Any,
    profile: ApiProfile,
    lambda_request_id: str | None,
    *,
    payload: bytes | None = None,
    size: int | None = None,
    limit: int | None = None,
) -> Verdict:
    """The function failed (F1-F3, L1): Lambda's error object instead of a result."""
    fields = error if isinstance(error, dict) else {}
    message = str(fields.get("errorMessage", preview(error)))
    error_type = str(fields.get("errorType", "Unhandled"))
    code = _FUNCTION_ERROR_CODES.get(error_type, "GW701")
    detail = error_type
    type_name = ""
    if _TIMEOUT_MARKER in message:
        code = "GW703"
    elif code == "GW701":
        cause = service_cause(f"{error_type}: {message}")
        unserialisable = _NOT_SERIALIZABLE.search(message) if error_type == "TypeError" else None
        if cause is not None:
            code, detail = cause[0].code, shorten(f"{error_type}: {message}", 300)
        elif unserialisable is not None:
            code, type_name = "GW704", unserialisable.group(1)
    shown_size = f"{size:,} bytes" if size is not None else "size not logged"
    findings = [
        finding(
            code,
            error_type=error_type,
            error_message=message,
            size=shown_size,
            limit=limit or DEFAULT_LIMITS.lambda_response_bytes,
            detail=detail,
            type_name=type_name,
            fix=serialise_fix(type_name),
        )
    ]
    line = _FUNCTION_ERROR_LOG.format(message=message)
    if lambda_request_id:
        line += f". Lambda request id: {lambda_request_id}"
    verdict = _failure(profile, findings, payload, log=(line,))
    if profile.function_error_status is None:
        return verdict
    return verdict._replace(
        status=profile.function_error_status,
        headers=list(profile.function_error_headers or ()),
        body=profile.function_error_body or b"",
    )


def _failure(
    profile: ApiProfile,
    findings: list[Finding],
    payload: bytes | None,
    *,
    status: int | None = None,
    log: tuple[str, ...] = (_MALFORMED_LOG,),
) -> Verdict:
    """The response API Gateway generates itself (R13, H1, V4)."""
    status = status or profile.failure_status
    # "statusCode missing: REST answers 200" would contradict the failure
    findings = [f for f in findings if f.code != "GW203"]
    return Verdict(
        api=profile.name,
        status=status,
        headers=list(profile.failure_headers),
        body=profile.failure_body,
        failed=True,
        findings=tuple(findings),
        payload=payload,
        log_lines=_log(profile, log, status),
    )


def _log(profile: ApiProfile, messages: tuple[str, ...], status: int) -> tuple[str, ...]:
    """Execution-log lines (REST only: HTTP APIs write none, H5)."""
    if not profile.writes_execution_log:
        return ()
    return (*messages, f"Method completed with status: {status}")
