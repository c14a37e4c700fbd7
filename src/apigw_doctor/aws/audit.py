"""Auditing a deployed API's configuration for what causes or hides 5xx."""

from __future__ import annotations

import ast
import fnmatch
import json
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
    calls = _Calls(options, rest_api_id, [str(s.get("stageName")) for s in stages])
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
            path = resource.get("path", "/")
            found += _integration_findings(options, method, path, integration)
            if integration.get("type") in ("AWS_PROXY", "AWS") and not integration.get(
                "credentials"
            ):  # with credentials, an IAM role invokes it: no resource policy needed
                found += calls.permission_findings(method, path, integration.get("uri", ""))
    return found


def audit_http_api(options: AwsOptions, api_id: str, stage: str | None) -> list[AuditFinding]:
    client = options.client("apigatewayv2")
    found: list[AuditFinding] = []
    try:
        integrations = client.get_integrations(ApiId=api_id).get("Items", [])
        stages = client.get_stages(ApiId=api_id).get("Items", [])
    except Exception as exc:
        raise explain(exc, f"reading HTTP API {api_id}") from None
    routes = _paginate(client, "get_routes", "Items", ApiId=api_id)
    calls = _Calls(options, api_id, [str(s.get("StageName")) for s in stages])
    for integration in integrations:
        where = f"integration {integration.get('IntegrationId')}"
        target = f"integrations/{integration.get('IntegrationId')}"
        for route in routes:
            if route.get("Target") == target and not integration.get("CredentialsArn"):
                method, _, path = str(route.get("RouteKey", "ANY /")).partition(" ")
                found += calls.permission_findings(
                    method, path or "/", integration.get("IntegrationUri", "")
                )
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


class _Calls:
    """Whether API Gateway may invoke each integration's function: its resource policy
    must allow ``lambda:InvokeFunction`` to ``apigateway.amazonaws.com`` for a source
    ARN matching the route (else 'Invalid permissions on Lambda function', a 500)."""

    def __init__(self, options: AwsOptions, api_id: str, stages: list[str]) -> None:
        self.options = options
        self.api_id = api_id
        self.stages = [s for s in stages if s and s != "None"] or ["prod"]
        self.policies: dict[str, list[dict[str, Any]] | None] = {}

    def permission_findings(self, method: str, path: str, uri: str) -> list[AuditFinding]:
        match = _FUNCTION_ARN.search(uri)
        if not match:
            return []
        function = match.group(1)
        statements = self._statements(function)
        if statements is None:
            return []  # the policy could not be read (no permission to): not checked
        arns = [self._source_arn(stage, method, path) for stage in self.stages]
        if any(_allows(statement, arns) for statement in statements):
            return []
        return [AuditFinding(f"{method} {path}", finding("GW761"))]

    def _statements(self, function: str) -> list[dict[str, Any]] | None:
        if function not in self.policies:
            self.policies[function] = _policy_statements(self.options, function)
        return self.policies[function]

    def _source_arn(self, stage: str, method: str, path: str) -> str:
        region = self.options.client("lambda").meta.region_name
        concrete = re.sub(r"\{[^}]+\}", "x", path.lstrip("/"))
        verb = "*" if method in ("ANY", "$default") else method
        return f"arn:aws:execute-api:{region}:*:{self.api_id}/{stage}/{verb}/{concrete}"


def _policy_statements(options: AwsOptions, function: str) -> list[dict[str, Any]] | None:
    """The function's resource policy statements; [] when it has none."""
    try:
        policy = options.client("lambda").get_policy(FunctionName=function)["Policy"]
    except Exception as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        return [] if code == "ResourceNotFoundException" else None
    statements = json.loads(policy).get("Statement", [])
    return [s for s in statements if isinstance(s, dict)]


def _allows(statement: dict[str, Any], arns: list[str]) -> bool:
    """An Allow of lambda:InvokeFunction to API Gateway whose SourceArn (if any) covers
    one of the route's ARNs (the account is compared as a wildcard)."""
    if statement.get("Effect") != "Allow":
        return False
    actions = statement.get("Action")
    actions = [actions] if isinstance(actions, str) else actions or []
    if not any(a in ("lambda:InvokeFunction", "lambda:*", "*") for a in actions):
        return False
    principal = statement.get("Principal")
    services = principal.get("Service") if isinstance(principal, dict) else principal
    services = [services] if isinstance(services, str) else services or []
    if not any(s in ("apigateway.amazonaws.com", "*") for s in services):
        return False
    condition = statement.get("Condition") or {}
    sources = [
        value
        for test in ("ArnLike", "ArnEquals", "StringLike", "StringEquals")
        for key, value in (condition.get(test) or {}).items()
        if key.lower() == "aws:sourcearn"
    ]
    if not sources:
        return True
    patterns = [p for v in sources for p in ([v] if isinstance(v, str) else v)]
    return any(_arn_matches(arn, pattern) for arn in arns for pattern in patterns)


def _arn_matches(arn: str, pattern: str) -> bool:
    """IAM's ArnLike: ``*`` and ``?`` within each of the six colon-separated parts."""
    ours, theirs = arn.split(":", 5), pattern.split(":", 5)
    if len(ours) != len(theirs):
        return False
    return all(a == "*" or fnmatch.fnmatchcase(a, b) for a, b in zip(ours, theirs, strict=True))


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
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
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
