"""Failures in which the function never answered with a result (rules G1-G7).

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
    #: the phrase as it appears in logs and bodies
    phrase: re.Pattern[str]
    #: the status the client gets; ``None``: the API kind's failure status (a function
    #: error: the runtime died or could not start)
    status: int | None


#: (code, phrase, status): Lambda's service answered instead of the function -> 500
_TABLE: tuple[tuple[str, str, int | None], ...] = (
    ("GW761", r"Invalid permissions on Lambda function", 500),
    (
        "GW762",
        r"ReservedFunctionConcurrentInvocationLimitExceeded|ConcurrentInvocationLimitExceeded"
        r"|TooManyRequestsException|Rate Exceeded\.?|Lambda invocation failed with status: 429",
        500,
    ),
    (
        "GW764",
        r"ENILimitReachedException|EC2ThrottledException|SubnetIPAddressLimitReachedException"
        r"|EC2AccessDeniedException|EC2UnexpectedException|InvalidSubnetIDException"
        r"|InvalidSecurityGroupIDException|not able to create an ENI",
        500,
    ),
    (
        "GW766",
        r"Unable to import module|Runtime\.ImportModuleError|Runtime\.HandlerNotFound"
        r"|Runtime\.UserCodeSyntaxError|Runtime\.InvalidEntrypoint|Runtime\.InvalidRuntime"
        r"|Handler '[^']*' missing|\[Errno 13\] Permission denied",
        None,
    ),
    (
        "GW765",
        r"Process exited before completing request|Runtime\.OutOfMemory|signal: killed"
        r"|Runtime exited without providing a reason|Runtime exited with error",
        None,
    ),
    (
        "GW763",
        r"(?:Key|Stage|Method|Account|API) throttle limit exceeded[^\n]*|Throttled by usage plan",
        429,
    ),
    (
        "GW768",
        r"Authorizer error|AuthorizerConfigurationException|Unable to (?:call|invoke) authorizer",
        500,
    ),
    (
        "GW767",
        r"Execution failed due to an internal error|Internal server error without integration",
        500,
    ),
)


@functools.cache
def causes() -> tuple[ServiceCause, ...]:
    """The table, compiled on first use: the guard imports the core on every cold start."""
    return tuple(
        ServiceCause(code, re.compile(pattern, re.I), status) for code, pattern, status in _TABLE
    )


def service_cause(text: str) -> tuple[ServiceCause, str] | None:
    """The table row and the phrase that names it, when ``text`` is such a failure."""
    if not text:
        return None
    for cause in causes():
        found = cause.phrase.search(text)
        if found:
            return cause, found.group(0).strip()
    return None
