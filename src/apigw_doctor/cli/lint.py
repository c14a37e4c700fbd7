"""``apigw-doctor lint``: the code paths that will 502, before deploy."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
from rich.console import Console

from ..catalogue import CATALOGUE
from ..lint import Config, ConfigError, lint_paths, load_config
from ..lint._output import FORMATS, RENDERERS
from ..project import TemplateError, load_project
from ._inputs import split_list
from ._options import (
    api_option,
    format_option,
    parse_overrides,
    render_notes,
    template_options,
)
from ._progress import Steps


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@format_option(*FORMATS)
@api_option(
    "API kind for handlers a template does not place (default: pyproject, else rest).",
    default=None,
)
@click.option("--select", metavar="CODE,...", help="Only these codes (prefixes work: GW90).")
@click.option("--ignore", metavar="CODE,...", help="Skip these codes (prefixes work).")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: one per core)."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--statistics", is_flag=True, help="Also print how many findings each code has (stderr)."
)
@template_options
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    api: str | None,
    select: str | None,
    ignore: str | None,
    jobs: int | None,
    output: Path | None,
    statistics: bool,
    template: Path | None,
    parameter_overrides: tuple[str, ...],
) -> None:
    """Find the code paths in Lambda handlers that API Gateway will reject.

    Handlers are the functions behind an API proxy integration in the
    templates under PATH (SAM, CloudFormation, CDK's cdk.out, serverless.yml;
    else the nearest one above), with the API kind the template gives them.
    Functions a template triggers otherwise (queues, schedules, authorizers,
    non-proxy integrations) are not handlers.  Without a template: those
    listed in pyproject.toml [tool.apigw-doctor] handlers, else functions
    taking (event, context) that read an API Gateway event (the API kind is
    then assumed: --api or [tool.apigw-doctor] api sets it).  Helpers a
    handler returns the result of are followed, across files.

    Silence one line with `# noqa: GW901`.  Configure defaults in
    pyproject.toml:

    \b
      [tool.apigw-doctor]
      handlers = ["app.handler", "*.lambda_handler"]
      api = "rest"            # or http-1.0, http-2.0, function-url
      ignore = ["GW905"]

    \b
    Exit status: 0 no error or warning, 1 findings (info alone does not
    fail), 2 bad usage, or a file that cannot be parsed (the others are
    still linted).
    """
    targets = list(paths) or [Path(".")]
    try:
        config = load_config(targets[0])
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    for code in split_list(select) + split_list(ignore):
        if not any(known.startswith(code.upper()) for known in CATALOGUE):
            raise click.BadParameter(
                f"{code!r} matches no finding code (e.g. GW901)", param_hint="--select/--ignore"
            )
    config = Config(
        handlers=config.handlers,
        api=api or config.api,
        select=tuple(c.upper() for c in split_list(select)) or config.select,
        ignore=tuple(c.upper() for c in split_list(ignore)) or config.ignore,
        source=config.source,
        api_set=bool(api) or config.api_set,
        # --api says these files are behind that API: every (event, context) is a handler
        by_signature=bool(api),
    )
    try:
        with Steps() as steps:  # shown on a terminal once lint has taken 2 s
            project = load_project(
                targets,
                template=template,
                parameters=parse_overrides(parameter_overrides),
                progress=steps.reading_templates,
                python_only=True,
            )
            result = lint_paths(
                targets,
                config,
                jobs=jobs,
                progress=lambda done, total: steps.update("linting", done, total),
                project=project,
            )
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "text":
        render_notes(Console(stderr=True, highlight=False), project.notes)
    report = RENDERERS[output_format](result.findings, Path.cwd())
    if output:
        output.write_text(report + "\n", encoding="utf-8")
    elif report:
        click.echo(report)
    failing = [f for f in result.findings if f.finding.severity != "info"]
    summary = (
        f"{len(result.findings)} finding(s) in {result.handlers} handler(s), "
        f"{result.files} file(s), {result.lines:,} lines"
    )
    click.echo(summary, err=True)
    if statistics:
        for code, count in Counter(f.code for f in result.findings).most_common():
            row = CATALOGUE[code]
            click.echo(f"{count:6}  {code}  {row.severity:7}  {row.slug}", err=True)
    if result.passed_over:
        _note_passed_over(result.passed_over)
    if not result.handlers and result.files:
        # exit 0 all the same: pre-commit runs lint on files that hold no handler
        click.echo(
            "no API handler in these files: none is behind an API proxy integration in a "
            "template, and none reads an API Gateway event (name handlers under "
            "[tool.apigw-doctor] handlers in pyproject.toml, give --template, or give "
            "--api rest to lint every (event, context) function)",
            err=True,
        )
    if result.broken:
        sys.exit(2)
    sys.exit(1 if failing else 0)


#: how many passed-over functions the note names
SHOWN_PASSED_OVER = 5


def _note_passed_over(functions: list[tuple[Path, int, str]]) -> None:
    """Say which (event, context) functions were not linted, and how to include them."""
    shown = ", ".join(
        f"{_relative(path)}:{line} {name}()" for path, line, name in functions[:SHOWN_PASSED_OVER]
    )
    more = len(functions) - SHOWN_PASSED_OVER
    if more > 0:
        shown += f" and {more} more"
    click.echo(
        f"note: {len(functions)} function(s) take (event, context) but read no API Gateway "
        f"event and build no proxy response, so they were not linted as handlers: {shown}. "
        "If an API proxy calls them, lint them with --api rest (or http-1.0, http-2.0, "
        "function-url), or list them under [tool.apigw-doctor] handlers in pyproject.toml.",
        err=True,
    )


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
