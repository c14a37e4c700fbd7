"""Lint findings as text (flake8/ruff style), JSON, SARIF 2.1.0 and GitHub
workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..catalogue import CATALOGUE
from ._checker import LintFinding

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://github.com/apigw-doctor/apigw-doctor"


def _where(item: LintFinding, base: Path) -> str:
    try:
        return str(item.path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(item.path)


def as_text(findings: Sequence[LintFinding], base: Path) -> str:
    lines = []
    for item in findings:
        f = item.finding
        lines.append(
            f"{_where(item, base)}:{item.line}:{item.column}: {f.code} {f.message} "
            f"[{f.severity}, {f.rule}, {f.confidence}]"
        )
        lines.append(f"    fix: {f.fix}")
    return "\n".join(lines)


def as_json(findings: Sequence[LintFinding], base: Path) -> str:
    return json.dumps(
        [
            {
                "path": _where(item, base),
                "line": item.line,
                "column": item.column,
                "handler": item.handler,
                **item.finding.as_json(),
            }
            for item in findings
        ],
        indent=2,
    )


def as_github(findings: Sequence[LintFinding], base: Path) -> str:
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    return "\n".join(
        f"::{_GITHUB_LEVEL[item.finding.severity]} file={_where(item, base)},"
        f"line={item.line},col={item.column},title={item.code}::"
        f"{escape(item.finding.message + ' -- fix: ' + item.finding.fix)}"
        for item in findings
    )


def as_sarif(findings: Sequence[LintFinding], base: Path) -> str:
    """A SARIF 2.1.0 log, as GitHub code scanning reads it."""
    used = sorted({item.code for item in findings})
    rules: list[dict[str, Any]] = [
        {
            "id": code,
            "name": CATALOGUE[code].slug,
            "shortDescription": {"text": CATALOGUE[code].slug.replace("-", " ")},
            "fullDescription": {"text": CATALOGUE[code].message},
            "help": {"text": f"Fix: {CATALOGUE[code].fix}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[CATALOGUE[code].severity]},
            "properties": {"rule": CATALOGUE[code].rule, "confidence": CATALOGUE[code].confidence},
        }
        for code in used
    ]
    results = [
        {
            "ruleId": item.code,
            "ruleIndex": used.index(item.code),
            "level": _SARIF_LEVEL[item.finding.severity],
            "message": {"text": f"{item.finding.message}. Fix: {item.finding.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": _where(item, base).replace("\\", "/"),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": item.line, "startColumn": item.column},
                    }
                }
            ],
        }
        for item in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "apigw-doctor",
                        "version": __version__,
                        "informationUri": HOME,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)


RENDERERS = {"text": as_text, "json": as_json, "sarif": as_sarif, "github": as_github}
