"""The fast path for plain execution logs: most lines belong to requests that
succeeded and say nothing we need, so do not parse them one by one.

Per chunk, C-speed byte searches count the completed requests, find the
completion lines of failed ones, and pull out just those requests' lines
(which sit shortly before their completion line) for the ordinary parser.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator

from ._parse import Execution, FunctionLog, Record, parse, parse_time
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


#: how many requests' "HTTP Method" lines are remembered for failures far below them
MAX_STARTS = 100_000


def scan(blocks: Iterator[bytes], collector: Collector) -> None:
    """Feed ``collector`` from an execution log read in blocks cut anywhere: each block is
    searched where it is (no copy to align it on lines), up to its last newline; the
    last WINDOW bytes of whole lines and the cut line go on with the next block."""
    tail = b""
    fresh = 0  # where the lines not yet searched start in ``data``
    first_line = last_line = b""
    first_seen = False
    starts: OrderedDict[bytes, bytes] = OrderedDict()  # request token -> its method line
    for block in blocks:
        data = tail + block if tail else block
        if not first_seen and b"\n" in data:
            first_line, first_seen = data[: data.find(b"\n")], True
        stop = data.rfind(b"\n", fresh) + 1  # the end of the last whole line
        if stop <= fresh:  # no whole line yet: a line longer than a block
            tail = data if len(data) - fresh <= MAX_LINE else b""
            fresh = fresh if tail else 0
            continue
        _search(data, fresh, stop, collector, starts)
        last_line = _last_line(data, fresh, stop) or last_line
        cut = data.find(b"\n", max(0, stop - WINDOW), stop) + 1
        tail = data[cut:]
        fresh = stop - cut
    if len(tail) > fresh:  # the last line has no newline
        data = tail + b"\n"
        _search(data, fresh, len(data), collector, starts)
        last_line = _last_line(data, fresh, len(data)) or last_line
    for line in (first_line, last_line):
        record = parse(line.decode("utf-8", "replace"))
        if record is not None:
            collector.execution.seen(record.time)


#: a line longer than this without a newline is dropped, not held (bounded memory)
MAX_LINE = 64 * 1024 * 1024


def _search(
    data: bytes, fresh: int, stop: int, collector: Collector, starts: OrderedDict[bytes, bytes]
) -> None:
    """Everything the whole lines in ``data[fresh:stop]`` tell the collector."""
    _count_successes(data, fresh, stop, collector)
    _remember_starts(data, fresh, stop, starts)
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


def _remember_starts(data: bytes, fresh: int, stop: int, starts: OrderedDict[bytes, bytes]) -> None:
    """Each request's "HTTP Method" line, by request token, bounded by count: a failure
    whose lines are megabytes apart still gets its method and path."""
    find, rfind = data.find, data.rfind
    position = find(_METHOD, fresh, stop)
    while position != -1:
        begin = rfind(b"\n", 0, position) + 1
        end = find(b"\n", position)
        end = len(data) if end < 0 else end
        opening = find(b"(", begin, position + 1)
        if opening >= 0:
            starts[data[opening : position + 2]] = data[begin:end]
        position = find(_METHOD, end, stop)
    while len(starts) > MAX_STARTS:
        starts.popitem(last=False)


def _feed_request(
    data: bytes, position: int, collector: Collector, starts: OrderedDict[bytes, bytes]
) -> None:
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
    if not any(b"HTTP Method: " in line for line in lines) and token in starts:
        lines.insert(0, starts.pop(token))  # its start is further back than the window
    for line in lines:
        collector.record(_record(line, token))  # its line was counted per block already


_STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
_NOT_A_STREAM = re.compile(rb"\d{4}-\d\d-\d\d[T ]|[0-9a-f]{8}-[0-9a-f]{4}-")


def _record(line: bytes, token: bytes) -> Record | None:
    """What :func:`parse` makes of a line of the request ``token`` names, without its
    regexes over the whole line: the request's other lines are read this way by the
    thousand.  Any line of another shape goes to :func:`parse` itself."""
    at = line.find(token)
    request_id = token[1:-2]
    words = line[:at].split()
    if (
        at < 0
        or len(request_id) < 8
        or len(words) > 2
        or (words and not _STAMP.fullmatch(words[0]))
        or (len(words) == 2 and _NOT_A_STREAM.match(words[1]))
        or any(byte in request_id for byte in b" \t\r\x0b\x0c")
    ):
        return parse(line.decode("utf-8", "replace"))
    time = parse_time(words[0].decode("ascii")) if words else None
    message = line[at + len(token) :].decode("utf-8", "replace").rstrip()
    return Execution(request_id.decode("utf-8", "replace"), message, time)


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
