"""From log records to the story of each failed request, and its cause.

API Gateway logs *that* a response was malformed, never *why*.  With data
tracing on it also logs the function's result, so re-running the rules core
on that logged result turns "Malformed Lambda proxy response" into "body is an
object: wrap it in json.dumps".
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .. import _json as json_text
from ..catalogue import Finding, finding
from ..rules import (
    Verdict,
    evaluate_payload,
    integration_timeout,
    profile_for,
    service_failure,
)
from ._lambda import error_object, lambda_cause
from ._parse import (
    GATEWAY_FAILED,
    Access,
    Execution,
    FunctionLog,
    Record,
    parse_time,
    sane_time,
)
from ._partial import close_json
from ._shapes import GROUPED, TRUNCATED

_LAMBDA_REQUEST_ID = re.compile(r"x-amzn-RequestId=([0-9a-f-]{36})", re.I)
_HTTP_METHOD = re.compile(r"HTTP Method: (\S+), Resource Path: (.*)")
_LATENCY = re.compile(r"Received response\. Status: (\d{1,6}), Integration latency: (\d{1,12}) ms")
_FUNCTION_ERROR = re.compile(
    r"customer function error: (.*?)(?:\. Lambda request id: "
    r"([0-9a-f-]{36}))?$",
    re.S,
)
_REPORTED_ERROR = re.compile(r"Status: (?:error|timeout)\s+Error Type: ([\w.]+)")
_PLATFORM_ERROR = re.compile(r"RequestId: [0-9a-f-]{36} Error: (.+)")
_ERROR_LINE = re.compile(r"\[ERROR\]\s+(?:\S+\s+[0-9a-f-]{36}\s+)?([\w.]+): (.*)", re.S)
#: findings a truncated body cannot prove: they depend on what was cut off
_NEEDS_WHOLE_BODY = frozenset(
    {
        "GW106",
        "GW107",
        "GW202",
        "GW203",
        "GW409",
        "GW410",
        "GW503",
        "GW504",
        "GW506",
        "GW501",
        "GW502",
        "GW508",
        "GW604",
        "GW801",
        "GW802",
        "GW803",
    }
)
#: no time: what a request's first line is compared with
_UNSEEN: float | None = float("nan")
MAX_OPEN = 100_000  # requests without a completion line yet (bounded memory)
MAX_KEPT = 20_000  # failed requests kept in full; beyond, only counted


@dataclass
class Story:
    """One failed request, from the gateway's log lines and the function's."""

    request_id: str
    api: str = "rest"
    time: float | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    integration_status: int | None = None
    integration_latency_ms: float | None = None
    gateway_error: str | None = None
    function_error: str | None = None
    lambda_request_id: str | None = None
    body: str | None = None
    source: str = "execution"
    function_log: list[str] = field(default_factory=list)
    access: dict[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    cause: str = ""
    explanation: str = ""
    #: no "Method completed" line: the status is the one AWS's rules give
    status_inferred: bool = False

    @property
    def grouped(self) -> bool:
        """The log had no request id: this request's lines were grouped by position."""
        return self.request_id.startswith(GROUPED)

    @property
    def truncated(self) -> bool:
        return self.body is not None and self.body.rstrip().endswith(TRUNCATED)

    def as_json(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "statusInferred": self.status_inferred,
            "requestIdFromLog": not self.grouped,
            "api": self.api,
            "integrationLatencyMs": self.integration_latency_ms,
            "gatewayError": self.gateway_error,
            "functionError": self.function_error,
            "lambdaRequestId": self.lambda_request_id,
            "body": self.body,
            "bodyTruncated": self.truncated,
            "functionLog": self.function_log,
            "access": self.access,
            "cause": self.cause,
            "explanation": self.explanation,
            "findings": [f.as_json() for f in self.findings],
        }


@dataclass
class Totals:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    first: float | None = None
    last: float | None = None
    failed_beyond_kept: int = 0

    def seen(self, time: float | None) -> None:
        time = sane_time(time)
        if time is None:
            return
        self.first = time if self.first is None else min(self.first, time)
        self.last = time if self.last is None else max(self.last, time)


