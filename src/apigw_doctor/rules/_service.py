"""Failures in which the function never answered with a result (rules G1-G6).

API Gateway and Lambda say so in fixed phrases: in the execution log, in the
body Lambda's service sends instead of a result, in the error object of a
runtime that died.  The phrases are a table, read in order; the first match
names the finding.  Sources: the AWS knowledge-centre articles on
"Invalid permissions on Lambda function", Lambda throttling ("Rate Exceeded",
TooManyRequestsException) and API Gateway 5xx troubleshooting, and Lambda's
documented error types (Runtime.ImportModuleError, EC2ThrottledException, ...).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple


class ServiceCause(NamedTuple):
    code: str
    #: the phrase as it appears, and a short name for it in messages
    phrase: re.Pattern[str]


_TABLE: tuple[tuple[str, str], ...] = (
    ("GW761", r"Invalid permissions on Lambda function"),
    (
        "GW762",
        r"ReservedFunctionConcurrentInvocationLimitExceeded|ConcurrentInvocationLimitExceeded"
        r"|TooManyRequestsException|Rate Exceeded\.?|Lambda invocation failed with status: 429",
    ),
    (
        "GW764",
        r"ENILimitReachedException|EC2ThrottledException|SubnetIPAddressLimitReachedException"
        r"|EC2AccessDeniedException|EC2UnexpectedException|InvalidSubnetIDException"
        r"|InvalidSecurityGroupIDException|not able to create an ENI",
    ),
    (
        "GW766",
        r"Unable to import module|Runtime\.ImportModuleError|Runtime\.HandlerNotFound"
        r"|Runtime\.UserCodeSyntaxError|Runtime\.InvalidEntrypoint|Runtime\.InvalidRuntime"
        r"|Handler '[^']*' missing|\[Errno 13\] Permission denied",
    ),
    (
        "GW765",
        r"Process exited before completing request|Runtime\.OutOfMemory|signal: killed"
        r"|Runtime exited without providing a reason|Runtime exited with error",
    ),
    (
        "GW763",
        r"(?:Key|Stage|Method|Account|API) throttle limit exceeded[^\n]*|Throttled by usage plan",
    ),
    (
        "GW767",
        r"Execution failed due to an internal error|Internal server error without integration",
    ),
)


@functools.cache
def causes() -> tuple[ServiceCause, ...]:
    """The table, compiled on first use: the guard imports the core on every cold start."""
    return tuple(ServiceCause(code, re.compile(pattern, re.I)) for code, pattern in _TABLE)


def service_cause(text: str) -> tuple[str, str] | None:
    """The finding code and the phrase that names it, when ``text`` is such a failure."""
    if not text:
        return None
    for cause in causes():
        found = cause.phrase.search(text)
        if found:
            return cause.code, found.group(0).strip()
    return None
