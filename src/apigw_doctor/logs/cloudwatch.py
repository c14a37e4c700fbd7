"""Reading API Gateway and Lambda logs straight from CloudWatch Logs (boto3).

Two ways: download the events with ``filter_log_events`` (paginated), or, for
volumes too large to download, let Logs Insights find the lines that matter
(``start_query`` / ``get_query_results``) and read only those.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..aws.errors import explain
from ..aws.session import AwsOptions

_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: the lines a story needs; everything else stays in CloudWatch
INSIGHTS_QUERY = (
    "fields @timestamp, @logStream, @message\n"
    "| filter @message like /HTTP Method: |Method completed with status: |"
    "Endpoint response body before transformations: |Endpoint response headers: |"
    "Received response\\. |Execution failed due to|Lambda execution failed|"
    "Gateway response type: |\\[ERROR\\]|Task timed out|errorMessage|"
    "Response payload size exceeded/\n"
    "| sort @timestamp asc\n"
    "| limit 10000"
)


def parse_since(text: str) -> float:
    """``1h`` -> seconds; a clear error for anything else."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"--since {text!r}: write a number and a unit, e.g. 30m, 1h, 2d")
    return int(match.group(1)) * _SECONDS[match.group(2)]


@dataclass(frozen=True)
class Groups:
    names: list[str]

    @classmethod
    def for_api(
        cls, rest_api_id: str | None, stage: str | None, functions: tuple[str, ...] = ()
    ) -> Groups:
        names = []
        if rest_api_id and stage:
            names.append(f"API-Gateway-Execution-Logs_{rest_api_id}/{stage}")
        names += [f"/aws/lambda/{name}" for name in functions]
        return cls(names)


def _line(timestamp: int | float | str, stream: str, message: str) -> str:
    """As `aws logs tail` prints an event: the reader's own parser takes it from here."""
    if isinstance(timestamp, str) and timestamp.isdigit():
        timestamp = int(timestamp)  # epoch milliseconds, as some Insights endpoints give
    if isinstance(timestamp, str):  # Insights gives "2026-11-20 10:00:01.000"
        when = timestamp.replace(" ", "T") + "+00:00"
    else:
        when = datetime.fromtimestamp(timestamp / 1000, UTC).isoformat()
    return f"{when} {stream or '-'} {message.rstrip()}"


def download(options: AwsOptions, groups: Groups, since_seconds: float) -> Iterator[str]:
    """Every event of the groups in the time window, page by page."""
    client = options.client("logs")
    start = int((time.time() - since_seconds) * 1000)
    for group in groups.names:
        try:
            pages = client.get_paginator("filter_log_events").paginate(
                logGroupName=group, startTime=start
            )
            for page in pages:
                for event in page.get("events", []):
                    yield _line(
                        event["timestamp"], event.get("logStreamName", ""), event.get("message", "")
                    )
        except Exception as exc:
            raise explain(exc, f"reading log group {group}") from None


def insights(
    options: AwsOptions,
    groups: Groups,
    since_seconds: float,
    poll_seconds: float = 1.0,
    timeout: float = 900.0,
    waiting: Callable[[], None] | None = None,
) -> Iterator[str]:
    """The lines INSIGHTS_QUERY finds, as Logs Insights returns them."""
    client = options.client("logs")
    now = int(time.time())
    try:
        query_id = client.start_query(
            logGroupNames=groups.names,
            startTime=now - int(since_seconds),
            endTime=now,
            queryString=INSIGHTS_QUERY,
        )["queryId"]
        deadline = time.monotonic() + timeout
        while True:
            result: dict[str, Any] = client.get_query_results(queryId=query_id)
            if result.get("status") in ("Complete", "Failed", "Cancelled", "Timeout"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"Logs Insights query {query_id} still running")
            if waiting is not None:  # the caller's progress: a query can run for minutes
                waiting()
            time.sleep(poll_seconds)
    except Exception as exc:
        raise explain(exc, "running the Logs Insights query") from None
    if result.get("status") != "Complete":
        raise explain(RuntimeError(f"query ended {result.get('status')}"), "Logs Insights")
    for row in result.get("results", []):
        fields = {f["field"]: f["value"] for f in row}
        yield _line(
            fields.get("@timestamp", "-"), fields.get("@logStream", ""), fields.get("@message", "")
        )
