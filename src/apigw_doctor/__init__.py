"""apigw-doctor: make API Gateway's "Malformed Lambda proxy response" impossible to ship.

The public API is the rules core (``evaluate``, ``evaluate_payload``) and the
finding catalogue; everything else (CLI, gateway, log reader) is built on them.
Names load on first use, so ``apigw_doctor.guard`` stays cheap on a cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalogue import (
        CATALOGUE as CATALOGUE,
    )
    from .catalogue import (
        Finding as Finding,
    )
    from .rules import (
        API_KINDS as API_KINDS,
    )
    from .rules import (
        DEFAULT_LIMITS as DEFAULT_LIMITS,
    )
    from .rules import (
        Limits as Limits,
    )
    from .rules import (
        Verdict as Verdict,
    )
    from .rules import (
        evaluate as evaluate,
    )
    from .rules import (
        evaluate_payload as evaluate_payload,
    )

__version__ = "0.1.0"

_WHERE = {
    "CATALOGUE": ".catalogue",
    "Finding": ".catalogue",
    "API_KINDS": ".rules",
    "DEFAULT_LIMITS": ".rules",
    "Limits": ".rules",
    "Verdict": ".rules",
    "evaluate": ".rules",
    "evaluate_payload": ".rules",
}

__all__ = ["__version__", *sorted(_WHERE)]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
