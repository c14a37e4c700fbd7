"""The fast path for plain execution logs: most lines belong to requests that
succeeded and say nothing we need, so do not parse them one by one.

Per chunk, C-speed byte searches count the completed requests, find the
completion lines of failed ones, and pull out just those requests' lines
(which sit shortly before their completion line) for the ordinary parser.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Iterator

from ._parse import Execution, FunctionLog, parse, parse_time
from ._stories import Collector

COMPLETED = b"Method completed with status: "
#: what a function's own log says when an invocation failed: fed to the parser too,
#: for files that mix the function's log into the execution log
FUNCTION_MARKERS = (
    b"[ERROR]",
    b"Task timed out after",
    b"Response payload size exceeded",
    b"\tERROR\t",
    b"Runtime exited",
    b"Runtime.OutOfMemory",
    b"Process exited before completing",
    b"Status: error",
    b"Status: timeout",
)
#: how far before its completion line a request's other lines may stand: a near
#: window first (cheap), the far one only when the request's start is not in it
NEAR, WINDOW = 16 * 1024, 2 * 1024 * 1024


def looks_like_execution_log(head: bytes) -> bool:
    """True when the first lines are all execution-log lines (exported or plain)."""
    sample = [
        line for line in head[:65536].decode("utf-8", "replace").splitlines()[:-1] if line.strip()
    ][:50]
    return bool(sample) and all(isinstance(parse(line), Execution) for line in sample)


#: how many earlier blocks (about 10 MB each) are held for failures far below their start
HELD_BLOCKS = 3


def scan(blocks: Iterator[bytes], collector: Collector) -> None:
    """Feed ``collector`` from an execution log read in blocks cut anywhere: each block is
    searched where it is (no copy to align it on lines), up to its last newline; the
    last WINDOW bytes of whole lines and the cut line go on with the next block."""
    tail = b""
    fresh = 0  # where the lines not yet searched start in ``data``
    first_line = last_line = b""
    first_seen = False
    starts = _Starts()
    for block in blocks:
        data = tail + block if tail else block
        if not first_seen and b"\n" in data:
            first_line, first_seen = data[: data.find(b"\n")], True
        stop = data.rfind(b"\n", fresh) + 1  # the end of the last whole line
        if stop <= fresh:  # no whole line yet: a line longer than a block
            tail = data if len(data) - fresh <= MAX_LINE else b""
            fresh = fresh if tail else 0
            continue
        starts.hold(data, stop)
        _search(data, fresh, stop, collector, starts)
        last_line = _last_line(data, fresh, stop) or last_line
        cut = data.find(b"\n", max(0, stop - WINDOW), stop) + 1
        tail = data[cut:]
        fresh = stop - cut
    if len(tail) > fresh:  # the last line has no newline
        data = tail + b"\n"
        starts.hold(data, len(data))
        _search(data, fresh, len(data), collector, starts)
        last_line = _last_line(data, fresh, len(data)) or last_line
    for line in (first_line, last_line):
        record = parse(line.decode("utf-8", "replace"))
        if record is not None:
            collector.execution.seen(record.time)


#: a line longer than this without a newline is dropped, not held (bounded memory)
MAX_LINE = 64 * 1024 * 1024


def _search(data: bytes, fresh: int, stop: int, collector: Collector, starts: _Starts) -> None:
    """Everything the whole lines in ``data[fresh:stop]`` tell the collector."""
    _count_successes(data, fresh, stop, collector)
    for position in _failures(data, fresh, stop):
        _feed_request(data, position, collector, starts)
    _feed_function_errors(data, fresh, stop, collector)
    collector.lines += data.count(b"\n", fresh, stop)


def _last_line(data: bytes, fresh: int, stop: int) -> bytes:
    """The last line in ``data[fresh:stop]`` with text, without copying the rest."""
    end = stop - 1
    while end > fresh and data[end - 1 : end] in (b"\n", b"\r"):
        end -= 1
    return data[data.rfind(b"\n", fresh, end) + 1 : end] if end > fresh else b""


def _count_successes(data: bytes, fresh: int, stop: int, collector: Collector) -> None:
    """Requests that completed with 1xx-3xx: counted, never parsed (by status class)."""
    for digit in b"123":
        found = data.count(COMPLETED + bytes([digit]), fresh, stop)
        if found:
            collector.execution.requests += found
            collector.execution.statuses[(digit - 48) * 100] += found


def _failures(data: bytes, fresh: int, stop: int) -> list[int]:
    positions = []
    for digit in (b"4", b"5"):
        needle = COMPLETED + digit
        position = data.find(needle, fresh, stop)
        while position != -1:
            positions.append(position)
            position = data.find(needle, position + len(needle), stop)
    return sorted(positions)


_METHOD = b") HTTP Method: "


class _Starts:
    """The "HTTP Method" line of a failed request whose start is further back than
    WINDOW: looked up in the current and the last HELD_BLOCKS blocks, each indexed by
    request token only when first asked (a failure that far below its start is rare, so
    the requests that succeed cost nothing here)."""

    def __init__(self) -> None:
        self.held: deque[tuple[bytes, int]] = deque(maxlen=HELD_BLOCKS + 1)
        self.indexes: dict[int, dict[bytes, bytes]] = {}

    def hold(self, data: bytes, stop: int) -> None:
        if len(self.held) == self.held.maxlen:
            self.indexes.pop(id(self.held[0][0]), None)
        self.held.append((data, stop))

    def pop(self, token: bytes) -> bytes | None:
        """The latest method line of ``token``, newest block first (each used once)."""
        for data, stop in reversed(self.held):
            index = self.indexes.get(id(data))
            if index is None:
                index = self.indexes[id(data)] = _index_starts(data, stop)
            line = index.pop(token, None)
            if line is not None:
                return line
        return None


def _index_starts(data: bytes, stop: int) -> dict[bytes, bytes]:
    """Each request's "HTTP Method" line in ``data[:stop]``, by request token."""
    starts: dict[bytes, bytes] = {}
    find, rfind = data.find, data.rfind
    position = find(_METHOD, 0, stop)
    while position != -1:
        begin = rfind(b"\n", 0, position) + 1
        end = find(b"\n", position)
        end = len(data) if end < 0 else end
        opening = find(b"(", begin, position + 1)
        if opening >= 0:
            starts[data[opening : position + 2]] = data[begin:end]
        position = find(_METHOD, end, stop)
    return starts


