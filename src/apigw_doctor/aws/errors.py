"""AWS failures as one clear line: what went wrong and what to do."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)


class AwsError(Exception):
    """An AWS call failed; ``str()`` says what happened and what to do about it."""


_ADVICE = {
    "AccessDenied": "grant the caller the permission named above",
    "AccessDeniedException": "grant the caller the permission named above",
    "UnauthorizedOperation": "grant the caller the permission named above",
    "NotFoundException": "check the id and the region (--region)",
    "ResourceNotFoundException": "check the name and the region (--region)",
    "TooManyRequestsException": "you are throttled: wait a moment and run it again",
    "ThrottlingException": "you are throttled: wait a moment and run it again",
    "ExpiredTokenException": "your session expired: refresh your credentials",
    "UnrecognizedClientException": "the credentials are not valid: check AWS_PROFILE",
    "InvalidSignatureException": "the credentials are not valid: check AWS_PROFILE",
    "BadRequestException": "AWS rejected the request as shown",
}


def explain(exc: Exception, action: str) -> AwsError:
    """An :class:`AwsError` for a boto3 failure during ``action``."""
    if isinstance(exc, NoCredentialsError):
        return AwsError(
            f"{action}: no AWS credentials found; set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws configure`"
        )
    if isinstance(exc, NoRegionError):
        return AwsError(f"{action}: no AWS region; pass --region or set AWS_DEFAULT_REGION")
    if isinstance(exc, ProfileNotFound):
        return AwsError(f"{action}: {exc}; check --profile / AWS_PROFILE")
    if isinstance(exc, EndpointConnectionError):
        return AwsError(
            f"{action}: cannot reach {exc.kwargs.get('endpoint_url')}; check "
            "the network, --region and --endpoint-url"
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Error"))
        message = error.get("Message") or str(exc)
        advice = _ADVICE.get(code, "see the AWS message")
        return AwsError(f"{action}: {code}: {message} ({advice})")
    if isinstance(exc, BotoCoreError):
        return AwsError(f"{action}: {exc}")
    return AwsError(f"{action}: {type(exc).__name__}: {exc}")
