"""The shapes logs come in when people have them: lines in, records out.

``_parse.parse`` reads one canonical line.  What people paste is rarely that:
the API Gateway console's "Test" output (``Execution log for request <id>``
then ``Wed Nov 02 10:19:35 UTC 2022 : message``), lines inside code fences or
quotes, lines whose CloudWatch prefix was cut off (no request id, no time), a
response body or a JSON access log pretty-printed over several lines, Logs
Insights tables.  :class:`Reader` keeps the little state these need and hands
the canonical parser one line at a time.

Lines without a request id are grouped by position: a group ends with its
``Method completed`` line or when a new request visibly starts.  Such groups
get an id starting with :data:`GROUPED`, so every output can say so.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from ._parse import Access, Execution, FunctionLog, Record, insights_time, parse, parse_time

#: how API Gateway marks a logged body it cut off
TRUNCATED = "[TRUNCATED]"

#: the id prefix of requests whose lines carried no request id
GROUPED = "no-id-"
#: a multi-line JSON text is given up on past this many lines or characters
MAX_JOINED_LINES, MAX_JOINED_CHARS = 5_000, 4 << 20

#: rows the Logs Insights console leaves out when a result is copied
_ELIDED = ("...", "…")
#: the console's heading above each query's results: "# /aws/apigateway/shop-prod"
_SECTION = re.compile(r"#+\s*(?:/aws/|API-Gateway-Execution-Logs|[\w./-]+/[\w.-]+\s*$)")
_CONSOLE_HEADER = re.compile(r"Execution log for request\s+([\w.:=/+-]+)", re.I)
_CONSOLE_LINE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +"
    r"(\d{1,2}) (\d\d:\d\d:\d\d) (?:UTC|GMT) (\d{4})\s*:\s?(.*)",
    re.S,
)
#: the clock time some log viewers (awslogs, the CloudWatch console) print before a line
_CLOCK = re.compile(r"\d\d:\d\d:\d\d(?:\.\d+)?\s+(?=\S)")
_STARTING = re.compile(r"Starting execution for request: ([\w.:=/+-]+)")
#: messages only API Gateway's execution log writes: an id-less line saying one is ours
EXECUTION_PHRASES = (
    "Extended Request Id:",
    "Starting execution for request",
    "HTTP Method:",
    "Method request path:",
    "Method request query string:",
    "Method request headers:",
    "Method request body before transformations:",
    "API Key ",
    "Verifying Usage Plan",
    "Usage Plan check",
    "Endpoint request URI:",
    "Endpoint request headers:",
    "Endpoint request body after transformations:",
    "Sending request to ",
    "Received response.",
    "Endpoint response headers:",
    "Endpoint response body before transformations:",
    "Method response body after transformations:",
    "Method response headers:",
    "Successfully completed execution",
    "Method completed with status:",
    "Execution failed",
    "Lambda execution failed",
    "Lambda invocation failed",
    "Gateway response type:",
    "Gateway response body:",
    "Gateway response headers:",
    "Key throttle limit exceeded",
    "Stage throttle limit exceeded",
    "Method throttle limit exceeded",
    "Account throttle limit exceeded",
    "Throttled by usage plan",
    "Authorizer ",
    "Unauthorized request",
)
#: the function's own log saying how an invocation ended, without a request id
_FUNCTION_PHRASES = re.compile(
    r"\[ERROR\]|Task timed out after|Unable to import module|Runtime\.\w+Error"
    r"|Process exited before completing request|Response payload size exceeded"
    r"|Unable to marshal response|Runtime exited|Runtime\.OutOfMemory|^Runtime\.\w+$"
    r"|\tERROR\t(?:Invoke Error|Unhandled Promise Rejection|Uncaught Exception)"
)
_INVOCATION = re.compile(
    r"\b(START|END) RequestId: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)
_NEW_REQUEST = ("Extended Request Id:", "Starting execution for request")
#: the first word of a console "Test" line (a cheap test before its regex)
_DAYS = frozenset(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}


class Reader:
    """Turns raw lines into records, keeping the state pasted logs need."""

    def __init__(self) -> None:
        self.console_id: str | None = None
        self.group: str | None = None
        self.group_has_method = False
        self.groups = 0
        self.pending: list[str] = []
        self.pending_head = ""
        self.pending_time: float | None = None
        self.pending_id: str | None = None
        self.table: _Table | None = None
        self.brackets = _Brackets()
        self.pending_chars = 0
        #: the Lambda invocation a START line opened (its END closes it)
        self.invocation: str | None = None
        #: id-less function errors before any START: the init phase of the next invocation
        self.orphans: list[FunctionLog] = []

    # -- lines in ---------------------------------------------------------------------
    def feed(self, raw: str) -> Iterator[Record | None]:
        """The records one physical line completes: ``None`` for a line not understood,
        nothing while the line is part of a text still being joined."""
        line = _unwrap(raw)
        if self.pending:
            if not _starts_a_record(line):
                yield from self._continue(line)
                return
            yield from self._flush()  # a new record starts: the text was cut off
        if not line or line.startswith("```") or line in _ELIDED:
            yield None
            return
        if line[0] == "#" and _SECTION.match(line):  # "# /aws/apigateway/...": a new query
            self.table = None
            yield None
            return
        if self._table_header(line):
            yield None
            return
        if self.table is not None:
            line = self._table_row(line)
        invocation = _INVOCATION.search(line) if "RequestId: " in line else None
        if invocation:  # the runtime's START/END: id-less lines between are this one's
            self.invocation = invocation.group(2) if invocation.group(1) == "START" else None
        header = _CONSOLE_HEADER.match(line) if line[0] in "Ee" else None
        if header:
            self.console_id, self.group = header.group(1), None
            yield None
            return
        console = _CONSOLE_LINE.match(line) if line[:3] in _DAYS else None
        if console:
            time = _console_time(console)
            record = self._message(console.group(5).strip(), time, self.console_id)
        else:
            record = parse(line)
            if isinstance(record, Execution):
                record = self._with_body(record)
            elif record is None:
                record = self._unparsed(line)
        owned = self._own_invocation(record)
        if isinstance(owned, _Held):
            return  # an init-phase error: its invocation's START comes below
        record = owned
        if self.orphans and invocation and invocation.group(1) == "START":
            yield from self._release(self.invocation)
        elif self.orphans and record is not None:
            yield from self._release(None)
        if isinstance(record, FunctionLog) and not record.request_id.startswith(GROUPED):
            # Lambda's "RequestId: <id> Error: ..." then "Runtime.ExitError" alone: the
            # id-less line after a line with an id is that invocation's
            self.invocation = (
                None if invocation and invocation.group(1) == "END" else (record.request_id)
            )
        if record is not None or not self.pending:
            yield record  # else the line opened a text that goes on below

    def finish(self) -> Iterator[Record | None]:
        """What is still being joined when the input ends."""
        if self.pending:
            yield from self._flush()
        yield from self._release(None)

    # -- lines without a request id ---------------------------------------------------------
    def _unparsed(self, line: str) -> Record | None:
        time, message = _split_time(line)
        if message.startswith(("{", "[")) and _opens(message):
            self._start_pending(message, "", time, None)
            return None
        if message.startswith(EXECUTION_PHRASES):
            return self._message(message, time, None)
        if _FUNCTION_PHRASES.search(message):
            kind = "timeout" if "Task timed out after" in message else "error"
            return FunctionLog("", kind, message, time)  # its owner: _own_invocation
        return None

    def _message(self, message: str, time: float | None, request_id: str | None) -> Record | None:
        """An execution-log message with a known or an inferred request id."""
        started = _STARTING.match(message)
        if request_id is None and started:
            request_id = self.group = started.group(1)
            self.group_has_method = False
        record = Execution(request_id or self._group_for(message), message, time)
        if message.startswith("Method completed with status:") and request_id is None:
            self.group = None
        return self._with_body(record)

    def _group_for(self, message: str) -> str:
        """The id of the group an id-less line belongs to (a new one when a request starts)."""
        is_method = message.startswith("HTTP Method:")
        if (
            self.group is None
            or message.startswith(_NEW_REQUEST)
            or (is_method and self.group_has_method)
        ):
            self.groups += 1
            self.group = f"{GROUPED}{self.groups}"
            self.group_has_method = False
        self.group_has_method = self.group_has_method or is_method
        return self.group

    # -- bodies and JSON over several lines ----------------------------------------------------
    def _with_body(self, record: Execution) -> Record | None:
        head, sep, body = record.message.partition("body before transformations: ")
        if sep and body.lstrip().startswith(("{", "[")) and _opens(body):
            self._start_pending(body, head + sep, record.time, record.request_id)
            return None
        return record

    def _start_pending(self, text: str, head: str, time: float | None, rid: str | None) -> None:
        self.pending = [text]
        self.pending_head, self.pending_time, self.pending_id = head, time, rid
        self.brackets = _Brackets()
        self.brackets.feed(text)
        self.pending_chars = len(text)

    def _continue(self, line: str) -> Iterator[Record | None]:
        self.pending.append(line)
        self.pending_chars += len(line) + 1
        self.brackets.feed(line)
        if (
            self.brackets.depth <= 0
            or len(self.pending) > MAX_JOINED_LINES
            or self.pending_chars > MAX_JOINED_CHARS
        ):
            yield from self._flush()

    def _flush(self) -> list[Record | None]:
        text = "\n".join(self.pending)
        self.pending = []
        if self.pending_id is not None:
            return [Execution(self.pending_id, self.pending_head + text, self.pending_time)]
        text = text.rstrip().removesuffix(",")  # records separated by "},"
        joined = [self._joined(item) for item in _array_items(text)] if text[:1] == "[" else []
        if not joined:  # one record (or an array of none: not understood)
            joined = [self._joined(text)] if text[:1] != "[" else [None]
        return [record for record in joined if not isinstance(record, _Held)]

    def _joined(self, text: str) -> Record | _Held | None:
        """The record a JSON text joined from several lines holds."""
        record = parse(text)
        if isinstance(record, Access) and self.pending_time and record.time is None:
            return Access(record.fields, self.pending_time)
        if isinstance(record, FunctionLog) and record.time is None:
            record = FunctionLog(record.request_id, record.kind, record.text, self.pending_time)
        return self._own_invocation(record)

    def _own_invocation(self, record: Record | None) -> Record | _Held | None:
        """A function's error line without a request id belongs to the invocation its
        START line opened, or to the group of lines around it.  Before any START and
        any gateway line it is the init phase of the invocation the next START opens
        (Lambda logs the init error, then the invocation that reports it): held."""
        if isinstance(record, FunctionLog) and not record.request_id:
            if self.invocation is None and self.group is None:
                self.orphans.append(record)
                return HELD
            owner = self.invocation or self._group_for(record.text)
            return FunctionLog(owner, record.kind, record.text, record.time)
        return record

    def _release(self, owner: str | None) -> Iterator[Record | None]:
        """The held init-phase errors, as ``owner``'s (or grouped by position)."""
        orphans, self.orphans = self.orphans, []
        for record in orphans:
            yield FunctionLog(
                owner or self._group_for(record.text), record.kind, record.text, record.time
            )

    # -- Logs Insights tables -------------------------------------------------------------
    def _table_header(self, line: str) -> bool:
        """A Logs Insights header row: ``@message`` (log lines) or ``@timestamp`` and
        the fields of an access log, tab- or comma-separated; the console's copy pads
        it with empty columns its rows do not have."""
        if "@message" not in line and "@timestamp" not in line:
            return False
        for separator in ("\t", ","):
            names = [n.strip().strip('"') for n in _split(line, separator)]
            if ("@message" in names or "@timestamp" in names) and len(names) > 1:
                self.table = _Table(separator, names)
                return True
        return False

    def _table_row(self, line: str) -> str:
        assert self.table is not None
        cells = self.table.cells(line)
        if cells is None:
            return line
        stamp = cells.pop("@timestamp", "").strip()
        when = insights_time(stamp) if stamp else ""
        if "@message" in cells:
            message = cells["@message"].strip()
            return f"{when} {message}" if when else message
        # an access log's fields, one per column: the record they were read from
        fields = {name: value.strip() for name, value in cells.items() if name[:1] != "@"}
        if when:
            fields.setdefault("requestTime", when)
        return json.dumps(fields)


