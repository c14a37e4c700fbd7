"""pytest plugin: the ``apigw`` fixture and ``--apigw-strict``.

``apigw(handler, api="rest", ...)`` gives a :class:`~apigw_doctor.testing.Gateway`.
With ``--apigw-strict`` every such gateway raises as soon as a handler's result
would make API Gateway answer with its own 5xx, naming the finding and its fix,
so a suite that "passes" can no longer hide a 502.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .testing import Gateway


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apigw-doctor")
    group.addoption(
        "--apigw-strict",
        action="store_true",
        default=False,
        help="fail any test whose handler result API Gateway would reject (5xx it "
        "generates itself), with the finding and its fix",
    )


@pytest.fixture
def apigw(request: pytest.FixtureRequest) -> Callable[..., Gateway]:
    """A factory of in-process API Gateways: ``apigw(handler, api="http-2.0")``."""
    strict = bool(request.config.getoption("--apigw-strict"))

    def make(handler: Any, api: str = "rest", **kwargs: Any) -> Gateway:
        kwargs.setdefault("strict", strict)
        return Gateway(handler, api, **kwargs)

    return make
