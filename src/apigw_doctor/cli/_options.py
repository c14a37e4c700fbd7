"""Options several commands share, defined once so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
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
