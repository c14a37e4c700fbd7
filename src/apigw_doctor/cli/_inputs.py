"""Reading user-named inputs, with errors that say what, where and how to fix."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import click


def read_input(source: str) -> bytes:
    """The bytes of a file (``.gz`` decompressed) or of stdin for ``-``."""
    try:
        if source == "-":
            if sys.stdin.isatty():
                raise click.UsageError(
                    "no input: name a FILE, or pipe a result on stdin "
                    "(e.g. `echo '{\"statusCode\": 200}' | apigw-doctor check -`)"
                )
            data = sys.stdin.buffer.read()
        else:
            data = Path(source).read_bytes()
        if source.endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.UsageError(f"cannot read {source!r}: {reason}") from None
    return data


def parse_header(text: str) -> tuple[str, str]:
    """``'Accept: image/png'`` as a (name, value) pair."""
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise click.BadParameter(
            f"{text!r} is not a header: write it as 'Name: value', e.g. 'Accept: image/png'",
            param_hint="--header",
        )
    return name.strip(), value.strip()


def split_list(text: str | None) -> tuple[str, ...]:
    """A comma-separated option value as a tuple, blanks dropped."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())
