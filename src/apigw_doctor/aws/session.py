"""Clients from the usual AWS environment, overridable from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class AwsOptions:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def client(self, service: str) -> Any:
        session = boto3.Session(profile_name=self.profile, region_name=self.region)
        config = Config(retries={"max_attempts": 5, "mode": "adaptive"})
        return session.client(service, endpoint_url=self.endpoint_url, config=config)
