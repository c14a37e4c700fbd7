"""Auditing a deployed API's configuration for what causes or hides 5xx."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalogue import Finding, finding
from ..lint._project import python_files
from ..project import load_project
from ..rules._binary import leading_wildcards
from .errors import explain
from .session import AwsOptions

_FUNCTION_ARN = re.compile(r":function:([^/:]+)")


@dataclass(frozen=True)
class AuditFinding:
    where: str
    finding: Finding


def audit_rest_api(
    options: AwsOptions, rest_api_id: str, stage: str | None, source: Path | None = None
) -> list[AuditFinding]:
    apigateway = options.client("apigateway")
    found: list[AuditFinding] = []
    try:
        api = apigateway.get_rest_api(restApiId=rest_api_id)
        account = apigateway.get_account()
        stages = _rest_stages(apigateway, rest_api_id, stage)
        resources = _paginate(
            apigateway, "get_resources", "items", restApiId=rest_api_id, embed=["methods"]
        )
    except Exception as exc:
        raise explain(exc, f"reading REST API {rest_api_id}") from None
    types = api.get("binaryMediaTypes") or []
    for entry in leading_wildcards(types):
        found.append(AuditFinding("binaryMediaTypes", finding("GW507", type=repr(entry))))
    if not types and source is not None:
        returning = _base64_handlers(source)
        if returning:
            found.append(
                AuditFinding(
                    "binaryMediaTypes",
                    finding("GW956", handlers=", ".join(returning[:5]), api_id=rest_api_id),
                )
            )
    if not account.get("cloudwatchRoleArn"):
        found.append(AuditFinding("account", finding("GW953")))
    for item in stages:
        found += _rest_stage_findings(item, rest_api_id)
    for resource in resources:
        for method, details in (resource.get("resourceMethods") or {}).items():
            integration = details.get("methodIntegration")
            if integration is None:
                try:
                    integration = apigateway.get_integration(
                        restApiId=rest_api_id, resourceId=resource["id"], httpMethod=method
                    )
                except Exception:
                    continue  # a method without an integration has nothing to audit
            found += _integration_findings(options, method, resource.get("path", "/"), integration)
    return found


def audit_http_api(options: AwsOptions, api_id: str, stage: str | None) -> list[AuditFinding]:
    client = options.client("apigatewayv2")
    found: list[AuditFinding] = []
    try:
        integrations = client.get_integrations(ApiId=api_id).get("Items", [])
        stages = client.get_stages(ApiId=api_id).get("Items", [])
    except Exception as exc:
        raise explain(exc, f"reading HTTP API {api_id}") from None
    for integration in integrations:
        where = f"integration {integration.get('IntegrationId')}"
        if integration.get("PayloadFormatVersion") == "1.0":
            found.append(
                AuditFinding(where, finding("GW959", integration=integration.get("IntegrationId")))
            )
        uri = integration.get("IntegrationUri", "")
        timeout_ms = integration.get("TimeoutInMillis") or 30000
        found += _timeout_findings(options, "ANY", where, uri, timeout_ms)
    for item in stages:
        name = item.get("StageName", "?")
        if stage and name != stage:
            continue
        found += _access_log_findings(item.get("AccessLogSettings"), name, "Format")
    return found


def _rest_stages(apigateway: Any, rest_api_id: str, stage: str | None) -> list[dict[str, Any]]:
    if stage:
        return [apigateway.get_stage(restApiId=rest_api_id, stageName=stage)]
    items: list[dict[str, Any]] = apigateway.get_stages(restApiId=rest_api_id).get("item", [])
    return items


def _rest_stage_findings(stage: dict[str, Any], api_id: str) -> list[AuditFinding]:
    name = stage.get("stageName", "?")
    settings = (stage.get("methodSettings") or {}).get("*/*", {})
    level = settings.get("loggingLevel", "OFF")
    found = []
    if level == "OFF":
        found.append(
            AuditFinding(f"stage {name}", finding("GW951", stage=name, level=level, api_id=api_id))
        )
    elif not settings.get("dataTraceEnabled"):
        found.append(AuditFinding(f"stage {name}", finding("GW952", stage=name, api_id=api_id)))
    found += _access_log_findings(stage.get("accessLogSettings"), name, "format")
    return found


def _access_log_findings(
    settings: dict[str, Any] | None, stage: str, key: str
) -> list[AuditFinding]:
    if not settings or not settings.get(key):
        hint = ", and HTTP APIs write no execution logs" if key == "Format" else ""
        return [AuditFinding(f"stage {stage}", finding("GW955", stage=stage, hint=hint))]
    if "integrationErrorMessage" not in settings[key]:
        return [AuditFinding(f"stage {stage}", finding("GW954", stage=stage))]
    return []


def _integration_findings(
    options: AwsOptions, method: str, path: str, integration: dict[str, Any]
) -> list[AuditFinding]:
    where = f"{method} {path}"
    kind = integration.get("type", "?")
    if kind != "AWS_PROXY":
        return [AuditFinding(where, finding("GW958", method=method, resource=path, kind=kind))]
    timeout_ms = integration.get("timeoutInMillis") or 29000
    return _timeout_findings(options, method, path, integration.get("uri", ""), timeout_ms)


def _timeout_findings(
    options: AwsOptions, method: str, where: str, uri: str, timeout_ms: int
) -> list[AuditFinding]:
    match = _FUNCTION_ARN.search(uri)
    if not match:
        return []
    function = match.group(1)
    try:
        config = options.client("lambda").get_function_configuration(FunctionName=function)
    except Exception:
        return []  # another account's function, or no permission: nothing to compare
    function_timeout = float(config.get("Timeout", 3))
    if function_timeout * 1000 <= timeout_ms:
        return []
    return [
        AuditFinding(
            f"{method} {where}",
            finding(
                "GW957",
                method=method,
                resource=where,
                integration=timeout_ms / 1000,
                function=function,
                function_timeout=function_timeout,
            ),
        )
    ]


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items += page.get(key, [])
    return items


def _source_files(source: Path) -> list[Path]:
    """The modules of the project's API handlers (every .py file without a template)."""
    project = load_project([source])
    if not project.functions:
        return python_files([source])
    return sorted({f.module_path for f in project.api_functions if f.handler})


def _base64_handlers(source: Path) -> list[str]:
    """API handlers under ``source`` that return ``"isBase64Encoded": True``."""
    names = []
    for path in _source_files(source):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Dict) and any(
                    isinstance(k, ast.Constant)
                    and k.value == "isBase64Encoded"
                    and isinstance(v, ast.Constant)
                    and v.value is True
                    for k, v in zip(node.keys, node.values, strict=True)
                ):
                    names.append(f"{path.name}:{function.name}")
                    break
    return names