class StepProgress(Protocol):
    """What is told how far the work has got (the CLI's progress bar): bytes read, then
    the items of each later step."""

    def __call__(self, count: int) -> None:
        """``count`` more bytes (or items of the current step) done."""

    def step(self, label: str, total: int) -> None:
        """The next step begins: ``total`` items, counted by calls from now on."""


class Collector:
    """Feeds on records in any order of sources; ``stories()`` when all are read."""

    def __init__(self, api: str = "rest") -> None:
        self.api = api
        self.open: OrderedDict[str, Story] = OrderedDict()
        self.failed: dict[str, Story] = {}
        self.execution = Totals()
        self.access = Totals()
        self.function_logs: dict[str, list[FunctionLog]] = {}
        self.skipped = 0
        self.lines = 0

    def add(self, record: Record | None) -> None:
        self.lines += 1
        self.record(record)

    def add_line(self, records: Iterable[Record | None]) -> None:
        """One physical line, which completed these records (none while being joined)."""
        self.lines += 1
        for record in records:
            self.record(record)

    def record(self, record: Record | None) -> None:
        if record is None:
            self.skipped += 1
        elif isinstance(record, Execution):
            self._execution(record)
        elif isinstance(record, Access):
            self._access(record)
        elif record.kind != "report":
            self.function_logs.setdefault(record.request_id, []).append(record)

    # -- the execution log ------------------------------------------------------------
    def _execution(self, record: Execution) -> None:
        self.execution_line(record.request_id, record.message, record.time)

    def request_lines(self, request_id: str, lines: list[tuple[str, float | None]]) -> None:
        """Execution-log lines of one request, as (message, time): the fast path reads
        failed requests' lines straight into these, without a record per line."""
        seen, last = self.execution.seen, _UNSEEN
        for message, time in lines:
            if time != last:  # a request's lines share a few stamps
                seen(time)
                last = time
            self._message(self._story(request_id, time), message)

    def execution_line(self, request_id: str, message: str, time: float | None) -> None:
        """One execution-log line, given as its parts."""
        story = self._story(request_id, time)
        self.execution.seen(time)
        self._message(story, message)

    def _story(self, request_id: str, time: float | None) -> Story:
        """The story of the open request ``request_id``, opened by this line if new."""
        story = self.open.get(request_id)
        if story is None:
            story = Story(request_id, self.api, time)
            self.open[request_id] = story
            if len(self.open) > MAX_OPEN:
                self.open.popitem(last=False)
        return story

    def _message(self, story: Story, message: str) -> None:
        if message.startswith("HTTP Method: "):
            match = _HTTP_METHOD.match(message)
            if match:
                story.method, story.path = match.group(1), match.group(2).strip()
        elif message.startswith("Endpoint response headers: "):
            match = _LAMBDA_REQUEST_ID.search(message)
            if match:
                story.lambda_request_id = match.group(1)
        elif message.startswith("Endpoint response body before transformations: "):
            story.body = message.partition(": ")[2]
        elif message.startswith("Received response. "):
            match = _LATENCY.match(message)
            if match:
                story.integration_status = int(match.group(1))
                story.integration_latency_ms = float(match.group(2))
        elif message.startswith(("Lambda execution failed", "Lambda invocation failed")):
            story.gateway_error = _joined(message, story.gateway_error)
            match = _FUNCTION_ERROR.search(message)
            if match:
                story.function_error = match.group(1)
                story.lambda_request_id = match.group(2) or story.lambda_request_id
        elif message.startswith(("Execution failed", "Gateway response type: ")) or (
            "throttle limit exceeded" in message or message.startswith("Throttled by")
        ):
            story.gateway_error = _joined(story.gateway_error, message)
        elif message.startswith("Method completed with status: "):
            self._complete(story, message)

    def _complete(self, story: Story, message: str) -> None:
        self.open.pop(story.request_id, None)
        status_text = message.rpartition(" ")[2]
        story.status = _int(status_text)
        self.execution.requests += 1
        if story.status is not None:
            self.execution.statuses[story.status] += 1
        if self._failed(story):
            self._keep(story)

    @staticmethod
    def _failed(story: Story) -> bool:
        """5xx, and 4xx that API Gateway generated itself (the integration never answered)."""
        status = story.status or 0
        return status >= 500 or (400 <= status < 500 and story.integration_status is None)

    def keeps_no_more(self, request_id: str) -> bool:
        """Whether a failed request of this id would only be counted: MAX_KEPT are
        kept, none has its id, and it has no open story (nor would evict one)."""
        return (
            len(self.failed) >= MAX_KEPT
            and request_id not in self.failed
            and request_id not in self.open
            and len(self.open) < MAX_OPEN
        )

    def counted_failure(self, completed: str, times: list[float | None]) -> bool:
        """A request beyond what :meth:`keeps_no_more` allows, counted as its lines
        would count it (their times, its status), if its ``completed`` message is a 5xx
        completion: else False and nothing counted."""
        if not completed.startswith("Method completed with status: "):
            return False
        status = _int(completed.rpartition(" ")[2])
        if status is None or status < 500:
            return False
        last = _UNSEEN
        for time in times:
            if time != last:
                self.execution.seen(time)
                last = time
        self.execution.requests += 1
        self.execution.statuses[status] += 1
        self.execution.failed_beyond_kept += 1
        return True

    def _keep(self, story: Story) -> None:
        if story.request_id in self.failed or len(self.failed) < MAX_KEPT:
            self.failed[story.request_id] = story
        else:
            self.execution.failed_beyond_kept += 1

    # -- access logs ------------------------------------------------------------------
    def _access(self, record: Access) -> None:
        fields = record.fields
        request_id = str(fields.get("requestId") or fields.get("extendedRequestId") or "")
        if not request_id:  # a Logs Insights table of chosen fields: each row its own
            request_id = f"{GROUPED}access-{self.access.requests + 1}"
        status = _int(fields.get("status"))
        time = record.time or _access_time(fields)
        self.access.requests += 1
        self.access.seen(time)
        if status is not None:
            self.access.statuses[status] += 1
        story = self.failed.get(request_id)
        if story is not None:
            story.access = fields
            return
        error = _error_message(fields)
        if status is None:
            if not (error or _failure_type(fields)):
                return  # no status and no error: nothing says it failed
        elif not (status >= 500 or _gateway_generated(fields, status)):
            return
        api = self.api if "resourcePath" in fields or "routeKey" not in fields else "http-2.0"
        story = Story(request_id, api, time, source="access", status=status, access=fields)
        story.method = fields.get("httpMethod") or fields.get("method")
        story.path = (
            fields.get("resourcePath")
            or fields.get("path")
            or fields.get("routeKey")
            or fields.get("resource")
        )
        story.integration_latency_ms = _float(fields.get("integrationLatency"))
        story.integration_status = _int(fields.get("integrationStatus"))
        story.gateway_error = error or _failure_type(fields)
        self._keep(story)

    # -- results ----------------------------------------------------------------------
    def stories(self, steps: StepProgress | None = None) -> list[Story]:
        """Every failed request with its cause, oldest first (``steps`` is told of each
        one explained).

        A request whose log says it failed but has no ``Method completed`` line
        (a paste cut short, a log read mid-request) counts too, its status
        inferred from AWS's rules.
        """
        for story in list(self.open.values()):
            if story.gateway_error or story.function_error:
                self.open.pop(story.request_id)
                self.execution.requests += 1
                self._keep(story)
        stories = sorted(
            [*self.failed.values(), *self._function_only()],
            key=lambda s: (s.time or 0.0, s.request_id),
        )
        if steps is not None:
            steps.step("explaining failures", len(stories))
        for story in stories:
            if steps is not None:
                steps(1)
            own = self.function_logs.get(story.request_id, []) if story.grouped else []
            log = self.function_logs.get(story.lambda_request_id or "", [])
            log = log + own if story.request_id != story.lambda_request_id else log
            story.function_log.extend(line.text for line in log)
            _explain_safely(story, log)
            if story.status_inferred and story.status is not None:
                totals = self.access if story.source == "access" else self.execution
                totals.statuses[story.status] += 1
        return stories

    def _function_only(self) -> list[Story]:
        """Invocations whose function log says they failed, with no gateway line about
        them: behind an API proxy integration the client got the kind's failure status.
        Only for a log of the function alone (what people often have): with gateway
        lines, a function error not linked to a request would be counted twice."""
        if self.execution.requests or self.access.requests or self.failed:
            return []  # the gateway's own lines tell these requests' story
        covered = {s.lambda_request_id for s in self.failed.values()} | set(self.failed)
        found = []
        for request_id, records in self.function_logs.items():
            if request_id in covered or not any(r.kind in ("error", "timeout") for r in records):
                continue
            story = Story(request_id, self.api, records[0].time, source="function")
            story.lambda_request_id = request_id
            story.function_error = "Unhandled"
            found.append(story)
            if len(found) >= MAX_KEPT:
                break
        return found


