"""``apigw-doctor scan``: the main job for a project."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from ..lint import ConfigError, load_config
from ..scan import HandlerReport, ScanReport, scan
from ..templates import TemplateError
from ._options import format_option
from ._render import render_finding, status_phrase


@click.command(name="scan")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@format_option()
@click.option(
    "--timeout",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds before a handler call counts as timed out.",
)
def scan_command(path: Path, output_format: str, timeout: float) -> None:
    """Find every handler in PATH that would make API Gateway answer 5xx, and why.

    Lints the code (see `apigw-doctor lint`), then calls each handler with
    the requests its routes receive (from template.yaml / serverless.yml
    when there is one, else GET / for each function taking (event,
    context)), through API Gateway's rules, in this process.

    \b
    Exit status: 0 nothing would fail, 1 some handler would fail (or has a
    lint error), 2 bad usage.
    """
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    console = Console(stderr=True)
    try:
        with console.status("scanning", spinner="dots") as status:
            report = scan(
                path,
                config,
                timeout=timeout,
                progress=lambda text: status.update(f"calling {text}"),
            )
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "json":
        click.echo(json.dumps(_as_json(report), indent=2))
    else:
        _render(Console(highlight=False, soft_wrap=True), report)
    sys.exit(1 if any(h.failing for h in report.handlers) else 0)


def _render(console: Console, report: ScanReport) -> None:
    where = (
        f"template {report.template}" if report.template else "no template: handlers by signature"
    )
    console.print(Text(f"scan of {report.root} ({where})", style="bold"))
    console.print()
    for handler in report.handlers:
        _render_handler(console, handler)
    failing = [h for h in report.handlers if h.failing]
    summary = Text(
        f"{len(report.handlers)} handler(s): {len(failing)} would fail behind API Gateway",
        style="bold red" if failing else "bold green",
    )
    if failing:
        summary.append(": " + ", ".join(h.label for h in failing), style="red")
    console.print(summary)


def _render_handler(console: Console, handler: HandlerReport) -> None:
    mark = Text(
        "FAIL " if handler.failing else "ok   ",
        style="bold red" if handler.failing else "bold green",
    )
    console.print(
        mark
        + Text(f"{handler.label}", style="bold")
        + Text(f"  {handler.target} ({handler.api})", style="dim")
    )
    if handler.problem:
        console.print(Text(f"  cannot load: {handler.problem}", style="red"))
    for call in handler.calls:
        line = Text(
            f"  {call.method} {call.path} -> {call.verdict.status} "
            f"{status_phrase(call.verdict.status)}",
            style="red" if call.failed else "green",
        )
        console.print(line)
        for item in call.verdict.findings:
            if item.severity != "info":
                render_finding(console, item, indent="    ")
    for lint in handler.lint:
        console.print(Text(f"  lint {lint.path.name}:{lint.line}:{lint.column}", style="dim"))
        render_finding(console, lint.finding, indent="    ")
    console.print()


def _as_json(report: ScanReport) -> dict[str, Any]:
    return {
        "root": str(report.root),
        "template": str(report.template) if report.template else None,
        "handlers": [
            {
                "name": h.label,
                "function": h.name,
                "target": h.target,
                "api": h.api,
                "failing": h.failing,
                "problem": h.problem,
                "calls": [
                    {
                        "method": c.method,
                        "path": c.path,
                        "resource": c.resource,
                        "error": c.error,
                        **c.verdict.as_json(),
                    }
                    for c in h.calls
                ],
                "lint": [
                    {"path": str(i.path), "line": i.line, "column": i.column, **i.finding.as_json()}
                    for i in h.lint
                ],
            }
            for h in report.handlers
        ],
    }
