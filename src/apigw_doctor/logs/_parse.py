"""One log line in, one typed record out: which source wrote it and what it says.

Handles the prefixes CloudWatch adds (an export's timestamp, `aws logs tail`'s
timestamp and stream) and the messages of three writers: API Gateway's
execution log, its access log (JSON), and the Lambda function's own log.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .. import _json as json_text

_STAMP = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+")
_EXECUTION = re.compile(r"\(([^)\s]{8,})\) (.*)", re.S)
_RUNTIME_TIME = re.compile(r"\t(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\t")
_LAMBDA_ID = re.compile(
    r"(?:RequestId: |^|\t)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{12})"
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MESSAGE_STARTS = ("(", "{", "START ", "END ", "REPORT ", "[", "INIT_START", "RequestId: ")


@dataclass(frozen=True)
class Execution:
    """A line of a REST API's execution log: ``(request id) message``."""

    request_id: str
    message: str
    time: float | None


@dataclass(frozen=True)
class Access:
    """An access log record (JSON, any $context fields)."""

    fields: dict[str, Any]
    time: float | None


@dataclass(frozen=True)
class FunctionLog:
    """A line of the function's own log that says how an invocation ended."""

    request_id: str
    kind: str  # "error", "timeout", "report"
    text: str
    time: float | None


Record = Execution | Access | FunctionLog


def parse(line: str) -> Record | None:
    """What one line says, or ``None`` for lines that say nothing we use."""
    time, message = _strip_prefix(line)
    if not message:
        return None
    first = message[0]
    if first == "(":
        match = _EXECUTION.match(message)
        return Execution(match.group(1), match.group(2), time) if match else None
    if first == "{":
        return _json_record(message, time)
    return _function_line(message, time)


def _strip_prefix(line: str) -> tuple[float | None, str]:
    """Drop an export's timestamp, or `aws logs tail`'s timestamp and stream name."""
    match = _STAMP.match(line)
    if not match:
        return None, line.strip()
    time = parse_time(match.group(1))
    rest = line[match.end() :]
    if rest.startswith(_MESSAGE_STARTS) or _STAMP.match(rest) or _UUID.match(rest):
        return time, rest.strip()
    stream, _, message = rest.partition(" ")
    return time, message.strip() if message else stream.strip()


@functools.lru_cache(maxsize=1024)
def parse_time(text: str) -> float | None:
    """An ISO 8601 time as epoch seconds (UTC when it names no zone); a request's lines
    share their stamps, so each distinct one is read once."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:  # Logs Insights and the console write UTC without saying so
        when = when.replace(tzinfo=UTC)
    try:
        return sane_time(when.timestamp())
    except (ValueError, OverflowError):
        return None


#: the end of year 9999: a later (or negative, or NaN) time is a logged value gone wrong,
#: and would overflow time.gmtime when the report prints it
LATEST = 253_402_300_799.0


def sane_time(stamp: float | None) -> float | None:
    """A time the report can print, else ``None``."""
    if stamp is None or not 0 <= stamp <= LATEST:  # NaN fails both comparisons
        return None
    return stamp


def insights_time(stamp: str) -> str:
    """Logs Insights writes ``2022-11-02 10:19:35.123`` (UTC); the parser reads ISO 8601."""
    text = stamp.replace(" ", "T", 1)
    return text if text.endswith("Z") or "+" in text[10:] else text + "Z"


def _json_record(message: str, time: float | None) -> Record | None:
    try:
        value = json_text.loads(message, parse_int=_bounded_int)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    if "errorMessage" in value and "errorType" in value:
        # without a request id (Java, Go, .NET print the error object alone): the
        # reader gives it the invocation its START line opened
        return FunctionLog(str(value.get("requestId") or ""), "error", message, time)
    if "requestId" in value or "requestTime" in value or _says_failed(value):
        return Access(value, time)
    return None


#: the gateway's own words for a failed request, in a JSON record of any shape
GATEWAY_FAILED = ("Execution failed", "Lambda execution failed", "Lambda invocation failed")


def _says_failed(value: dict[str, Any]) -> bool:
    """A record with a status and a message in API Gateway's words (a log shipper's or
    a custom format without requestId): read as an access record."""
    return "status" in value and any(
        isinstance(text, str) and any(phrase in text for phrase in GATEWAY_FAILED)
        for text in value.values()
    )


def _bounded_int(digits: str) -> int | str:
    """A JSON integer, or its digits as text past 100 of them (no logged field needs
    more, and int() refuses past 4,300: the record stays readable)."""
    return int(digits) if len(digits) <= 100 else digits


def _function_line(message: str, time: float | None) -> Record | None:
    """START/END/REPORT, `[ERROR]` lines and timeouts of the Lambda runtime."""
    if message.startswith(("START ", "END ", "INIT_START")):
        return None
    found = _LAMBDA_ID.search(message)
    if found is None:
        return None
    request_id = found.group(1)
    if time is None:  # the runtime's own "[ERROR]\t<time>\t<request id>\t..." line
        stamp = _RUNTIME_TIME.search(message)
        time = parse_time(stamp.group(1)) if stamp else None
    if message.startswith("REPORT "):
        return FunctionLog(request_id, _report_kind(message), message, time)
    if "Task timed out after" in message:
        return FunctionLog(request_id, "timeout", message, time)
    if _FAILED.search(message):
        return FunctionLog(request_id, "error", message, time)
    return None


#: a line of the function's log that says its invocation failed, in any runtime: Python's
#: [ERROR], Node.js's "ERROR\tInvoke Error", the runtime killed or exited
_FAILED = re.compile(
    r"\[ERROR\]|Response payload size exceeded|\tERROR\t(?:Invoke Error|Unhandled Promise "
    r"Rejection|Uncaught Exception)|Runtime exited|Process exited before completing request"
    r"|Runtime\.\w+Error|Runtime\.OutOfMemory|RequestId: \S+ Error: "
)
_MEMORY = re.compile(r"Memory Size: (\d{1,7}) MB\s+Max Memory Used: (\d{1,7}) MB")


def memory_exhausted(report: str) -> bool:
    """A REPORT line whose 'Max Memory Used' reached the function's 'Memory Size'."""
    found = _MEMORY.search(report)
    return found is not None and int(found.group(2)) >= int(found.group(1))


def _report_kind(report: str) -> str:
    """A REPORT line says how the invocation ended when it ran out of memory, or (newer
    runtimes) in its own "Status: error|timeout" field; else it is only a report."""
    if "Status: timeout" in report:
        return "timeout"
    if "Status: error" in report or memory_exhausted(report):
        return "error"
    return "report"