def _explain_safely(story: Story, function_log: list[FunctionLog]) -> None:
    """:func:`explain`, but a logged value the rules cannot judge (a number past
    Python's digit limit, data nested past the recursion limit) leaves this one failure
    unexplained, said so, instead of ending the whole report in a traceback."""
    try:
        explain(story, function_log)
    except (ValueError, RecursionError, OverflowError) as exc:
        story.findings = ()
        story.cause = "unexplained"
        story.explanation = (
            f"the logged result could not be judged ({type(exc).__name__}: "
            f"{str(exc)[:120]}); read it below"
        )
        if story.status is None:
            story.status, story.status_inferred = profile_for(story.api).failure_status, True


def explain(story: Story, function_log: list[FunctionLog]) -> None:
    """Decide the cause of one failure: re-run the rules on what the logs show."""
    verdict = _verdict(story, function_log)
    if story.status is None and verdict is not None:
        story.status, story.status_inferred = verdict.status, True
    if verdict is not None or story.cause:
        return
    if story.status is None:  # only a failure line: the kind's failure status
        story.status, story.status_inferred = profile_for(story.api).failure_status, True
    if story.status < 500:
        story.cause = "gateway-4xx"
        story.explanation = (
            f"API Gateway answered {story.status} itself, without calling the integration: "
            "a missing route or method, authorization, throttling or a payload over 10 MB"
        )
    else:
        _no_data_trace(story)


