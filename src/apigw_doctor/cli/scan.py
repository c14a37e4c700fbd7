"""``apigw-doctor scan``: the main job for a project."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.text import Text

from ._options import (
    env_vars_option,
    format_option,
    inherit_env_option,
    parse_overrides,
    python_option,
    read_env_vars,
    render_notes,
    template_options,
)
from ._render import render_finding, status_phrase

if TYPE_CHECKING:
    from ..scan import HandlerReport, ScanReport


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
@template_options
@env_vars_option()
@click.option(
    "--aws",
    "real_aws",
    is_flag=True,
    help="Let handlers call AWS with this shell's credentials. Off by default: writes and "
    "deletes would be real.",
)
@click.option(
    "--mock-aws",
    is_flag=True,
    help="Let handlers call moto's mock AWS on loopback, with the template's DynamoDB tables, "
    "S3 buckets and SQS queues created (needs pip install 'moto[server]').",
)
@inherit_env_option()
@python_option()
def scan_command(
    path: Path,
    output_format: str,
    timeout: float,
    template: Path | None,
    parameter_overrides: tuple[str, ...],
    env_vars: Path | None,
    real_aws: bool,
    mock_aws: bool,
    inherit_env: bool,
    python: str | None,
) -> None:
    """Find every API handler in PATH that would make API Gateway answer 5xx, and why.

    Reads every template under PATH (template.yaml/.json, serverless.yml,
    samconfig.toml's template, CDK's cdk.out; SAM expanded by AWS's own
    translator), lints the code (see `apigw-doctor lint`), then calls each
    function behind an API proxy integration with the requests its routes
    receive, through API Gateway's rules, each in a fresh worker process of
    the project's Python (see --python).  Functions that
    other things trigger (queues, schedules, authorizers...) are listed as
    skipped, with their trigger.  Without a template, a function taking
    (event, context) that reads an API Gateway event, or a handler an adapter
    makes (handler = Mangum(app)), is called with GET /, its API kind assumed
    (`[tool.apigw-doctor] api` in pyproject.toml sets it).

    Handlers run with the template's environment variables and layers (none
    of this shell's: --inherit-env), and without AWS: placeholder credentials
    and a loopback endpoint that refuses every call, so a handler that called
    AWS is reported "not checked here" with the calls it made, never as
    failing.  --mock-aws runs them against moto, --aws against your account.

    \b
    Exit status: 0 nothing would fail, 1 some handler would fail (or has a
    lint error), 2 bad usage, or no API handler found in PATH.
    """
    # the handlers' Python is asked for its version (a process start, more through a
    # pyenv shim) while what the scan needs is imported and the project is read
    from ..project.discover import declared_runtimes
    from ..runtime.interpreter import InterpreterError, choose_early

    probe = choose_early(python, [path], declared_runtimes(path, template))
    from ..lint import ConfigError, load_config
    from ..project import TemplateError
    from ..runtime.mock_aws import MockAwsError
    from ..scan import scan

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if real_aws and mock_aws:
        raise click.UsageError("--aws and --mock-aws: choose one")
    console = Console(stderr=True)
    if real_aws:
        console.print(
            "warning: --aws: handlers call AWS with this shell's credentials; "
            "what they write or delete is real",
            style="yellow",
        )
    try:
        with console.status("scanning", spinner="dots") as status:
            report = scan(
                path,
                config,
                timeout=timeout,
                progress=status.update,
                template=template,
                parameters=parse_overrides(parameter_overrides),
                aws=real_aws,
                env_vars=read_env_vars(env_vars),
                mock=mock_aws,
                python=python,
                inherit_env=inherit_env,
                probe=probe,
            )
    except KeyboardInterrupt:
        sys.exit(130)  # interrupted: not a verdict
    except (TemplateError, MockAwsError) as exc:
        raise click.UsageError(str(exc)) from None
    except InterpreterError as exc:
        raise click.BadParameter(str(exc), param_hint="--python") from None
    if output_format == "json":
        click.echo(json.dumps(_as_json(report), indent=2))
    else:
        _render(Console(highlight=False, soft_wrap=True), report)
    if not report.handlers:
        click.echo(f"apigw-doctor scan: {_nothing_found(report)}", err=True)
        sys.exit(2)
    sys.exit(1 if any(h.failing for h in report.handlers) else 0)


def _nothing_found(report: ScanReport) -> str:
    """Why there is nothing to scan: never a silent "0 handlers" and exit 0."""
    if report.skipped:
        return (
            f"no Python API handler to call in {report.root}: {len(report.skipped)} "
            "function(s) skipped, each with its reason (see 'skip' above, or 'skipped' in JSON)"
        )
    if report.templates:
        shown = ", ".join(str(t) for t in report.templates)
        return (
            f"the template(s) {shown} define no Lambda function that could be read (see the notes)"
        )
    return (
        f"no template and no function taking (event, context) that reads an API Gateway "
        f"event under {report.root}; name handlers in pyproject.toml ([tool.apigw-doctor] "
        'handlers = ["app.handler"]) or give --template'
    )


def _render(console: Console, report: ScanReport) -> None:
    if report.templates:
        where = "template " + ", ".join(str(t) for t in report.templates)
    else:
        where = "no template: handlers that read an API Gateway event, API kind assumed"
    console.print(Text(f"scan of {report.root} ({where})", style="bold"))
    python = report.interpreter
    if python is not None and report.handlers:
        console.print(Text(f"handlers ran in {python.describe()}", style="dim"))
        for reason in python.passed_over:
            console.print(Text(f"note: passed over {reason}", style="yellow"))
        warning = python.mismatch(h.runtime for h in report.handlers)
        if warning:
            console.print(Text(f"warning: {warning}", style="yellow"))
    render_notes(console, report.notes)
    console.print()
    for handler in report.handlers:
        _render_handler(console, handler)
    for skipped in report.skipped:
        mark = "skip " if skipped.checked_here else "not checked here "
        console.print(
            Text(mark, style="dim") + Text(f"{skipped.name}: {skipped.reason}", style="dim")
        )
    if report.skipped:
        console.print()
    failing = [h for h in report.handlers if h.failing]
    unchecked = [h for h in report.handlers if h.not_checked and not h.failing]
    summary = Text(
        f"{len(report.handlers)} handler(s): {len(failing)} would fail behind API Gateway",
        style="bold red" if failing else "bold green",
    )
    if failing:
        summary.append(": " + ", ".join(h.label for h in failing), style="red")
    if unchecked:
        summary.append(
            f"; {len(unchecked)} not checked here: " + ", ".join(h.label for h in unchecked),
            style="yellow",
        )
    console.print(summary)


def _render_handler(console: Console, handler: HandlerReport) -> None:
    if handler.failing:
        mark = Text("FAIL ", style="bold red")
    elif handler.not_checked:
        mark = Text("n/c  ", style="bold yellow")  # not checked here
    else:
        mark = Text("ok   ", style="bold green")
    console.print(
        mark
        + Text(f"{handler.label}", style="bold")
        + Text(f"  {handler.target} ({handler.api})", style="dim")
    )
    if handler.problem:
        console.print(Text(f"  cannot load: {handler.problem}", style="red"))
    if handler.unchecked:
        console.print(Text(f"  not checked here: {handler.unchecked}", style="yellow"))
    for call in handler.calls:
        line = Text(
            f"  {call.method} {call.path} -> {call.verdict.status} "
            f"{status_phrase(call.verdict.status)}",
            style="red" if call.failed else "yellow" if call.unchecked else "green",
        )
        console.print(line)
        if call.unchecked:
            console.print(Text(f"    not checked here: {call.unchecked}", style="yellow"))
            continue
        for item in call.verdict.findings:
            if item.severity != "info":
                render_finding(console, item, indent="    ")
    for item in handler.template_findings:
        console.print(Text("  template", style="dim"))
        render_finding(console, item, indent="    ")
    for lint in handler.lint:
        console.print(Text(f"  lint {lint.path.name}:{lint.line}:{lint.column}", style="dim"))
        render_finding(console, lint.finding, indent="    ")
    console.print()


def _as_json(report: ScanReport) -> dict[str, Any]:
    return {
        "root": str(report.root),
        "template": str(report.template) if report.template else None,
        "templates": [str(t) for t in report.templates],
        "python": _python_json(report),
        "notes": [{"template": str(n.where), "note": n.text} for n in report.notes],
        "skipped": [
            {"name": s.name, "reason": s.reason, "checkedHere": s.checked_here}
            for s in report.skipped
        ],
        "handlers": [
            {
                "name": h.label,
                "function": h.name,
                "target": h.target,
                "api": h.api,
                "failing": h.failing,
                "problem": h.problem,
                "notCheckedHere": h.not_checked,
                "functionLog": h.output,
                "template": [f.as_json() for f in h.template_findings],
                "calls": [
                    {
                        "method": c.method,
                        "path": c.path,
                        "resource": c.resource,
                        "error": c.error,
                        "notCheckedHere": c.unchecked,
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


def _python_json(report: ScanReport) -> dict[str, Any] | None:
    python = report.interpreter
    if python is None:
        return None
    return {
        "path": python.path,
        "version": python.version,
        "source": python.source,
        "passedOver": list(python.passed_over),
        "warning": python.mismatch(h.runtime for h in report.handlers),
    }
