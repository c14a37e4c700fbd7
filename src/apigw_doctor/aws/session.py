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
        """A client, or an ``AwsError`` saying what is missing (no region, no such
        profile): never a botocore traceback."""
        from .errors import explain

        config = Config(retries={"max_attempts": 5, "mode": "adaptive"})
        try:
            session = boto3.Session(profile_name=self.profile, region_name=self.region)
            return session.client(service, endpoint_url=self.endpoint_url, config=config)
        except Exception as exc:  # NoRegionError, ProfileNotFound, a bad endpoint URL...
            raise explain(exc, f"creating a {service} client") from None
