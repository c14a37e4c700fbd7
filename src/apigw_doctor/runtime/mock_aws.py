"""``scan --mock-aws``: handlers that read and write AWS, checked end to end against
moto's server on loopback, with the template's tables, buckets and queues created.

moto is an optional dependency (``pip install 'moto[server]'``): it is only imported
when asked for.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from ..project import Resource

REGION = "us-east-1"


class MockAwsError(Exception):
    """moto is missing or could not start; the message says how to fix it."""


@contextlib.contextmanager
def mock_aws(resources: list[Resource]) -> Iterator[dict[str, str]]:
    """Start moto on loopback, create ``resources``, yield the variables that point
    boto3 at it (an endpoint and dummy credentials)."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise MockAwsError("--mock-aws needs moto's server: pip install 'moto[server]'") from None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        variables = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "mock",
            "AWS_SECRET_ACCESS_KEY": "mock",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }
        session = boto3.Session(
            aws_access_key_id="mock", aws_secret_access_key="mock", region_name=REGION
        )
        for resource in resources:
            _create(session, endpoint, resource)
        yield variables
    finally:
        server.stop()


def _create(session: Any, endpoint: str, resource: Resource) -> None:
    props = resource.properties
    if resource.kind == "AWS::DynamoDB::Table":
        keys = props.get("KeySchema") or [{"AttributeName": "id", "KeyType": "HASH"}]
        attributes = props.get("AttributeDefinitions") or [
            {"AttributeName": k["AttributeName"], "AttributeType": "S"} for k in keys
        ]
        extra = {
            name: props[name]
            for name in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification")
            if isinstance(props.get(name), (list, dict))
        }
        for index in extra.get("GlobalSecondaryIndexes", []):
            index.pop("ProvisionedThroughput", None)
        session.client("dynamodb", endpoint_url=endpoint).create_table(
            TableName=resource.name,
            KeySchema=keys,
            AttributeDefinitions=attributes,
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
    elif resource.kind == "AWS::S3::Bucket":
        session.client("s3", endpoint_url=endpoint).create_bucket(Bucket=resource.name.lower())
    elif resource.kind == "AWS::SQS::Queue":
        session.client("sqs", endpoint_url=endpoint).create_queue(QueueName=resource.name)
