"""moto's mock AWS, with a REST API, an HTTP API and a function behind them."""

from collections.abc import Iterator

import pytest
from moto import mock_aws

from support.aws import MOTO_CONFIG, REGION, Deployed, function, http_api, rest_api


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def deployed() -> Iterator[Deployed]:
    with mock_aws(config=MOTO_CONFIG):
        arn = function(timeout=60)
        yield Deployed(rest_api(arn, ["*/*"]), http_api(arn), "items")


@pytest.fixture
def plain_api() -> Iterator[Deployed]:
    with mock_aws(config=MOTO_CONFIG):
        arn = function(timeout=10)
        yield Deployed(rest_api(arn, []), http_api(arn), "items")
