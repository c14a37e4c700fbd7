"""How many connections `serve` holds, and for how long, so slow or idle clients
cannot take it down.

Each connection costs a file descriptor. Past the process's open-file limit the
server can accept nothing, its workers cannot open pipes, and no request is
answered; uvicorn's ``limit_concurrency`` only answers 503 once a request has
arrived, so idle connections still pile up. So: the soft limit is raised to what
the hard limit allows, connections are capped well under it (a connection over
the cap takes the place of the one that has waited longest for a request, or is
answered 503 and closed when every connection is in a request), and a connection
whose request headers have not all arrived within :data:`HEADER_TIMEOUT` is
closed, whether it sent nothing (idle) or one byte at a time (slowloris), as is
one whose body takes longer than :data:`BODY_TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import errno
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: seconds a client has to send a request's headers (from connecting, or from the
#: first byte after a kept-alive response): real clients send them in one packet
HEADER_TIMEOUT = 5.0
#: seconds a client has to send a request's body once its headers are in (10 MB,
#: API Gateway's quota, at 350 KB/s): a body sent a byte at a time holds no slot
BODY_TIMEOUT = 30.0
#: descriptors kept for the server itself (listening socket, event loop, logs,
#: imports) and for each worker (its pipes)
RESERVED_FILES = 64
FILES_PER_WORKER = 8
#: connections accepted per wake-up of the event loop (asyncio takes the listen
#: backlog as that number): a flood holds at most this many descriptors more than
#: the cap before the refused ones are closed
ACCEPT_BATCH = 64
#: what a connection over the cap gets before it is closed
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"content-length: 35\r\nconnection: close\r\n\r\n"
    b'{"message":"Service Unavailable"}\r\n'
)


def raise_file_limit(ceiling: int = 65_536) -> int:
    """Raise the soft RLIMIT_NOFILE towards the hard limit (at most ``ceiling``)
    where the system allows; the soft limit in force afterwards."""
    try:
        import resource
    except ImportError:  # Windows: no such limit to raise
        return ceiling
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)
    if soft == resource.RLIM_INFINITY:
        return ceiling
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):  # macOS caps it below the hard limit: keep it
            pass
    return soft


def connection_cap(file_limit: int, workers: int, wanted: int) -> int:
    """The connections served at once: ``wanted`` (--max-connections), but never
    more than three quarters of the descriptors left over by the server and its
    workers, nor so many that one batch of accepts cannot fit beside them."""
    spare = file_limit - RESERVED_FILES - FILES_PER_WORKER * workers
    return max(1, min(wanted, spare * 3 // 4, spare - 2 * ACCEPT_BATCH))


def guarded_protocol(
    cap: int, header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT
) -> type[H11Protocol]:
    """uvicorn's h11 protocol, with a connection cap and deadlines for a request's
    headers and body."""
    deadlines: dict[object, float] = {h11.IDLE: header_timeout, h11.SEND_BODY: body_timeout}

    class Guarded(H11Protocol):
        _refused = False
        #: the timer that checks the deadline (left pending between requests: a
        #: kept-alive connection's next request moves the deadline, not the timer)
        _due: asyncio.TimerHandle | None = None
        #: the part of a request being awaited (h11.IDLE: headers; h11.SEND_BODY),
        #: since when, and by when it must be in
        _awaiting: object = None
        _waiting_since = 0.0
        _deadline = 0.0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            if len(self.connections) >= cap and not self._evict_idle():
                self._refused = True
                self.transport = transport  # connection_lost closes it
                transport.write(BUSY)
                transport.close()
                return
            super().connection_made(transport)
            self._start_clock()

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            self._start_clock()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_clock(cancel=True)
            if self._refused:
                return
            super().connection_lost(exc)

        def _evict_idle(self) -> bool:
            """Make room by closing the connection that has waited longest for a
            request's headers (idle, kept alive, or slowloris): a client that sends
            a request gets in even while thousands of idle connections are open."""
            idle = [c for c in self.connections if isinstance(c, Guarded) and c._is_idle()]
            if not idle:
                return False  # every connection is in a request: over the cap, 503
            oldest = min(idle, key=lambda c: c._waiting_since)
            oldest._stop_clock(cancel=True)
            oldest.transport.close()
            self.connections.discard(oldest)
            return True

        def _is_idle(self) -> bool:
            return self._awaiting is h11.IDLE

        def _start_clock(self) -> None:
            """Time the part of a request the client owes (its headers, then its
            body); once it is all in, the handler's time is the integration
            timeout's.  Per request this only moves the deadline: a timer is set
            when none is pending, and one that fires early sets itself again."""
            state = self.conn.their_state
            owed = state if state in deadlines and not self.transport.is_closing() else None
            if owed is self._awaiting:
                return
            self._awaiting = owed
            if owed is None:
                return
            now = self.loop.time()
            self._waiting_since, self._deadline = now, now + deadlines[owed]
            if self._due is None:
                self._due = self.loop.call_at(self._deadline, self._check)
            elif self._due.when() > self._deadline:  # a shorter deadline than the timer's
                self._due.cancel()
                self._due = self.loop.call_at(self._deadline, self._check)

        def _stop_clock(self, cancel: bool = False) -> None:
            """Nothing owed any more; ``cancel``: the connection is going, its timer too."""
            self._awaiting = None
            if cancel and self._due is not None:
                self._due.cancel()
                self._due = None

        def _check(self) -> None:
            self._due = None
            owed = self._awaiting
            if owed is None or self.transport.is_closing():
                return  # nothing owed now: the next request sets a timer again
            if self.loop.time() < self._deadline:  # owed since after this timer was set
                self._due = self.loop.call_at(self._deadline, self._check)
                return
            self._awaiting = None
            if self.conn.their_state is owed:
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._start_clock()  # the next request on this connection, if any

        def shutdown(self) -> None:
            """Close quietly: a connection that sent half a request is closed too."""
            self._stop_clock(cancel=True)
            try:
                super().shutdown()
            except h11.LocalProtocolError:  # mid-request: h11 refuses to "close" it
                self.transport.close()

    return Guarded


def describe(cap: int, file_limit: int) -> str:
    """The start-up line that says how many connections are served."""
    return f"up to {cap:,} connections at once (open-file limit {file_limit:,})"


class OutOfFiles(logging.Filter):
    """asyncio's "socket.accept() out of system resource", with its traceback, as
    one line: a flood can still outrun the cap for a moment (connections are
    accepted in batches before the refused ones are closed); asyncio then waits a
    second before it accepts again, which is all that happens."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, OSError) and error.errno in (errno.EMFILE, errno.ENFILE):
            record.msg = "apigw-doctor: out of file descriptors: new connections wait a second"
            record.args = None
            record.exc_info = record.exc_text = None
        return True
