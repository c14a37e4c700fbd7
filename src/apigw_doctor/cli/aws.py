"""``apigw-doctor aws ...``: logging, audit and real invocations, with boto3."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from ._inputs import split_list
from ._options import (
    api_option,
    binary_media_types_option,
    body_option,
    format_option,
    header_option,
    resource_option,
)
from ._render import emit_verdict, render_finding
from .invoke import event_for

F = TypeVar("F", bound=Callable[..., Any])


def _aws_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--region",
                envvar="AWS_DEFAULT_REGION",
                help="AWS region (default: AWS_DEFAULT_REGION / your profile's).",
            ),
            click.option("--profile", envvar="AWS_PROFILE", help="AWS profile to use."),
            click.option("--endpoint-url", help="Another endpoint (LocalStack, moto server)."),
        ]
    ):
        command = option(command)
    return command


def _options(region: str | None, profile: str | None, endpoint_url: str | None) -> Any:
    from ..aws import AwsOptions

    return AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url)


def _fail(exc: Exception) -> None:
    click.echo(f"apigw-doctor aws: {exc}", err=True)
    sys.exit(1)


@click.group()
def aws() -> None:
    """Work on the deployed API: turn on the right logs, audit it, invoke its function.

    Credentials, region and profile come from the usual AWS environment
    (AWS_PROFILE, AWS_DEFAULT_REGION, ~/.aws) or --profile/--region.
    """


@aws.command("enable-logging")
@click.option("--rest-api-id", required=True, help="The REST API's id.")
@click.option("--stage", required=True, help="The stage name, e.g. prod.")
@click.option(
    "--level",
    type=click.Choice(["INFO", "ERROR"]),
    default="INFO",
    show_default=True,
    help="Execution log level.",
)
@click.option(
    "--data-trace/--no-data-trace",
    default=False,
    help="Log full requests and responses (shows the function's result).",
)
@click.option("--metrics", is_flag=True, help="Also turn on detailed CloudWatch metrics.")
@click.option(
    "--create-role",
    is_flag=True,
    help="Create and register the account's API Gateway CloudWatch role if missing.",
)
@click.option("--dry-run", is_flag=True, help="Print the equivalent aws commands, change nothing.")
@_aws_options
def enable_logging(
    rest_api_id: str,
    stage: str,
    level: str,
    data_trace: bool,
    metrics: bool,
    create_role: bool,
    dry_run: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
) -> None:
    """Turn on execution logging for a REST API stage, the way that really logs.

    Checks the account's CloudWatch role first: without it, the stage
    settings are saved but nothing is ever logged.
    """
    from ..aws import AwsError
    from ..aws.stage_logging import apply_logging, plan_logging

    options = _options(region, profile, endpoint_url)
    try:
        plan = plan_logging(
            options,
            rest_api_id,
            stage,
            level=level,
            data_trace=data_trace,
            metrics=metrics,
            create_role=create_role,
            dry_run=dry_run,
        )
        for note in plan.notes:
            click.echo(f"note: {note}", err=True)
        if dry_run:
            click.echo("\n".join(plan.commands()))
            return
        settings = apply_logging(options, plan)
    except AwsError as exc:
        _fail(exc)
        return
    click.echo(
        f"stage {stage} of {rest_api_id}: loggingLevel={settings.get('loggingLevel')}, "
        f"dataTraceEnabled={settings.get('dataTraceEnabled')}, "
        f"metricsEnabled={settings.get('metricsEnabled')}; CloudWatch role "
        f"{plan.role_arn or 'MISSING'}"
    )
    click.echo(f"logs: log group API-Gateway-Execution-Logs_{rest_api_id}/{stage}", err=True)


@aws.command()
@click.option("--rest-api-id", help="Audit this REST API.")
@click.option("--api-id", help="Audit this HTTP API.")
@click.option("--stage", help="Only this stage (default: all).")
@click.option(
    "--source",
    type=click.Path(exists=True, path_type=Path),
    help="Handler sources (or their template's folder), to check binary bodies.",
)
@format_option()
@_aws_options
def audit(
    rest_api_id: str | None,
    api_id: str | None,
    stage: str | None,
    source: Path | None,
    output_format: str,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
) -> None:
    """Audit an API's configuration for what causes 5xx or hides their cause.

    REST: integration types and timeouts, binaryMediaTypes, stage logging,
    data tracing, access log format, the account's CloudWatch role. HTTP
    APIs: payload format versions, timeouts, access logging.

    \b
    Exit status: 0 nothing found above info, 1 findings, 2 bad usage.
    """
    from ..aws import AwsError
    from ..aws.audit import audit_http_api, audit_rest_api

    if bool(rest_api_id) == bool(api_id):
        raise click.UsageError("give exactly one of --rest-api-id (REST) or --api-id (HTTP API)")
    options = _options(region, profile, endpoint_url)
    try:
        found = (
            audit_rest_api(options, rest_api_id, stage, source)
            if rest_api_id
            else audit_http_api(options, api_id or "", stage)
        )
    except AwsError as exc:
        _fail(exc)
        return
    if output_format == "json":
        click.echo(json.dumps([{"where": f.where, **f.finding.as_json()} for f in found], indent=2))
    else:
        console = Console(highlight=False, soft_wrap=True)
        for item in found:
            console.print(Text(item.where, style="bold"))
            render_finding(console, item.finding)
        console.print(f"{len(found)} finding(s)", style="bold")
    sys.exit(1 if any(f.finding.severity != "info" for f in found) else 0)


@aws.command(name="invoke")
@click.argument("function")
@click.argument("method", required=False)
@click.argument("path", required=False)
@api_option()
@click.option("--event", "event_file", metavar="FILE", help="Send this event (JSON; - stdin).")
@header_option()
@body_option()
@resource_option()
@binary_media_types_option()
@format_option()
@_aws_options
def invoke_deployed_command(
    function: str,
    method: str | None,
    path: str | None,
    api: str,
    event_file: str | None,
    headers: tuple[str, ...],
    body: str | None,
    resource: str | None,
    binary_media_types: str | None,
    output_format: str,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
) -> None:
    """Invoke the deployed FUNCTION and say what API Gateway would answer.

    Calls lambda.invoke (RequestResponse) with the event API Gateway would
    send for METHOD PATH (or --event FILE) and runs the rules core on the
    real result, function errors included.

    \b
    Exit status: 0 the client gets what the function asked for, 1 API
    Gateway would answer with its own 5xx (or AWS failed), 2 bad usage.
    """
    from ..aws import AwsError
    from ..aws.invoke import invoke_deployed

    types = split_list(binary_media_types)
    event, pairs = event_for(api, method, path, event_file, headers, body, resource, types)
    try:
        result = invoke_deployed(
            _options(region, profile, endpoint_url),
            function,
            event,
            api=api,
            request_headers=pairs,
            binary_media_types=types,
        )
    except AwsError as exc:
        _fail(exc)
        return
    emit_verdict(
        result.verdict,
        output_format,
        f"{function} (deployed)",
        {
            "function": function,
            "function_error": result.function_error,
            "request_id": result.request_id,
        },
        result.log_tail,
    )
