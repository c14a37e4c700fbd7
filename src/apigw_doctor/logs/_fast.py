"""The fast path for plain execution logs: most lines belong to requests that
succeeded and say nothing we need, so do not parse them one by one.

Per chunk, C-speed byte searches count the completed requests, find the
completion lines of failed ones, and pull out just those requests' lines
(which sit shortly before their completion line) for the ordinary parser.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

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
#: how much is read at a time, into buffers used again and again (a fresh 8 MB object
#: per read, and a copy to join it to the lines before, cost more than searching it)
BLOCK = 8 * 1024 * 1024
#: a line longer than this without a newline is dropped, not held (bounded memory)
MAX_LINE = 64 * 1024 * 1024
Fill = Callable[[memoryview], int]
#: what is searched: a reused buffer, or bytes read again
Data = bytes | bytearray


def scan(fill: Fill, collector: Collector, fd: int | None = None) -> None:
    """Feed ``collector`` from an execution log that ``fill`` reads into a buffer (as
    many bytes as fit, 0 at the end).  Each buffer is searched where it is, up to its
    last newline; the last WINDOW bytes of whole lines and the cut line are copied to
    the start of the next buffer, and go on with it.  The buffers take turns, so the
    last HELD_BLOCKS stay readable for a failure far below its start; ``fd``, a plain
    file's descriptor, lets one further back be read again."""
    ring: list[bytearray] = []
    data, end, cut = bytearray(), 0, 0  # data[cut:end] goes on with the next buffer
    fresh = 0  # where the lines not yet searched start in the buffer
    first_line = last_line = b""
    first_seen = False
    starts = _Starts(fd)
    base = 0  # the offset in the input of the buffer's first byte
    while True:
        base += cut
        carry = end - cut
        buffer = _next_buffer(ring, data, carry + BLOCK)
        starts.forget(buffer)
        buffer[:carry] = memoryview(data)[cut:end]
        with memoryview(buffer) as view:
            got = fill(view[carry : carry + BLOCK])
        data, end, cut = buffer, carry + got, 0
        if not got:
            if carry > fresh:  # the last line has no newline
                data[end] = 10
                end += 1
                starts.hold(data, end, base)
                _search(data, fresh, end, collector, starts, base)
                last_line = _last_line(data, fresh, end) or last_line
            break
        if not first_seen and data.find(b"\n", 0, end) != -1:
            first_line, first_seen = bytes(data[: data.find(b"\n", 0, end)]), True
        stop = data.rfind(b"\n", fresh, end) + 1  # the end of the last whole line
        if stop <= fresh:  # no whole line yet: a line longer than a block
            if end - fresh > MAX_LINE:
                cut, fresh = end, 0
            continue
        starts.hold(data, stop, base)
        _search(data, fresh, stop, collector, starts, base)
        last_line = _last_line(data, fresh, stop) or last_line
        cut = data.find(b"\n", max(0, stop - WINDOW), stop) + 1
        fresh = stop - cut
    for line in (first_line, last_line):
        record = parse(line.decode("utf-8", "replace"))
        if record is not None:
            collector.execution.seen(record.time)


def _next_buffer(ring: list[bytearray], current: bytearray, size: int) -> bytearray:
    """The buffer after ``current`` in the ring (one more than the blocks held), at
    least ``size`` long: the held ones are never written over."""
    size = max(size, BLOCK + WINDOW + NEAR)  # room for a usual carry: made once
    if len(ring) < HELD_BLOCKS + 2:
        ring.append(bytearray(size))
        return ring[-1]
    index = (next(i for i, b in enumerate(ring) if b is current) + 1) % len(ring)
    if len(ring[index]) < size:
        ring[index] = bytearray(size)
    return ring[index]


def _search(
    data: Data, fresh: int, stop: int, collector: Collector, starts: _Starts, base: int
) -> None:
    """Everything the whole lines in ``data[fresh:stop]`` tell the collector (``data``
    starts at offset ``base`` of the input)."""
    accelerated = _accelerated() if engine() == "hyperscan" else None
    if accelerated is not None:
        failed, function_log = accelerated.search(data, fresh, stop, collector)
    else:
        failed = _completions(data, fresh, stop, collector)
        function_log = any(data.find(gate, fresh, stop) != -1 for gate in FUNCTION_GATES)
    for position in failed:
        _feed_request(data, position, collector, starts)
    if function_log:
        _feed_function_errors(data, fresh, stop, collector)
    collector.lines += _count_newlines(data, fresh, stop, base)