def _verdict(story: Story, function_log: list[FunctionLog]) -> Verdict | None:
    """The rules core's verdict on what the logs hold, with the story's cause set."""
    error = _function_error(story, function_log)
    gateway = story.gateway_error or ""
    service = _service_failure(gateway, story.api) if gateway and error is None else None
    texts = [record.text for record in function_log]
    body = story.body if story.body and '"errorType"' in story.body else ""
    named = lambda_cause([*texts, story.function_error or "", body], error)
    if named is not None and service is None:
        # the function's own log names what the gateway's only calls a function error
        verdict = evaluate_payload(
            json.dumps(error or {"errorMessage": named.message, "errorType": "Unhandled"}).encode(),
            api=story.api,
            function_error="Unhandled",
        )
        _set(story, (named,), "the function's own log names the cause")
        return verdict
    if "timeout" in gateway.lower() and service is None:
        verdict = integration_timeout(story.api)
        _set(story, verdict.findings, "the integration timed out: API Gateway answered 504")
    elif service is not None:
        verdict = service
        _set(story, verdict.findings, "API Gateway's log names the cause")
    elif error is not None:
        verdict = _function_verdict(json.dumps(error), story.api)
        _set(story, verdict.findings, "the function failed (a function error)")
    elif story.body is not None and story.truncated:
        _set(
            story,
            _truncated_findings(story),
            "the logged result is cut off ([TRUNCATED]): "
            "these findings are what its visible part proves",
        )
        if story.status is None:  # a malformed result: the kind's failure status
            story.status, story.status_inferred = profile_for(story.api).failure_status, True
        return None
    elif story.body is not None:
        verdict = evaluate_payload(story.body.encode("utf-8"), api=story.api)
        _set(
            story,
            verdict.errors or verdict.findings,
            "re-running API Gateway's rules on the logged result",
        )
    else:
        return None
    return verdict


@functools.lru_cache(maxsize=1024)
def _service_failure(gateway: str, api: str) -> Verdict | None:
    """The rules core's verdict on a failure line, once per distinct line: a log repeats
    the same few lines for thousands of failures."""
    return service_failure(gateway, api=api)


