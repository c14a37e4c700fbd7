"""Execution logs in AWS's wording, access logs, and CloudWatch-like metrics."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from typing import Any, TextIO

from ..catalogue import Finding
from ..redaction import escape_controls, might_hold_secrets, redact_text
from ..runtime.bootstrap import plain_dumps

LAMBDA_URI = (
    "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"
)


@dataclass
class Metrics:
    """API Gateway's stage metrics, counted since the server started."""

    count: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    latency_ms: float = 0.0
    integration_latency_ms: float = 0.0
    workers_replaced: int = 0

    def record(self, status: int, latency_ms: float, integration_ms: float) -> None:
        self.count += 1
        self.errors_4xx += 400 <= status < 500
        self.errors_5xx += status >= 500
        self.latency_ms += latency_ms
        self.integration_latency_ms += integration_ms

    def as_json(self) -> dict[str, Any]:
        average = self.latency_ms / self.count if self.count else 0.0
        integration = self.integration_latency_ms / self.count if self.count else 0.0
        return {
            "Count": self.count,
            "4XXError": self.errors_4xx,
            "5XXError": self.errors_5xx,
            "Latency": round(average, 3),
            "IntegrationLatency": round(integration, 3),
            "WorkersReplaced": self.workers_replaced,
        }


#: access record fields whose text comes from the client or the function
_FREE_TEXT = frozenset({"path", "integrationErrorMessage", "reason", "ip"})


@dataclass
class LogWriter:
    """Writes one request's log lines, prefixed with its id, as AWS does."""

    json_format: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    #: mask credentials (--show-secrets turns it off)
    redact: bool = True
    #: text held back until the end of ``one_write`` (None: written at once)
    _held: list[str] | None = field(default=None, repr=False)

    @contextlib.contextmanager
    def one_write(self) -> Iterator[None]:
        """Everything logged inside goes out as one write: a request's lines stay
        together, for the price of one system call."""
        if self._held is not None:  # already inside one
            yield
            return
        self._held = []
        try:
            yield
        finally:
            text, self._held = "".join(self._held), None
            if text:
                self.stream.write(text)
                self.stream.flush()

    def _write(self, text: str) -> None:
        if self._held is not None:
            self._held.append(text)
            return
        self.stream.write(text)
        self.stream.flush()

    def execution(self, request_id: str, lines: list[str]) -> None:
        """One write per request: lines of concurrent requests never interleave."""
        if self.redact and any(
            _might_hold_secrets(_id_neutral(line, request_id)) for line in lines
        ):
            lines = [redact_text(line) for line in lines]
        if self.json_format:
            head = (
                f'{{"timestamp": {int(time.time() * 1000)}, "requestId": '
                f'{_json_text(request_id)}, "type": "execution", "message": '
            )
            text = "".join(f"{head}{_json_text(line)}}}\n" for line in lines)
        else:
            text = "".join(f"({request_id}) {escape_controls(line)}\n" for line in lines)
        self._write(text)

    def findings(self, request_id: str, found: list[Finding]) -> None:
        """What the execution log cannot say (CORS, authorizers), as the tool's own lines."""
        if not found:
            return
        lines = [f"apigw-doctor: {f.code} {f.message} | fix: {f.fix}" for f in found]
        if self.redact:
            lines = [redact_text(line) for line in lines]
        if self.json_format:
            text = "".join(
                json.dumps({"requestId": request_id, "type": "finding", "code": f.code,
                            "message": line})
                + "\n"
                for f, line in zip(found, lines, strict=True)
            )  # fmt: skip
        else:
            text = "".join(f"({request_id}) {escape_controls(line)}\n" for line in lines)
        self._write(text)

    def note(self, request_id: str, text: str) -> None:
        """The tool's own word on a request (why it failed, and the fix)."""
        self._lines(request_id, "note", [f"apigw-doctor: {text}"])

    def function_output(self, request_id: str, function: str, text: str) -> None:
        """What the function printed (its log, traceback included), prefixed by the
        function and the request, as sam local and serverless-offline show it."""
        self._lines(request_id, "function", [f"[{function}] {line}" for line in text.splitlines()])

    def _lines(self, request_id: str, kind: str, lines: list[str]) -> None:
        if self.redact:
            lines = [redact_text(line) for line in lines]
        if self.json_format:
            text = "".join(
                json.dumps({"requestId": request_id, "type": kind, "message": line}) + "\n"
                for line in lines
            )
        else:
            text = "".join(f"({request_id}) {escape_controls(line)}\n" for line in lines)
        self._write(text)

    def access(self, record: dict[str, Any]) -> None:
        """The record's names are this module's own: only the values that come from the
        client or the function can hold secrets."""
        if self.redact and any(
            _might_hold_secrets(v)
            for k, v in record.items()
            if k in _FREE_TEXT and isinstance(v, str)
        ):
            record = {
                k: redact_text(v) if k in _FREE_TEXT and isinstance(v, str) else v
                for k, v in record.items()
            }
        if self.json_format:
            text = plain_dumps({"type": "access", **record})
        else:
            text = " ".join(f"{k}={escape_controls(str(v))}" for k, v in record.items())
        self._write(text + "\n")


