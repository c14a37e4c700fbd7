"""The rules core: what API Gateway does with a Lambda proxy result.

Sans-I/O, standard library only: data in, verdict out.  The gateway, ``check``,
the guard, the test client and the log reader are callers that own the I/O.
The rules are those of ``shared/spec/proxy-rules.md``; each finding names its
rule id and how sure we are of it.

Names load on first use (PEP 562), so the guard can read one small table here
without paying for the whole core on a Lambda cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._apis import (
        API_KINDS as API_KINDS,
    )
    from ._apis import (
        ApiKind as ApiKind,
    )
    from ._apis import (
        ApiProfile as ApiProfile,
    )
    from ._apis import (
        profile_for as profile_for,
    )
    from ._binary import (
        accept_matches as accept_matches,
    )
    from ._binary import (
        first_media_range as first_media_range,
    )
    from ._evaluate import (
        evaluate as evaluate,
    )
    from ._evaluate import (
        evaluate_payload as evaluate_payload,
    )
    from ._evaluate import (
        integration_timeout as integration_timeout,
    )
    from ._evaluate import (
        service_failure as service_failure,
    )
    from ._limits import (
        DEFAULT_LIMITS as DEFAULT_LIMITS,
    )
    from ._limits import (
        Limits as Limits,
    )
    from ._verdict import (
        Verdict as Verdict,
    )

_WHERE = {
    "API_KINDS": "_apis",
    "ApiKind": "_apis",
    "ApiProfile": "_apis",
    "profile_for": "_apis",
    "accept_matches": "_binary",
    "first_media_range": "_binary",
    "evaluate": "_evaluate",
    "evaluate_payload": "_evaluate",
    "integration_timeout": "_evaluate",
    "service_failure": "_evaluate",
    "DEFAULT_LIMITS": "_limits",
    "Limits": "_limits",
    "Verdict": "_verdict",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