#: how the chunks are searched: "hyperscan" (the [fast] extra: one pass in C per chunk,
#: Intel's Hyperscan) when it can be imported, else "python" (byte searches of the
#: standard library, a step per completed request); the same results either way
ENGINES = ("hyperscan", "python")
#: this variable set to "python" picks the standard library's search even when
#: hyperscan is there (to compare the two, or to rule the library out)
ENGINE_VARIABLE = "APIGW_DOCTOR_LOGS_ENGINE"


def available_engine() -> str:
    """The fastest engine installed: "hyperscan" with the [fast] extra, else "python"."""
    return "python" if _accelerated() is None else "hyperscan"


def engine() -> str:
    """The engine :func:`scan` uses now: one of ENGINES (the fastest installed, unless
    ENGINE_VARIABLE says "python")."""
    return "python" if os.environ.get(ENGINE_VARIABLE) == "python" else available_engine()


class _Hyperscan:
    """One Hyperscan pass over a chunk for what the standard library needs several for:
    the completion lines, by status class (a 2xx is only counted: a Python step of a
    few hundred nanoseconds, where the standard library's walk took one per request
    and a count), the positions of those of failed requests, in order, and whether
    the chunk holds a word of a function's log (FUNCTION_GATES)."""

    OK, OTHER, GATE = 0, 1, 2

    def __init__(self, module: Any) -> None:
        completed = re.escape(COMPLETED)
        expressions = [completed + b"2", completed + b"[^2]"]
        expressions += [re.escape(gate) for gate in FUNCTION_GATES]
        self.database = module.Database()
        self.database.compile(
            expressions=expressions,
            ids=[self.OK, self.OTHER] + [self.GATE] * len(FUNCTION_GATES),
            elements=len(expressions),
            flags=[0, 0] + [module.HS_FLAG_SINGLEMATCH] * len(FUNCTION_GATES),
        )
        self.scratch = module.Scratch(self.database)

    def search(
        self, data: Data, fresh: int, stop: int, collector: Collector
    ) -> tuple[list[int], bool]:
        """What :func:`_completions` and the gates tell of ``data[fresh:stop]``."""
        ends: list[int] = []  # where the completion lines of other than 2xx match
        gates: list[int] = []
        ok = itertools.count()
        counted, others, OK, OTHER = ok.__next__, ends.append, self.OK, self.OTHER

        def matched(pattern: int, _start: int, end: int, _flags: int, _context: object) -> None:
            if pattern == OK:
                counted()
            elif pattern == OTHER:
                others(end)
            else:
                gates.append(end)

        with memoryview(data) as view:
            self.database.scan(view[fresh:stop], match_event_handler=matched, scratch=self.scratch)
        classes = [0] * 10
        classes[2] = next(ok)
        failed = []
        before = fresh - 1  # a match ends after the status's first digit
        for end in ends:
            digit = data[before + end] - 48
            if digit in (4, 5):
                failed.append(before + end - len(COMPLETED))
            elif digit in (1, 3):
                classes[digit] += 1
        for digit in (1, 2, 3):
            if classes[digit]:
                collector.execution.requests += classes[digit]
                collector.execution.statuses[digit * 100] += classes[digit]
        return failed, bool(gates)


@functools.cache
def hyperscan_module() -> Any:
    """The ``hyperscan`` module (the [fast] extra), or None where it is not installed."""
    try:
        import hyperscan
    except ImportError:
        return None
    return hyperscan


@functools.cache
def _accelerated() -> _Hyperscan | None:
    """The compiled Hyperscan search, made once, or None without the [fast] extra."""
    module = hyperscan_module()
    return None if module is None else _Hyperscan(module)


#: past this offset in the input, the "hyperscan" engine counts lines with numpy (also
#: in the [fast] extra) where ``bytes.count`` of one byte runs a plain loop: importing
#: numpy costs about 0.1 s of CPU, its count saves about 0.35 s per GB
NUMPY_AFTER = 128 * 1024 * 1024