@functools.lru_cache(maxsize=1024)
def _function_verdict(error: str, api: str) -> Verdict:
    """The verdict on a function error object, once per distinct error."""
    return evaluate_payload(error.encode(), api=api, function_error="Unhandled")


def _no_data_trace(story: Story) -> None:
    """A 5xx whose cause the logs do not hold: say which setting would show it."""
    named = _named_field(story.gateway_error or "")
    if named is not None:
        _set(story, (named,), f"the access log names the field: {story.gateway_error}")
        return
    story.cause = "no-data-trace"
    tracing = (
        "turn on data tracing (apigw-doctor aws enable-logging --rest-api-id ID --stage NAME "
        "--data-trace)"
    )
    if story.source == "access" and story.gateway_error:
        story.explanation = (
            f"the access log says: {story.gateway_error}; the function's result is not in "
            f"the logs, so which key is wrong cannot be read: {tracing}, or read the "
            "function's own log for the same time"
        )
        return
    story.explanation = (
        f"the log does not hold the function's result, so the cause cannot be read: "
        f"{tracing} or add $context.integrationErrorMessage to the access log format"
    )
    if story.gateway_error:
        story.explanation = f"{story.gateway_error}; {story.explanation}"


#: HTTP APIs' integrationErrorMessage names the field of the result it rejected
_WRONG_FIELD = re.compile(r'wrong type for field \\?"?(\w+)')
_FIELD_CODES = {"body": "GW301", "headers": "GW401", "statusCode": "GW206", "cookies": "GW408"}


def _named_field(message: str) -> Finding | None:
    """The finding for the field an HTTP API's integrationErrorMessage names, if any."""
    found = _WRONG_FIELD.search(message)
    field_name = found.group(1) if found else ""
    code = _FIELD_CODES.get(field_name)
    if code is None:
        return None
    shown = "of a type API Gateway rejects (the access log does not show the value)"
    return finding(code, value=shown, value_short="value", kind="a wrong type", key=field_name)


def _set(story: Story, findings: tuple[Finding, ...], explanation: str) -> None:
    story.findings = findings
    errors = [f for f in findings if f.severity == "error"] or list(findings)
    story.cause = errors[0].code if errors else "unexplained"
    story.explanation = explanation


def _function_error(story: Story, function_log: list[FunctionLog]) -> dict[str, str] | None:
    """Lambda's error object, from the function's own log or the gateway's line."""
    for record in function_log:
        if record.kind == "timeout":
            return {"errorMessage": record.text, "errorType": "Sandbox.Timedout"}
        parsed = _error_from_line(record.text)
        if parsed:
            return parsed
    if story.function_error is not None:
        parsed = _error_from_line(story.function_error)
        return parsed or {"errorMessage": story.function_error, "errorType": "Unhandled"}
    body = story.body or ""
    if '"errorMessage"' in body and '"errorType"' in body and not story.truncated:
        try:
            value = json_text.loads(body)
        except ValueError:
            return None
        if isinstance(value, dict) and "statusCode" not in value:
            return {
                "errorMessage": str(value.get("errorMessage")),
                "errorType": str(value.get("errorType")),
            }
    return None


def _error_from_line(text: str) -> dict[str, str] | None:
    if "\tERROR\t" in text:  # Node.js: the error object after the line's prefix
        carried = error_object(text)
        if carried:
            return carried
    if text.lstrip().startswith("{"):
        try:
            value = json_text.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict) and "errorMessage" in value:
            return {
                "errorMessage": str(value["errorMessage"]),
                "errorType": str(value.get("errorType", "Unhandled")),
            }
    if "Response payload size exceeded" in text:
        return {"errorMessage": text.strip(), "errorType": "Function.ResponseSizeTooLarge"}
    if "Task timed out after" in text:
        return {"errorMessage": text.strip(), "errorType": "Sandbox.Timedout"}
    match = _ERROR_LINE.search(text)
    if match:
        return {"errorMessage": match.group(2).strip(), "errorType": match.group(1)}
    platform = _PLATFORM_ERROR.search(text)
    if platform:  # Lambda's own line when the runtime died: "RequestId: <id> Error: ..."
        return {"errorMessage": platform.group(1).strip(), "errorType": "Runtime.ExitError"}
    reported = _REPORTED_ERROR.search(text)
    if reported:  # a REPORT / INIT_REPORT line's own "Status: error  Error Type: ..."
        return {"errorMessage": reported.group(0), "errorType": reported.group(1)}
    if "Runtime exited" in text or "Process exited before completing" in text:
        return {"errorMessage": text.strip(), "errorType": "Runtime.ExitError"}
    if "Unable to marshal response" in text:
        return {"errorMessage": text.strip(), "errorType": "Runtime.MarshalError"}
    return None


