"""Execution logs in AWS's wording, access logs, and CloudWatch-like metrics."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..redaction import escape_controls, redact_data, redact_text

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


@dataclass
class LogWriter:
    """Writes one request's log lines, prefixed with its id, as AWS does."""

    json_format: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    #: mask credentials (--show-secrets turns it off)
    redact: bool = True

    def execution(self, request_id: str, lines: list[str]) -> None:
        for line in lines:
            if self.json_format:
                record = {
                    "timestamp": int(time.time() * 1000),
                    "requestId": request_id,
                    "type": "execution",
                    "message": redact_text(line) if self.redact else line,
                }
                print(json.dumps(record), file=self.stream)
            else:
                shown = redact_text(line) if self.redact else line
                print(f"({request_id}) {escape_controls(shown)}", file=self.stream)
        self.stream.flush()

    def access(self, record: dict[str, Any]) -> None:
        record = redact_data(record) if self.redact else record
        if self.json_format:
            print(json.dumps({"type": "access", **record}), file=self.stream)
        else:
            print(
                " ".join(f"{k}={escape_controls(str(v))}" for k, v in record.items()),
                file=self.stream,
            )
        self.stream.flush()


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
        f"Endpoint request URI: {LAMBDA_URI.format(name=function_name)}",
        f"Sending request to {LAMBDA_URI.format(name=function_name)}",
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


def _java_map(values: dict[str, str] | None) -> str:
    """API Gateway prints maps Java-style: {id=42, q=x}."""
    return "{" + ", ".join(f"{k}={v}" for k, v in (values or {}).items()) + "}"