#: an array this long is read as that many records, no more (bounded work per text)
MAX_ARRAY_ITEMS = 10_000


def _array_items(text: str) -> list[str]:
    """Each object of a JSON array, as its own text; none when it is no such array."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return []
    if not isinstance(value, list):
        return []
    return [json.dumps(item) for item in value[:MAX_ARRAY_ITEMS] if isinstance(item, dict)]


class _Held:
    """Stands for a record held back until its owner is known."""


HELD = _Held()


class _Table:
    """The columns of a Logs Insights result, by name."""

    def __init__(self, separator: str, names: list[str]) -> None:
        self.separator = separator
        self.names = names
        self.named = [name for name in names if name]

    def cells(self, line: str) -> dict[str, str] | None:
        """The row's cells by column name; a message with tabs keeps them."""
        cells = _split(line, self.separator)
        if len(cells) == len(self.names):
            return {name: cell for name, cell in zip(self.names, cells, strict=True) if name}
        if len(cells) >= len(self.named) and (
            len(cells) == len(self.named) or self.named[-1] == "@message"
        ):
            last = len(self.named) - 1
            row = dict(zip(self.named[:last], cells[:last], strict=True))
            row[self.named[last]] = self.separator.join(cells[last:])
            return row
        return None


def _split(line: str, separator: str) -> list[str]:
    if separator == "\t":
        return line.split("\t")
    return next(csv.reader([line]), [])


