"""Turning on the execution logs that show *why* a response was malformed.

The seed note's one-liner (``loglevel=INFO``) silently logs nothing when the
account has no CloudWatch role, and never shows the function's result without
data tracing; this does it right and says what it did.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from .errors import AwsError, explain
from .session import AwsOptions

ROLE_NAME = "APIGatewayPushToCloudWatchLogs"
MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@dataclass
class LoggingPlan:
    """What enable-logging does: the patch operations, and the role when needed."""

    rest_api_id: str
    stage: str
    operations: list[dict[str, str]]
    role_arn: str | None = None
    create_role: bool = False
    notes: list[str] = field(default_factory=list)

    def commands(self) -> list[str]:
        """The equivalent ``aws`` CLI commands (what ``--dry-run`` prints)."""
        lines = []
        if self.create_role:
            lines.append(
                f"aws iam create-role --role-name {ROLE_NAME} "
                f"--assume-role-policy-document {shlex.quote(json.dumps(TRUST_POLICY))}"
            )
            lines.append(
                f"aws iam attach-role-policy --role-name {ROLE_NAME} --policy-arn {MANAGED_POLICY}"
            )
            lines.append(
                "aws apigateway update-account --patch-operations "
                "op=replace,path=/cloudwatchRoleArn,value=<the role's ARN>"
            )
        ops = " ".join(f"op={o['op']},path={o['path']},value={o['value']}" for o in self.operations)
        lines.append(
            f"aws apigateway update-stage --rest-api-id {self.rest_api_id} "
            f"--stage-name {self.stage} --patch-operations {ops}"
        )
        return lines


def plan_logging(
    options: AwsOptions,
    rest_api_id: str,
    stage: str,
    *,
    level: str,
    data_trace: bool,
    metrics: bool,
    create_role: bool,
    dry_run: bool = False,
) -> LoggingPlan:
    """Look at the account and the stage, and decide what to change (``dry_run``: also
    without an account to look at, saying what was not checked)."""
    unread = None
    try:
        apigateway = options.client("apigateway")
        account = apigateway.get_account()
        apigateway.get_stage(restApiId=rest_api_id, stageName=stage)
    except Exception as exc:
        error = (
            exc
            if isinstance(exc, AwsError)
            else explain(exc, f"reading stage {stage!r} of REST API {rest_api_id}")
        )
        if not dry_run:
            raise error from None
        account, unread = {"cloudwatchRoleArn": "<not checked>"}, error
    operations = [{"op": "replace", "path": "/*/*/logging/loglevel", "value": level}]
    operations.append(
        {
            "op": "replace",
            "path": "/*/*/logging/dataTrace",
            "value": "true" if data_trace else "false",
        }
    )
    if metrics:
        operations.append({"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"})
    plan = LoggingPlan(rest_api_id, stage, operations, account.get("cloudwatchRoleArn"))
    if unread is not None:
        plan.notes.append(
            f"{unread}; the commands below are printed without checking the stage or the "
            "account's CloudWatch role"
        )
    if not plan.role_arn:
        if create_role:
            plan.create_role = True
        else:
            plan.notes.append(
                "the account has no API Gateway CloudWatch role (cloudwatchRoleArn): the stage "
                "settings are saved but nothing is logged until one is set. Run again with "
                f"--create-role to create {ROLE_NAME} with {MANAGED_POLICY} and register it."
            )
    if data_trace:
        plan.notes.append(
            "data tracing logs request and response data, secrets included: "
            "turn it off again once you found the cause (--no-data-trace)."
        )
    return plan


def apply_logging(options: AwsOptions, plan: LoggingPlan) -> dict[str, Any]:
    """Carry out the plan; returns the stage's new method settings."""
    if plan.create_role:
        plan.role_arn = _create_role(options)
        try:
            options.client("apigateway").update_account(
                patchOperations=[
                    {"op": "replace", "path": "/cloudwatchRoleArn", "value": plan.role_arn}
                ]
            )
        except Exception as exc:
            raise explain(exc, "registering the CloudWatch role with API Gateway") from None
    try:
        stage = options.client("apigateway").update_stage(
            restApiId=plan.rest_api_id, stageName=plan.stage, patchOperations=plan.operations
        )
    except Exception as exc:
        raise explain(exc, f"updating stage {plan.stage!r}") from None
    settings: dict[str, Any] = stage.get("methodSettings", {}).get("*/*", {})
    return settings


def _create_role(options: AwsOptions) -> str:
    iam = options.client("iam")
    try:
        try:
            role = iam.get_role(RoleName=ROLE_NAME)["Role"]
        except iam.exceptions.NoSuchEntityException:
            role = iam.create_role(
                RoleName=ROLE_NAME,
                AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                Description="Lets API Gateway write CloudWatch logs",
            )["Role"]
        iam.attach_role_policy(RoleName=ROLE_NAME, PolicyArn=MANAGED_POLICY)
    except Exception as exc:
        raise explain(exc, f"creating the IAM role {ROLE_NAME}") from None
    return str(role["Arn"])