def _truncated_findings(story: Story) -> tuple[Finding, ...]:
    visible = (story.body or "").rstrip()[: -len(TRUNCATED)]
    closed = close_json(visible)
    if closed is None:
        return (finding("GW106", problem="the logged result is cut off before it can be read"),)
    verdict = evaluate_payload(closed.encode("utf-8"), api=story.api)
    return tuple(f for f in verdict.findings if f.code not in _NEEDS_WHOLE_BODY)


#: a logged status or latency is a few digits; a longer one is not read as a number (and
#: never reaches int(), whose digit limit would turn a 5,000-digit status into a traceback)
MAX_DIGITS = 12


#: a request's failure lines kept together: "Lambda invocation failed with status: 502"
#: says little, the "Execution failed due to ..." after it names the cause
MAX_GATEWAY_ERROR = 4000


def _joined(first: str | None, second: str | None) -> str:
    """Two failure lines of one request as one text (each once, bounded)."""
    parts = [part for part in (first, second) if part]
    text = "; ".join(dict.fromkeys(parts))
    return text[:MAX_GATEWAY_ERROR]


def _int(value: Any) -> int | None:
    """A logged integer (``502``, ``"502"``) within :data:`MAX_DIGITS`, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**MAX_DIGITS else None
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_DIGITS:
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    """A logged finite number, else ``None`` (no NaN or infinity reaches a total)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str) and len(value) > 64:
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _access_time(fields: dict[str, Any]) -> float | None:
    epoch = _float(fields.get("requestTimeEpoch"))
    if epoch is not None:
        return sane_time(epoch / 1000 if epoch > 1e11 else epoch)
    text = fields.get("requestTime")
    if isinstance(text, str):
        try:
            return sane_time(datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z").timestamp())
        except ValueError:
            return parse_time(text)
    return None


def _error_message(fields: dict[str, Any]) -> str | None:
    for key in (
        "integrationErrorMessage",
        "integrationError",
        "integration.error",
        "errorMessage",
        "error.message",
    ):
        value = fields.get(key)
        if value and value != "-":
            return str(value)
    for value in fields.values():  # a record of another shape, in the gateway's words
        if isinstance(value, str) and any(phrase in value for phrase in GATEWAY_FAILED):
            return value
    nested = fields.get("error")
    if isinstance(nested, dict) and nested.get("message") not in (None, "-"):
        return str(nested["message"])
    return None


#: $context.error.responseType values that say the gateway answered with an error
_FAILURE_TYPE = re.compile(r"[A-Z_]*(?:FAILURE|TIMEOUT|ERROR|5XX|THROTTLED|DENIED|UNAUTHORIZED)")


def _failure_type(fields: dict[str, Any]) -> str | None:
    """A gateway response type among the fields (a table of chosen fields may hold
    ``INTEGRATION_FAILURE`` with no status), else ``None``."""
    for key in ("responseType", "response", "errorResponseType", "error.responseType"):
        value = fields.get(key)
        if isinstance(value, str) and _FAILURE_TYPE.fullmatch(value.strip()):
            return value.strip()
    return None


def _gateway_generated(fields: dict[str, Any], status: int) -> bool:
    """A 4xx the gateway wrote itself: the integration never answered (its status is
    logged as "-"), or the record names the gateway's error.  A format without
    $context.integrationStatus says nothing either way: a 4xx there is the function's."""
    if not 400 <= status < 500:
        return False
    if "integrationStatus" in fields or "integration.status" in fields:
        value = fields.get("integrationStatus", fields.get("integration.status"))
        return value in (None, "-", "")
    return _failure_type(fields) is not None