def _unwrap(raw: str) -> str:
    """A line without markdown quote markers, a bare clock time, and spaces."""
    line = raw.strip()
    while line.startswith(">"):
        line = line[1:].lstrip()
    clock = _CLOCK.match(line) if line[2:3] == ":" else None
    return line[clock.end() :] if clock else line


def _split_time(line: str) -> tuple[float | None, str]:
    """A leading ISO timestamp, if any (CloudWatch's console copies keep it)."""
    stamp, _, rest = line.partition(" ")
    if rest and stamp[:4].isdigit() and "T" in stamp:
        time = parse_time(stamp)
        if time is not None:
            return time, rest.strip()
    return None, line


def _console_time(match: re.Match[str]) -> float | None:
    month, day, clock, year = match.group(1), match.group(2), match.group(3), match.group(4)
    try:
        hour, minute, second = (int(p) for p in clock.split(":"))
        stamp = datetime(int(year), _MONTHS[month], int(day), hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    return stamp.timestamp()


class _Brackets:
    """JSON brackets still open, fed a piece at a time (a joined text is never rescanned)."""

    __slots__ = ("depth", "escaped", "in_string")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = self.escaped = False

    def feed(self, text: str) -> None:
        for char in text:
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif char == "\\":
                    self.escaped = True
                elif char == '"':
                    self.in_string = False
            elif char == '"':
                self.in_string = True
            elif char in "{[":
                self.depth += 1
            elif char in "}]":
                self.depth -= 1


def _opens(text: str) -> bool:
    """A JSON text that continues on the next lines (not one a log cut off)."""
    if text.rstrip().endswith(TRUNCATED) or len(text) > 2000:
        return False  # a long line is a whole record, never a pretty-printed opening
    try:  # most logged bodies are whole JSON: the C parser says so faster than a scan
        json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        return False
    brackets = _Brackets()
    brackets.feed(text)
    return brackets.depth > 0


def _starts_a_record(line: str) -> bool:
    """A line that begins a record of its own, so cannot continue a JSON text."""
    if not line:
        return False
    if line[0] == "(" or _CONSOLE_LINE.match(line) or _CONSOLE_HEADER.match(line):
        return True
    time, message = _split_time(line)
    return time is not None or message.startswith(EXECUTION_PHRASES)