@functools.cache
def numpy_module() -> Any:
    """The ``numpy`` module (the [fast] extra), or None where it is not installed."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _count_newlines(data: Data, fresh: int, stop: int, base: int) -> int:
    """The lines that end in ``data[fresh:stop]``."""
    if base + fresh >= NUMPY_AFTER and engine() == "hyperscan":
        numpy = numpy_module()
        if numpy is not None:
            view = numpy.frombuffer(data, numpy.uint8, count=stop - fresh, offset=fresh)
            return int(numpy.count_nonzero(view == 10))
    return data.count(b"\n", fresh, stop)


def _last_line(data: Data, fresh: int, stop: int) -> bytes:
    """The last line in ``data[fresh:stop]`` with text, without copying the rest."""
    end = stop - 1
    while end > fresh and data[end - 1 : end] in (b"\n", b"\r"):
        end -= 1
    return bytes(data[data.rfind(b"\n", fresh, end) + 1 : end]) if end > fresh else b""


def _completions(data: Data, fresh: int, stop: int, collector: Collector) -> list[int]:
    """Requests that completed with 1xx-3xx are counted, never parsed (by status class);
    the positions of the completion lines of those with 4xx/5xx are returned.  One walk
    over the completion lines, in order: cheaper than a count per status class."""
    find, skip = data.find, len(COMPLETED)
    classes = [0] * 10
    failed = []
    position = find(COMPLETED, fresh, stop)
    while position != -1:
        digit = data[position + skip] - 48  # the line goes on: its newline is before stop
        if digit == 2:
            classes[2] += 1
        elif digit in (4, 5):
            failed.append(position)
        elif digit in (1, 3):
            classes[digit] += 1
        position = find(COMPLETED, position + skip, stop)
    for digit in (1, 2, 3):
        if classes[digit]:
            collector.execution.requests += classes[digit]
            collector.execution.statuses[digit * 100] += classes[digit]
    return failed


_METHOD = b") HTTP Method: "


class _Starts:
    """The "HTTP Method" line of a failed request whose start is further back than
    WINDOW, looked up only when a failure needs it (a failure that far below its start
    is rare, so the requests that succeed cost nothing here): in the current and the
    last HELD_BLOCKS buffers, then, in a plain file, up to FAR_BYTES further back,
    read again a chunk at a time.  Each place is indexed by request token when first
    asked (a log without "HTTP Method" lines indexes each place once)."""

    def __init__(self, fd: int | None = None) -> None:
        self.held: deque[tuple[Data, int, int]] = deque(maxlen=HELD_BLOCKS + 1)
        self.indexes: dict[int, dict[bytes, Data]] = {}
        self.fd = fd
        self.chunks: OrderedDict[int, dict[bytes, Data]] = OrderedDict()

    def hold(self, data: Data, stop: int, base: int) -> None:
        """``data[:stop]`` is searched now; it starts at offset ``base`` of the input."""
        if len(self.held) == self.held.maxlen:
            self.indexes.pop(id(self.held[0][0]), None)
        self.held.append((data, stop, base))

    def forget(self, data: Data) -> None:
        """``data`` is about to be written over: it is held no more."""
        if any(held is data for held, _, _ in self.held):
            self.held = deque(
                (entry for entry in self.held if entry[0] is not data), maxlen=self.held.maxlen
            )
        self.indexes.pop(id(data), None)

    def pop(self, token: bytes) -> Data | None:
        """The latest method line of ``token``, newest first (each used once)."""
        for data, stop, _ in reversed(self.held):
            index = self.indexes.get(id(data))
            if index is None:
                index = self.indexes[id(data)] = _index_starts(data, 0, stop)
            line = index.pop(token, None)
            if line is not None:
                return line
        if self.fd is None or not self.held:
            return None
        oldest = self.held[0][2]
        for chunk in range(oldest // FAR_CHUNK, max(0, oldest - FAR_BYTES) // FAR_CHUNK - 1, -1):
            line = self._chunk(chunk).pop(token, None)
            if line is not None:
                return line
        return None

    def _chunk(self, chunk: int) -> dict[bytes, Data]:
        """The starts in the file's ``chunk``-th FAR_CHUNK bytes (and the lines that
        run past its end), by token; the last FAR_INDEXES asked for are kept."""
        index = self.chunks.get(chunk)
        if index is not None:
            self.chunks.move_to_end(chunk)
            return index
        assert self.fd is not None
        try:
            data = os.pread(self.fd, FAR_CHUNK + MAX_FAR_LINE, chunk * FAR_CHUNK)
        except OSError:
            data = b""
        begin = data.find(b"\n") + 1 if chunk else 0  # a cut line is whole in the chunk before
        index = self.chunks[chunk] = _index_starts(data, begin, data.rfind(b"\n") + 1)
        while len(self.chunks) > FAR_INDEXES:
            self.chunks.popitem(last=False)
        return index


#: how far back, in a plain file, a failure's start is looked for (about 100,000
#: requests of a data-traced log), in chunks of FAR_CHUNK, FAR_INDEXES of them indexed
#: at a time; a start line longer than MAX_FAR_LINE that is cut by a chunk is not found
FAR_BYTES = 256 * 1024 * 1024
FAR_CHUNK = 8 * 1024 * 1024
FAR_INDEXES = 32
MAX_FAR_LINE = 1024 * 1024


def _index_starts(data: Data, start: int, stop: int) -> dict[bytes, Data]:
    """Each request's "HTTP Method" line in ``data[start:stop]``, by request token."""
    starts: dict[bytes, Data] = {}
    find, rfind = data.find, data.rfind
    position = find(_METHOD, start, stop)
    while position != -1:
        begin = max(start, rfind(b"\n", 0, position) + 1)
        end = find(b"\n", position)
        end = len(data) if end < 0 else end
        opening = find(b"(", begin, position + 1)
        if opening >= 0:
            starts[bytes(data[opening : position + 2])] = data[begin:end]
        position = find(_METHOD, end, stop)
    return starts


