"""Invoking a deployed function and judging its real result with the rules core."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from ..rules import Verdict, evaluate_payload
from .errors import explain
from .session import AwsOptions


@dataclass(frozen=True)
class RemoteInvocation:
    payload: bytes
    function_error: str | None
    request_id: str | None
    log_tail: str | None
    verdict: Verdict


def invoke_deployed(
    options: AwsOptions,
    function: str,
    event: dict[str, Any],
    *,
    api: str,
    request_headers: list[tuple[str, str]] | None = None,
    binary_media_types: tuple[str, ...] = (),
) -> RemoteInvocation:
    """``lambda.invoke`` (RequestResponse), then what API Gateway would answer."""
    try:
        response = options.client("lambda").invoke(
            FunctionName=function,
            InvocationType="RequestResponse",
            LogType="Tail",
            Payload=json.dumps(event).encode("utf-8"),
        )
    except Exception as exc:
        raise explain(exc, f"invoking function {function!r}") from None
    payload = response["Payload"].read()
    function_error = response.get("FunctionError")
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    verdict = evaluate_payload(
        payload,
        api=api,
        request_headers=request_headers,
        binary_media_types=binary_media_types,
        function_error=function_error,
        lambda_request_id=request_id,
    )
    log = response.get("LogResult")
    if log:
        log = base64.b64decode(log).decode("utf-8", "replace")
    return RemoteInvocation(payload, function_error, request_id, log, verdict)