def _feed_request(data: bytes, position: int, collector: Collector, starts: _Starts) -> None:
    """Every line of the request that completed at ``position``, in order."""
    line_start = data.rfind(b"\n", 0, position) + 1
    line_end = data.find(b"\n", position)
    line_end = len(data) if line_end < 0 else line_end
    opening = data.find(b"(", line_start, position)
    closing = data.find(b") ", opening, position)
    if opening < 0 or closing < 0:
        return
    token = data[opening : closing + 2]
    lines = _request_lines(data, token, line_start - NEAR, line_end)
    if not any(b"HTTP Method: " in line for line in lines):
        lines = _request_lines(data, token, line_start - WINDOW, line_end)
    if not any(b"HTTP Method: " in line for line in lines):
        start = starts.pop(token)  # its start is further back than the window
        if start is not None:
            lines.insert(0, start)
    request_id = token[1:-2]
    if len(request_id) < 8 or any(byte in request_id for byte in b" \t\r\x0b\x0c"):
        for line in lines:  # an odd id: the parser decides, line by line
            collector.record(parse(line.decode("utf-8", "replace")))
        return
    text_id = request_id.decode("utf-8", "replace")
    skip = len(token)
    for line in lines:  # each line was counted per block already
        at = line.find(token)
        time = _prefix_time(line[:at]) if at >= 0 else _OTHER
        if time is _OTHER:
            collector.record(parse(line.decode("utf-8", "replace")))
        else:
            message = line[at + skip :].decode("utf-8", "replace").rstrip()
            collector.execution_line(text_id, message, time)  # type: ignore[arg-type]


_STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
_NOT_A_STREAM = re.compile(rb"\d{4}-\d\d-\d\d[T ]|[0-9a-f]{8}-[0-9a-f]{4}-")


#: what :func:`_prefix_time` says of a prefix :func:`parse` must read
_OTHER = object()


@functools.lru_cache(maxsize=4096)
def _prefix_time(prefix: bytes) -> float | None | object:
    """The time in what stands before a request's token on its line (an export's
    timestamp, or `aws logs tail`'s timestamp and stream), or :data:`_OTHER` when the
    line has another shape: what :func:`parse` makes of it, without its regexes over
    the whole line (the lines of a failed request are read by the thousand, and share
    a few prefixes)."""
    words = prefix.split()
    if (
        len(words) > 2
        or (words and not _STAMP.fullmatch(words[0]))
        or (len(words) == 2 and _NOT_A_STREAM.match(words[1]))
    ):
        return _OTHER
    return parse_time(words[0].decode("ascii")) if words else None


#: a chunk holding none of these holds no line of a function's log: the runtime writes
#: "START RequestId: " for every invocation and "ERROR" on every error line, so one or
#: two passes spare the nine of FUNCTION_MARKERS over a pure execution log
FUNCTION_GATES = (b"RequestId: ", b"ERROR")


def _feed_function_errors(data: bytes, fresh: int, stop: int, collector: Collector) -> None:
    if not any(data.find(gate, fresh, stop) != -1 for gate in FUNCTION_GATES):
        return
    for marker in FUNCTION_MARKERS:
        position = data.find(marker, fresh, stop)
        while position != -1:
            begin = data.rfind(b"\n", 0, position) + 1
            end = data.find(b"\n", position)
            end = len(data) if end < 0 else end
            record = parse(data[begin:end].decode("utf-8", "replace"))
            if isinstance(record, FunctionLog) and record.request_id:
                collector.record(record)
            position = data.find(marker, end, stop)


def _request_lines(data: bytes, token: bytes, start: int, stop: int) -> list[bytes]:
    found = data.find(token, max(0, start), stop)
    lines = []
    while found != -1:
        begin = data.rfind(b"\n", 0, found) + 1
        end = data.find(b"\n", found)
        end = stop if end < 0 or end > stop else end
        lines.append(data[begin:end])
        found = data.find(token, end, stop + 1)
    return lines