def _feed_request(data: Data, position: int, collector: Collector, starts: _Starts) -> None:
    """Every line of the request that completed at ``position``, in order."""
    line_start = data.rfind(b"\n", 0, position) + 1
    line_end = data.find(b"\n", position)
    line_end = len(data) if line_end < 0 else line_end
    opening = data.find(b"(", line_start, position)
    closing = data.find(b") ", opening, position)
    if opening < 0 or closing < 0:
        return
    token = bytes(data[opening : closing + 2])
    spans = _request_lines(data, token, line_start - NEAR, line_end)
    started = _has_start(data, spans)
    if not started:
        spans = _request_lines(data, token, line_start - WINDOW, line_end)
        started = _has_start(data, spans)
    request_id = token[1:-2]
    simple = len(request_id) >= 8 and request_id.split() == [request_id]
    if started and simple and position == closing + 2 and _counted(data, token, spans, collector):
        return
    lines = [data[begin:end] for begin, end in spans]
    if not started:
        start = starts.pop(token)  # its start is further back than the window
        if start is not None:
            lines.insert(0, start)
    if not simple:
        for line in lines:  # an odd id: the parser decides, line by line
            collector.record(parse(line.decode("utf-8", "replace")))
        return
    skip = len(token)
    read: list[tuple[str, float | None]] = []
    for line in lines:  # each line was counted per block already
        at = line.find(token)
        time = _prefix_time(bytes(line[:at])) if at >= 0 else _OTHER
        if time is _OTHER:  # another shape: the parser reads it, in its turn
            collector.request_lines(request_id.decode("utf-8", "replace"), read)
            read = []
            collector.record(parse(line.decode("utf-8", "replace")))
        else:
            message = line[at + skip :].decode("utf-8", "replace").rstrip()
            read.append((message, time))  # type: ignore[arg-type]
    collector.request_lines(request_id.decode("utf-8", "replace"), read)


def _counted(data: Data, token: bytes, spans: list[tuple[int, int]], collector: Collector) -> bool:
    """Count a 5xx, and read no more of it, once the collector keeps no more failures
    (MAX_KEPT): what reading its lines would change is only the totals.  False, and
    nothing done, for any request whose lines could tell more (an odd line, a second
    completion line, a 4xx, a request id already kept or open)."""
    if not collector.keeps_no_more(token[1:-2].decode("utf-8", "replace")):
        return False
    find = data.find
    times = []
    for begin, end in spans[:-1]:
        at = find(token, begin, end)
        if at < 0 or find(COMPLETED, begin, end) != -1:
            return False
        times.append(_prefix_time(bytes(data[begin:at])))
    begin, end = spans[-1]
    at = find(token, begin, end)
    if at < 0:
        return False
    times.append(_prefix_time(bytes(data[begin:at])))
    message = data[at + len(token) : end].decode("utf-8", "replace").rstrip()
    return _OTHER not in times and collector.counted_failure(message, times)  # type: ignore[arg-type]


def _has_start(data: Data, spans: list[tuple[int, int]]) -> bool:
    """Whether one of the lines at ``spans`` is the request's "HTTP Method" line."""
    find = data.find
    return any(find(b"HTTP Method: ", begin, end) != -1 for begin, end in spans)


_STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
_NOT_A_STREAM = re.compile(rb"\d{4}-\d\d-\d\d[T ]|[0-9a-f]{8}-[0-9a-f]{4}-")


#: what :func:`_prefix_time` says of a prefix :func:`parse` must read
_OTHER = object()


@functools.lru_cache(maxsize=4096)
def _prefix_time(prefix: bytes) -> float | object | None:
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


def _feed_function_errors(data: Data, fresh: int, stop: int, collector: Collector) -> None:
    """The function's own error lines in a chunk that holds a FUNCTION_GATES word."""
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


def _request_lines(data: Data, token: bytes, start: int, stop: int) -> list[tuple[int, int]]:
    """Where the lines holding ``token`` in ``data[start:stop]`` begin and end."""
    find, rfind = data.find, data.rfind
    found = find(token, max(0, start), stop)
    spans = []
    while found != -1:
        end = find(b"\n", found)
        end = stop if end < 0 or end > stop else end
        spans.append((rfind(b"\n", 0, found) + 1, end))
        found = find(token, end, stop + 1)
    return spans
