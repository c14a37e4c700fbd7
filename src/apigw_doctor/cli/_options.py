"""Options several commands share, defined once so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..rules import API_KINDS

F = TypeVar("F", bound=Callable[..., Any])


def api_option(
    help_text: str = "The API kind in front of the function.", default: str | None = "rest"
) -> Callable[[F], F]:
    return click.option(
        "--api",
        type=click.Choice(API_KINDS),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


def format_option(*choices: str) -> Callable[[F], F]:
    names = choices or ("text", "json")
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(names),
        default=names[0],
        show_default=True,
        help="Output for people (text) or for scripts (json).",
    )


def header_option(
    help_text: str = "A header of the client's request (repeatable).",
) -> Callable[[F], F]:
    return click.option(
        "--header", "-H", "headers", multiple=True, metavar="'NAME: VALUE'", help=help_text
    )


def binary_media_types_option(
    help_text: str = "The REST API's binaryMediaTypes, e.g. 'image/png,application/*'.",
) -> Callable[[F], F]:
    return click.option("--binary-media-types", metavar="TYPE,...", help=help_text)


def body_option() -> Callable[[F], F]:
    return click.option("--body", "-d", help="The request body (text; @FILE reads a file).")


def resource_option() -> Callable[[F], F]:
    return click.option(
        "--resource",
        metavar="TEMPLATE",
        help="The API resource, e.g. /items/{id}, for pathParameters.",
    )


def template_options(func: F) -> F:
    """--template and --parameter-overrides: which deployment the command reads."""
    func = click.option(
        "--parameter-overrides",
        "parameter_overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Values for the template's Parameters (repeatable), as `sam deploy` takes them.",
    )(func)
    return click.option(
        "--template",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Read this template (SAM, CloudFormation, CDK's cdk.out/*.template.json or "
        "serverless.yml) instead of finding the templates under the path.",
    )(func)


def parse_overrides(values: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` pairs (also several in one, space-separated, as SAM CLI allows)."""
    found: dict[str, str] = {}
    for value in values:
        for pair in value.split():
            if pair.startswith("ParameterKey="):  # the CloudFormation CLI's spelling
                fields = dict(p.partition("=")[::2] for p in pair.split(","))
                pair = f"{fields.get('ParameterKey', '')}={fields.get('ParameterValue', '')}"
            key, sep, text = pair.partition("=")
            if not sep or not key:
                raise click.BadParameter(
                    f"{pair!r}: write KEY=VALUE, e.g. Stage=dev", param_hint="--parameter-overrides"
                )
            found[key] = text
    return found


def render_notes(console: Any, notes: list[Any]) -> None:
    """What the templates say that was not understood: shown, never dropped."""
    for note in notes:
        console.print(f"note: {note}", style="yellow", markup=False, highlight=False)


def env_vars_option() -> Callable[[F], F]:
    return click.option(
        "--env-vars",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help='Environment variables in sam local\'s format: {"Parameters": {...}, '
        '"FunctionName": {...}} (every function, then one function).',
    )


def read_env_vars(path: Path | None) -> dict[str, dict[str, str]] | None:
    from ..runtime.environment import EnvVarsError, load_env_vars

    if path is None:
        return None
    try:
        return load_env_vars(path)
    except EnvVarsError as exc:
        raise click.BadParameter(str(exc), param_hint="--env-vars") from None


def no_aws_option() -> Callable[[F], F]:
    return click.option(
        "--no-aws",
        is_flag=True,
        help="Give handlers no AWS account: placeholder credentials that AWS refuses "
        "(default: this shell's account, as sam local does, named at start).",
    )


def inherit_env_option() -> Callable[[F], F]:
    return click.option(
        "--inherit-env",
        is_flag=True,
        help="Pass this shell's environment variables to the handlers. Off by default: "
        "as in Lambda, a function sees Lambda's variables and its template's only.",
    )


def python_option() -> Callable[[F], F]:
    return click.option(
        "--python",
        "python",
        metavar="PATH",
        envvar="APIGW_DOCTOR_PYTHON",
        help="The Python that runs the handlers (default: the active VIRTUAL_ENV, else a "
        ".venv/venv beside the template, else the template's Runtime on PATH, else "
        "apigw-doctor's own). Env: APIGW_DOCTOR_PYTHON.",
    )


def handlers_python(explicit: str | None, folders: list[Path], runtimes: list[str | None]) -> Any:
    """Choose the handlers' Python and say which, on stderr, with any mismatch."""
    from ..runtime.interpreter import InterpreterError, choose

    try:
        chosen = choose(explicit, folders, runtimes)
    except InterpreterError as exc:
        raise click.BadParameter(str(exc), param_hint="--python") from None
    for reason in chosen.passed_over:
        click.echo(f"apigw-doctor: note: passed over {reason}", err=True)
    click.echo(f"apigw-doctor: handlers run in {chosen.describe()}", err=True)
    warning = chosen.mismatch(runtimes)
    if warning:
        click.echo(f"apigw-doctor: warning: {warning}", err=True)
    return chosen
