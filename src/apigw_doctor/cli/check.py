"""``apigw-doctor check``: what API Gateway sends for a result the function returned."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import click
from rich.console import Console

from .. import cors
from ..rules import Verdict, evaluate_payload
from ._inputs import MAX_RESULT_BYTES, input_lines, parse_header, read_input, split_list
from ._options import api_option, binary_media_types_option, format_option
from ._render import render_verdict


@dataclass(frozen=True)
class _Settings:
    api: str
    headers: tuple[tuple[str, str], ...]
    binary_media_types: tuple[str, ...]
    function_error: str | None
    origin: str | None = None

    def verdict(self, payload: bytes) -> Verdict:
        verdict = evaluate_payload(
            payload,
            api=self.api,
            request_headers=self.headers,
            binary_media_types=self.binary_media_types,
            function_error=self.function_error,
        )
        if not self.origin:
            return verdict
        # the API's CORS settings are unknown here: none configured
        origin = [("Origin", self.origin)]
        return cors.seen_by_browser(verdict, "GET", origin, None, verdict.failed)


@click.command()
@click.argument("files", nargs=-1, metavar="[FILE|-]...")
@api_option()
@click.option(
    "--header",
    "-H",
    "headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    help="A header of the client's request (repeatable); Accept decides "
    "binary decoding for REST APIs.",
)
@binary_media_types_option()
@click.option(
    "--function-error",
    is_flag=True,
    help="The input is Lambda's error object (the invocation failed).",
)
@click.option(
    "--origin",
    metavar="URL",
    help="The page's origin when a browser calls the API (fetch from another origin): "
    "also say whether the browser would see this answer or a CORS error.",
)
@format_option()
@click.option(
    "--jsonl",
    is_flag=True,
    help="Each input line is one result: print one JSON verdict per line and a summary on stderr.",
)
def check(
    files: tuple[str, ...],
    api: str,
    headers: tuple[str, ...],
    binary_media_types: str | None,
    function_error: bool,
    origin: str | None,
    output_format: str,
    jsonl: bool,
) -> None:
    """Say exactly what the client receives when the function returned FILE.

    FILE holds the function's result as JSON, exactly as Lambda returned it
    (the invocation payload; `.gz` files are read too; `-` or nothing reads
    stdin).  Prints the client's status, headers and body, then every finding
    with its fix.

    \b
    Exit status: 0 no error finding, 1 at least one error finding
    (the client would get a 5xx it did not ask for), 2 bad usage or
    unreadable input.

    \b
    Examples:
      apigw-doctor check result.json
      apigw-doctor check --api http-2.0 result.json --format json
      apigw-doctor check image.json -H 'Accept: image/png' --binary-media-types image/png
      apigw-doctor check --jsonl captured-responses.jsonl
      apigw-doctor check result.json --origin http://localhost:5173
    """
    settings = _Settings(
        api=api,
        headers=tuple(parse_header(h) for h in headers),
        binary_media_types=split_list(binary_media_types),
        function_error="Unhandled" if function_error else None,
        origin=origin,
    )
    sources = files or ("-",)
    if jsonl:
        errors = _check_lines(sources, settings)
    else:
        errors = _check_files(sources, settings, output_format)
    sys.exit(1 if errors else 0)


def _check_files(sources: tuple[str, ...], settings: _Settings, output_format: str) -> int:
    payloads = [(source, read_input(source)) for source in sources]
    for source, payload in payloads:
        if not payload.strip():
            raise click.UsageError(
                f"{source!r} is empty: it should hold the JSON the function returned"
            )
    console = Console(highlight=False, soft_wrap=True)
    failed = 0
    for source, payload in payloads:
        verdict = settings.verdict(payload)
        failed += not verdict.ok
        if output_format == "json":
            record = verdict.as_json()
            if len(payloads) > 1:
                click.echo(json.dumps({"source": source, **record}))
            else:
                click.echo(json.dumps(record, indent=2))
        else:
            render_verdict(console, verdict, "<stdin>" if source == "-" else source)
    if output_format == "text" and len(payloads) > 1:
        console.print(
            f"{len(payloads)} results: {failed} would fail behind API Gateway ({settings.api})",
            style="bold",
        )
    return failed


def _lines(sources: tuple[str, ...]) -> Iterator[tuple[str, int, bytes]]:
    for source in sources:
        for number, line in input_lines(source):
            if line is None:
                click.echo(
                    f"{source}:{number}: skipped: a line over "
                    f"{MAX_RESULT_BYTES // (1024 * 1024)} MB cannot be a Lambda result",
                    err=True,
                )
            elif line.strip():
                yield source, number, line


def _check_lines(sources: tuple[str, ...], settings: _Settings) -> int:
    checked = failed = warned = 0
    for source, number, line in _lines(sources):
        verdict = settings.verdict(line)
        checked += 1
        failed += not verdict.ok
        warned += verdict.ok and any(f.severity == "warning" for f in verdict.findings)
        click.echo(json.dumps({"source": source, "line": number, **verdict.as_json()}))
    click.echo(
        f"checked {checked} results: {checked - failed} without errors, "
        f"{failed} with errors, {warned} more with warnings",
        err=True,
    )
    return failed