def execution_lines(
    *,
    request_id: str,
    method: str,
    path: str,
    path_parameters: dict[str, str] | None,
    query: dict[str, str] | None,
    function_name: str,
    integration_status: int | None,
    latency_ms: float,
    payload: bytes | None,
    verdict_lines: tuple[str, ...],
) -> list[str]:
    """The INFO execution log of a REST API request, data tracing on."""
    lines = [
        f"Starting execution for request: {request_id}",
        f"HTTP Method: {method}, Resource Path: {path}",
        f"Method request path: {_java_map(path_parameters)}",
        f"Method request query string: {_java_map(query)}",
        f"Endpoint request URI: {_lambda_uri(function_name)}",
        f"Sending request to {_lambda_uri(function_name)}",
    ]
    if integration_status is not None:
        lines.append(
            f"Received response. Status: {integration_status}, "
            f"Integration latency: {latency_ms:.0f} ms"
        )
    if payload is not None:
        text = payload[:1000].decode("utf-8", "replace")
        truncated = " [TRUNCATED]" if len(payload) > 1000 else ""
        lines.append(f"Endpoint response body before transformations: {text}{truncated}")
    lines.extend(verdict_lines)
    return lines


#: what ``might_hold_secrets`` said of lines seen before: most of a request's log
#: lines (the URI lines, the same result body, the verdict's) repeat request after
#: request, and a dictionary look-up is far cheaper than the scan
_SEEN: dict[str, bool] = {}
_SEEN_MAX = 4096
_SEEN_LONGEST = 4096  # longer lines are scanned every time (not kept in memory)


def _might_hold_secrets(line: str) -> bool:
    known = _SEEN.get(line)
    if known is None:
        known = might_hold_secrets(line)
        if len(line) <= _SEEN_LONGEST:
            if len(_SEEN) >= _SEEN_MAX:
                _SEEN.clear()
            _SEEN[line] = known
    return known


#: what a request id holds: no secret hint (``redaction._NAME_HINTS``, the shapes'
#: hints) is made of these characters alone
_ID_CHARACTERS = "0123456789abcdef-"


def _id_neutral(line: str, request_id: str) -> str:
    """The line as the secret check may see it: the request id (hex digits and dashes)
    as a run of zeros, where nothing beside it could join it into a hint.  The check's
    answer is the same (no hint holds those characters), and "Starting execution for
    request: <id>" becomes a line the memo knows instead of a new one to scan."""
    at = line.find(request_id)
    if at < 0 or request_id.strip(_ID_CHARACTERS):
        return line
    end = at + len(request_id)
    if (at and _joins(line[at - 1])) or (end < len(line) and _joins(line[end])):
        return line
    return f"{line[:at]}{'0' * len(request_id)}{line[end:]}"


def _joins(character: str) -> bool:
    return character.isalnum() or character in "_-"


@functools.lru_cache(maxsize=256)
def _lambda_uri(function_name: str) -> str:
    return LAMBDA_URI.format(name=function_name)


def _json_text(text: str) -> str:
    """``json.dumps`` of a string, without its per-call set-up (the same C encoder)."""
    return encode_basestring_ascii(text)


def _java_map(values: dict[str, str] | None) -> str:
    """API Gateway prints maps Java-style: {id=42, q=x}."""
    return "{" + ", ".join(f"{k}={v}" for k, v in (values or {}).items()) + "}"
