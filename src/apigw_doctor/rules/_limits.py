"""Size and time limits, as data so users can update or override them (spec §4)."""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    """The limits API Gateway and Lambda apply to a proxy response.

    Defaults are AWS's published quotas; pass your own to model a changed quota
    (e.g. a REST API whose integration timeout was raised by request).
    """

    #: L1: Lambda's own error text names this figure, in bytes of serialised JSON.
    lambda_response_bytes: int = 6_291_556
    #: L2: API Gateway's payload quota (10 MB) for REST and HTTP APIs.
    gateway_payload_bytes: int = 10 * 1024 * 1024
    #: L3: default integration timeout, seconds.
    integration_timeout_seconds: float = 29.0
    #: Warn once a payload passes this share of the Lambda limit.
    near_limit_ratio: float = 0.8


DEFAULT_LIMITS = Limits()
