"""Reading user-named inputs, with errors that say what, where and how to fix."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from typing import BinaryIO

import click

#: the most one result may hold: Lambda answers at most 6 MB, API Gateway takes 10 MB
MAX_RESULT_BYTES = 16 * 1024 * 1024
_CHUNK = 1 << 20


def _open(source: str) -> BinaryIO:
    """The stream of a file (gzip decompressed as it is read) or stdin for ``-``."""
    if source == "-":
        if sys.stdin.isatty():
            raise click.UsageError(
                "no input: name a FILE, or pipe a result on stdin "
                "(e.g. `echo '{\"statusCode\": 200}' | apigw-doctor check -`)"
            )
        stream: BinaryIO = sys.stdin.buffer
    else:
        stream = open(source, "rb")  # noqa: SIM115 - closed by the callers
    head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
    if source.endswith(".gz") or head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=stream)  # type: ignore[return-value]
    return stream


def _failed(source: str, exc: BaseException) -> click.UsageError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return click.UsageError(f"cannot read {source!r}: {reason}")


def read_input(source: str, limit: int = MAX_RESULT_BYTES) -> bytes:
    """The bytes of a file (``.gz`` decompressed) or of stdin for ``-``, read in
    chunks and never past ``limit``: a small gzip bomb cannot fill the memory."""
    try:
        with _open(source) as stream:
            data = stream.read(limit + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise _failed(source, exc) from None
    if len(data) > limit:
        raise click.UsageError(
            f"{source!r} holds more than {limit // (1024 * 1024)} MB (after decompression): "
            "larger than any result Lambda can return; check one result, or use --jsonl"
        )
    return data


def input_lines(source: str, limit: int = MAX_RESULT_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for every line, split on ``\\n`` only (a ``\\r`` or U+2028
    inside a JSON text is part of it), streamed; a line over ``limit`` comes as None."""
    number = 0
    pending = b""
    dropping = False
    try:
        with _open(source) as stream:
            while chunk := stream.read(_CHUNK):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    number += 1
                    yield number, (None if dropping else line)
                    dropping = False
                if len(pending) > limit:
                    dropping, pending = True, b""
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise _failed(source, exc) from None
    if pending or dropping:
        yield number + 1, None if dropping else pending


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
