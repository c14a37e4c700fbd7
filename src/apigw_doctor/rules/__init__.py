"""The rules core: what API Gateway does with a Lambda proxy result.

Sans-I/O, standard library only: data in, verdict out.  The gateway, ``check``,
the guard, the test client and the log reader are callers that own the I/O.
The rules are those of ``shared/spec/proxy-rules.md``; each finding names its
rule id and how sure we are of it.
"""

from ._apis import API_KINDS, ApiKind, ApiProfile, profile_for
from ._binary import accept_matches, first_media_range
from ._evaluate import evaluate, evaluate_payload, integration_timeout, service_failure
from ._limits import DEFAULT_LIMITS, Limits
from ._verdict import Verdict

__all__ = [
    "API_KINDS",
    "DEFAULT_LIMITS",
    "ApiKind",
    "ApiProfile",
    "Limits",
    "Verdict",
    "accept_matches",
    "evaluate",
    "evaluate_payload",
    "first_media_range",
    "integration_timeout",
    "profile_for",
    "service_failure",
]
