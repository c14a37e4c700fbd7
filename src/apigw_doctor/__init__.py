"""apigw-doctor: make API Gateway's "Malformed Lambda proxy response" impossible to ship.

The public API is the rules core (``evaluate``, ``evaluate_payload``) and the
finding catalogue; everything else (CLI, gateway, log reader) is built on them.
"""

from .catalogue import CATALOGUE, Finding
from .rules import API_KINDS, DEFAULT_LIMITS, Limits, Verdict, evaluate, evaluate_payload

__version__ = "0.1.0"

__all__ = [
    "API_KINDS",
    "CATALOGUE",
    "DEFAULT_LIMITS",
    "Finding",
    "Limits",
    "Verdict",
    "__version__",
    "evaluate",
    "evaluate_payload",
]
