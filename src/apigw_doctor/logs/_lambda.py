"""Causes only the function's own log shows: Lambda's lines about an invocation that
failed, whatever the runtime.  API Gateway logs a 502 and, at best, "customer function
error"; the function's log says the runtime ran out of memory, could not read its own
files, or which Node.js / Java / Go / .NET error ended it.  The phrases are Lambda's
own (REPORT lines, "Runtime exited with error", "Error Type: Runtime.OutOfMemory",
"[Errno 13] Permission denied", "EACCES", "ERROR\tInvoke Error")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from ..catalogue import FUNCTION_ERROR_FIX, Finding, finding, shorten
from ..rules import service_failure as _service_failure
from ._parse import memory_exhausted

#: the runtime ran out of memory, in the words of each runtime and of Lambda's REPORT
_OUT_OF_MEMORY = re.compile(
    r"Runtime\.OutOfMemory|JavaScript heap out of memory|java\.lang\.OutOfMemoryError"
    r"|\bMemoryError\b|System\.OutOfMemoryException|fatal error: runtime: out of memory"
)
#: the runtime stopped, which with a full memory is the out-of-memory kill
_KILLED = re.compile(r"Runtime exited with error: (?:signal: killed|exit status 137)")
#: a file of the deployment package the runtime may not read or run
_UNREADABLE = (
    re.compile(r"Permission denied:? '?(/(?:var/task|opt)/[^'\"\s,]+)", re.I),
    re.compile(
        r"EACCES[:,] permission denied,? (?:open |scandir )?'?(/(?:var/task|opt)/[^'\"\s,]+)"
    ),
    re.compile(r"(/(?:var/task|opt)/[^'\"\s:]+): permission denied", re.I),
)
#: how each runtime's error looks in its log: (runtime, pattern over the log text)
_RUNTIMES = (
    (
        "Node.js",
        re.compile(
            r"\tERROR\t(?:Invoke Error|Unhandled Promise Rejection|Uncaught "
            r"Exception)|\"stack\":\s*\[|\s{4}at .*\.(?:m|c)?js:\d+|Runtime\."
            r"UnhandledPromiseRejection"
        ),
    ),
    (
        "Java",
        re.compile(r"\"errorType\":\s*\"(?:java|javax|jakarta|com\.amazonaws)\.|\.java:\d+\)"),
    ),
    (".NET", re.compile(r"\"errorType\":\s*\"(?:System|Amazon)\.[\w.]*Exception")),
    ("Go", re.compile(r"\"errorType\":\s*\"\*?(?:errors\.)?errorString\"|goroutine \d+ \[")),
)


def lambda_cause(texts: Iterable[str], error: dict[str, str] | None) -> Finding | None:
    """The finding the function's log lines prove, or ``None`` to let the rules core
    judge the error object as it judges any function error."""
    lines = list(texts)
    joined = "\n".join(lines)
    for pattern in _UNREADABLE:
        found = pattern.search(joined)
        if found:
            return finding("GW792", detail=f"permission denied on {found.group(1)}")
    memory = next(
        (line for line in lines if line.startswith("REPORT ") and memory_exhausted(line)), None
    )
    out_of_memory = _OUT_OF_MEMORY.search(joined)
    if out_of_memory or (memory and (_KILLED.search(joined) or "Status: error" in memory)):
        used = _memory_detail(memory)
        what = out_of_memory.group(0) if out_of_memory else "the runtime was killed"
        return finding("GW791", detail=f"{what}{used}")
    if error is None or service_failure(f"{error.get('errorType')}: {error.get('errorMessage')}"):
        return None  # throttled, no ENI, no permission...: the rules core names those
    for runtime, pattern in _RUNTIMES:
        if pattern.search(joined):
            return finding(
                "GW793",
                runtime=runtime,
                error_type=error.get("errorType", "Unhandled"),
                error_message=shorten(error.get("errorMessage", ""), 200),
                fix=FUNCTION_ERROR_FIX[runtime],
            )
    return None


def _memory_detail(report: str | None) -> str:
    found = re.search(r"Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB", report or "")
    return (
        f"; Max Memory Used {found.group(2)} MB of Memory Size {found.group(1)} MB" if found else ""
    )


def error_object(text: str) -> dict[str, str] | None:
    """The error object a line carries after its prefix (Node.js writes
    ``<time>\t<id>\tERROR\tInvoke Error \t{"errorType": ...}``)."""
    start = text.find("{")
    if start < 0 or '"errorMessage"' not in text:
        return None
    try:
        value = json.loads(text[start:])
    except ValueError:
        return None
    if not isinstance(value, dict) or "errorMessage" not in value:
        return None
    return {
        "errorMessage": str(value["errorMessage"]),
        "errorType": str(value.get("errorType", "Unhandled")),
    }


def service_failure(text: str) -> bool:
    """Whether the rules core reads ``text`` as a service-side failure (G1-G7)."""
    return _service_failure(text, api="rest") is not None
