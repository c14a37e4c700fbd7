"""Reading log sources as a stream of lines: files, .gz files, stdin, and the JSON
documents `aws logs filter-log-events` / `get-log-events` print; in constant
memory, however large the input."""

from __future__ import annotations

import gzip
import json
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .. import _json as json_text
from ._parse import insights_time

CHUNK = 1 << 20
#: what reading a broken file or a corrupt .gz raises
READ_ERRORS = (OSError, EOFError, zlib.error)
Progress = Callable[[int], None]


class SourceError(Exception):
    """A source that cannot be read; the message names it and the problem."""


#: a .gz that expands past both of these is a decompression bomb, not a log export
BOMB_BYTES = 256 * 1024 * 1024
BOMB_RATIO = 1000


class _Capped:
    """A gzip stream that stops with a clear error when it expands like a bomb."""

    def __init__(self, name: str, raw: IO[bytes]) -> None:
        self.name = name
        self.raw = raw
        self.inner = gzip.GzipFile(fileobj=raw)
        self.out = 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.out += len(data)
        if self.out > BOMB_BYTES and self.out > BOMB_RATIO * max(self.raw.tell(), 1):
            raise SourceError(
                f"{self.name!r} expands more than {BOMB_RATIO}:1 past "
                f"{BOMB_BYTES // (1024 * 1024)} MB: not a log export; stopped"
            )
        return data

    def readinto(self, buffer: memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        self.raw.close()


def open_source(name: str) -> IO[bytes]:
    try:
        if name == "-":
            return sys.stdin.buffer
        raw: IO[bytes] = open(name, "rb")  # noqa: SIM115 - closed by the caller's loop
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            return _Capped(name, raw)  # type: ignore[return-value]
        raw.seek(0)
        return raw
    except OSError as exc:
        raise SourceError(f"cannot read {name!r}: {exc.strerror or exc}") from None


class Source:
    """An open log source, its first chunk read so its format can be told."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stream = open_source(name)
        try:
            self.head = self.stream.read(CHUNK)
        except READ_ERRORS as exc:
            self.close()
            raise SourceError(f"cannot read {name!r}: {exc}") from None
        problem = not_text(self.head)
        if problem:
            self.close()
            raise SourceError(f"cannot read {name!r}: {problem}")

    @property
    def is_events_document(self) -> bool:
        return self.head.lstrip()[:1] == b"{" and b'"events"' in self.head[:4096]

    @property
    def is_insights_document(self) -> bool:
        """The JSON of ``aws logs get-query-results``: rows of {field, value} cells."""
        start = self.head[:4096]
        return self.head.lstrip()[:1] == b"{" and b'"results"' in start and b'"field"' in start

    def lines(self, progress: Progress | None = None) -> Iterator[str]:
        """Every log message, whatever the format, as text lines."""
        try:
            if self.is_events_document:
                yield from _events_document(self.head, self.stream, progress)
            elif self.is_insights_document:
                yield from _insights_document(self.head, self.stream)
            else:
                yield from _text_lines(self.head, self.stream, progress)
        except READ_ERRORS as exc:
            raise SourceError(f"cannot read {self.name!r}: {exc}") from None

    def chunks(self, progress: Progress | None = None) -> Iterator[bytes]:
        """The raw bytes in newline-aligned chunks (the execution log fast path)."""
        pending = self.head
        if progress:
            progress(len(self.head))
        try:
            while True:
                chunk = self.stream.read(CHUNK * 8)
                if progress:
                    progress(len(chunk))
                if not chunk:
                    if pending:
                        yield pending if pending.endswith(b"\n") else pending + b"\n"
                    return
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                if cut:
                    yield data[:cut]
                pending = data[cut:]
        except READ_ERRORS as exc:
            raise SourceError(f"cannot read {self.name!r}: {exc}") from None

    @property
    def file_descriptor(self) -> int | None:
        """The descriptor of a plain file (which can be read again anywhere), else None."""
        if self.name == "-" or isinstance(self.stream, _Capped):
            return None
        try:
            descriptor = self.stream.fileno()
            return descriptor if stat.S_ISREG(os.fstat(descriptor).st_mode) else None
        except (OSError, ValueError):
            return None

    def filler(self, progress: Progress | None = None) -> Callable[[memoryview], int]:
        """A function that reads the raw bytes into a buffer (the execution log fast
        path): as many as fit, the first chunk first; 0 at the end."""
        pending = [self.head]

        def fill(view: memoryview) -> int:
            done = 0
            if pending:  # the first chunk, read to tell the format: as much as fits
                head = pending.pop()
                done = min(len(head), len(view))
                view[:done] = head[:done]
                if done < len(head):
                    pending.append(head[done:])
            try:
                while done < len(view) and not pending:
                    got = self.stream.readinto(view[done:])  # type: ignore[attr-defined]
                    if not got:
                        break
                    done += got
            except READ_ERRORS as exc:
                raise SourceError(f"cannot read {self.name!r}: {exc}") from None
            if progress and done:
                progress(done)
            return done

        return fill

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


#: at most this share of a source's first megabyte may be bytes that are not UTF-8 (a
#: log can hold a few, from a logged binary body); more is not a text log
MAX_UNDECODABLE = 0.01


def not_text(head: bytes) -> str | None:
    """Why the first chunk of a source is not a text log, or ``None`` when it is one."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 text: save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)"
    if b"\x00" in head[:65536]:
        return "it holds binary data (NUL bytes), not a text log"
    text = head.decode("utf-8", "replace")
    bad = text.count("\ufffd") - head.count("\ufffd".encode())
    if len(head) >= CHUNK:  # a cut character at the end is not an undecodable byte
        bad -= text[-2:].count("\ufffd")
    if bad > max(8, MAX_UNDECODABLE * len(head)):
        return f"it is not UTF-8 text ({bad:,} undecodable bytes in its first {len(head):,})"
    return None


def lines(name: str, progress: Progress | None = None) -> Iterator[str]:
    """Every log message of a named source, as text lines."""
    source = Source(name)
    try:
        yield from source.lines(progress)
    finally:
        source.close()


#: a longer line is skipped (and counted): no log line of API Gateway or Lambda is this
#: long, and holding one would break the promise of bounded memory
MAX_LINE = 8 * 1024 * 1024
#: what stands in for a line that was too long
TOO_LONG = "\x00apigw-doctor: a line over 8 MB was skipped"


def _text_lines(head: bytes, stream: IO[bytes], progress: Progress | None) -> Iterator[str]:
    """Lines split on ``\\n`` only (a U+2028 or \\x0b inside a logged body is part of
    its line), in chunks; a line past MAX_LINE is dropped without being held whole."""
    parts: list[bytes] = []  # the current line's pieces (no quadratic concatenation)
    held = 0
    dropping = False
    chunk = head
    if progress:
        progress(len(head))
    while chunk:
        start = 0
        while (cut := chunk.find(b"\n", start)) != -1:
            if dropping:
                yield TOO_LONG
            else:
                parts.append(chunk[start:cut])
                yield _decoded(b"".join(parts))
            parts, held, dropping = [], 0, False
            start = cut + 1
        if not dropping:
            parts.append(chunk[start:])
            held += len(chunk) - start
            if held > MAX_LINE:
                parts, held, dropping = [], 0, True
        chunk = stream.read(CHUNK)
        if progress and chunk:
            progress(len(chunk))
    if dropping:
        yield TOO_LONG
    elif held:
        yield _decoded(b"".join(parts))


def _decoded(line: bytes) -> str:
    return line.decode("utf-8", "replace").rstrip("\r")


def _events_document(head: bytes, stream: IO[bytes], progress: Progress | None) -> Iterator[str]:
    """``{"events": [{"timestamp", "message", "logStreamName"}, ...]}``, one event at a
    time: a streaming walk over the array, so a multi-GB export stays cheap."""
    decoder = json.JSONDecoder()
    buffer = head.decode("utf-8", "replace")
    start = buffer.find("[", buffer.find('"events"'))
    if start < 0:
        return
    position = start + 1
    while True:
        while position < len(buffer) and buffer[position] in " \t\r\n,":
            position += 1
        if position < len(buffer) and buffer[position] == "]":
            return
        try:
            event, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError:
            more = stream.read(CHUNK)
            if not more:
                return
            if progress:
                progress(len(more))
            buffer = buffer[position:] + more.decode("utf-8", "replace")
            position = 0
            continue
        position = end
        yield _event_line(event)


def _insights_document(head: bytes, stream: IO[bytes]) -> Iterator[str]:
    """Logs Insights returns at most 10,000 rows, so the document is read whole."""
    try:
        document = json_text.loads(head + stream.read())
    except ValueError as exc:
        raise SourceError(f"a Logs Insights result that is not JSON: {exc}") from None
    rows = document.get("results") if isinstance(document, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, list):
            continue
        cells = {c.get("field"): c.get("value") for c in row if isinstance(c, dict)}
        message = str(cells.get("@message") or "").rstrip("\n")
        stamp = str(cells.get("@timestamp") or "").strip()
        yield f"{insights_time(stamp)} {message}" if stamp else message


def _event_line(event: Any) -> str:
    """One event as `aws logs tail` prints it: timestamp, stream, message."""
    if not isinstance(event, dict):
        return ""
    stamp = event.get("timestamp")
    try:
        when = (
            datetime.fromtimestamp(stamp / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"
            if isinstance(stamp, (int, float)) and not isinstance(stamp, bool)
            else "-"
        )
    except (ValueError, OverflowError, OSError):  # NaN, -1e18, 1e20: no time, not a crash
        when = "-"
    stream = event.get("logStreamName") or "-"
    message = str(event.get("message", "")).rstrip("\n")
    return message if when == "-" else f"{when} {stream} {message}"


def size_of(name: str) -> int | None:
    """Bytes on disk, for a progress bar (None for stdin)."""
    return None if name == "-" else Path(name).stat().st_size
