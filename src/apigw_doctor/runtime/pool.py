"""Warm worker processes that run handlers the way Lambda execution environments do.

Each worker is a process of the project's own Python (``interpreter``) running
``worker_process``; one request per worker at a time; module state persists
between requests in a worker (like a warm Lambda container).  A handler that
raises, calls ``sys.exit``/``os._exit``, crashes the interpreter, outgrows its
memory or never returns costs only its own request: the worker and everything
it started are killed, another takes its place, and the pool keeps serving.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import os
import signal
import struct
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .bootstrap import LAUNCHER, plain_dumps
from .environment import Environment, sandbox_variables
from .invocation import ImportFailure, Invocation, timed_out

#: a job: the size of its JSON, then the size of the raw body section after it
_JOB = struct.Struct("!II")
_ANSWER = struct.Struct("!II")
#: an event body at least this long goes after the job's JSON as raw UTF-8 instead of
#: inside it: JSON-encoding 10 MB held the event loop for 40 ms, encoding it to UTF-8
#: takes one copy (the worker splices it back into the event, the same string)
RAW_BODY_FROM = 32 * 1024
#: a result at least this large is joined from its pieces off the event loop (``joined``)
_PIECE = 1024 * 1024
#: asyncio's default buffer limit for the worker's stderr reader
_STREAM_LIMIT = 2**16
#: an encoded job: its header and JSON, and its raw body section (often empty)
_Encoded = tuple[bytes, bytes]
_PACKAGE = str(Path(__file__).resolve().parent)
#: what a worker that died at start said, kept for the report
_STDERR_KEPT = 4_096
#: the variable every process of a worker inherits, to find the ones that escaped it
SANDBOX_MARK = "_APIGW_DOCTOR_SANDBOX"


@dataclass(frozen=True)
class Job:
    """What a worker needs for one invocation."""

    target: str
    event: dict[str, Any]
    request_id: str
    function_name: str
    timeout_seconds: float
    environment: Environment | None = None
    runtime: str | None = None  # the function's Runtime: how the result is serialised
    memory_mb: int = 0  # the function's MemorySize; 0: no limit
    import_only: bool = False  # load the handler, do not call it (serve's import check)
    #: the UTF-8 of ``event["body"]`` when the caller has it (serve: the request's own
    #: bytes), so a large body is not encoded once more; None: encoded here
    raw_body: bytes | None = None


#: an answer as it came off the pipe: its JSON header, read, and its payload's pieces
_Answer = tuple[dict[str, Any], list[bytes]]


class _AnswerReader:
    """A worker's answers, taken off its pipe in the callback that reads them.

    A complete answer goes to ``handoff`` at once, before any task runs: the pool
    gives the worker its next job there (see ``WorkerPool._answered``), instead of a
    loop turn later, when the task waiting for the answer would have read it."""

    def __init__(self) -> None:
        self.chunks: collections.deque[bytes] = collections.deque()
        self.size = 0  # bytes in ``chunks``
        self.sizes: tuple[int, int] | None = None  # the answer being read: header, payload
        #: the answer awaited for the job the worker has now (None: it has none)
        self.pending: asyncio.Future[_Answer] | None = None
        #: where a complete answer goes (the pool sets it)
        self.handoff: Callable[[asyncio.Future[_Answer] | None, _Answer], None] | None = None
        #: the pipe closed: why no answer will come
        self.closed: BaseException | None = None

    def expect(self, answer: asyncio.Future[_Answer]) -> None:
        """``answer`` is the next one to come (a job was just sent); from a worker whose
        pipe has closed (it died before reading the job) none will."""
        if self.closed is not None:
            answer.set_exception(self.closed)
        else:
            self.pending = answer

    def feed(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        while True:
            if self.sizes is None:
                if self.size < _ANSWER.size:
                    return
                self.sizes = _ANSWER.unpack(self._take(_ANSWER.size))
            header_size, payload_size = self.sizes
            if self.size < header_size + payload_size:
                return
            header = json.loads(self._take(header_size)) if header_size else {}
            pieces = self._pieces(payload_size)
            self.sizes = None
            pending, self.pending = self.pending, None
            if self.handoff is not None:
                self.handoff(pending, (header, pieces))

    def lost(self, exc: Exception | None) -> None:
        """The pipe closed (the worker died, or closed it): the job awaiting an answer
        gets none."""
        self.closed = exc or asyncio.IncompleteReadError(b"", None)
        pending, self.pending = self.pending, None
        if pending is not None and not pending.done():
            pending.set_exception(self.closed)

    def _take(self, size: int) -> bytes:
        pieces = self._pieces(size)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _pieces(self, size: int) -> list[bytes]:
        """The next ``size`` bytes, as the pieces they came in (one copy at most, of
        the piece cut at the end)."""
        taken = []
        self.size -= size
        while size:
            chunk = self.chunks[0]
            if len(chunk) <= size:
                taken.append(self.chunks.popleft())
                size -= len(chunk)
            else:
                taken.append(chunk[:size])
                self.chunks[0] = chunk[size:]
                size = 0
        return taken


class _WorkerProtocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's subprocess protocol, with the answers pipe read by an _AnswerReader
    (its stdin and stderr as before)."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=limit, loop=loop)
        self.answers = _AnswerReader()

    def pipe_data_received(self, fd: int, data: bytes | str) -> None:
        if fd == 1 and isinstance(data, bytes):
            self.answers.feed(data)
        else:
            super().pipe_data_received(fd, data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self.answers.lost(exc)
        super().pipe_connection_lost(fd, exc)


class _Worker:
    """One worker process and its two pipes."""

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        answers: _AnswerReader,
        mark: str,
        generation: int,
    ) -> None:
        self.process = process
        assert process.stdin is not None
        self.jobs = process.stdin
        self.answers = answers
        self.mark = mark
        self.generation = generation

    @classmethod
    async def start(
        cls, python: str, base: Path, environ: dict[str, str], generation: int = 0
    ) -> _Worker:
        mark = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.subprocess_exec(
            lambda: _WorkerProtocol(_STREAM_LIMIT, loop),
            python,
            "-c",
            LAUNCHER,
            _PACKAGE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,  # only until it redirects its own output
            cwd=base,
            env={**environ, SANDBOX_MARK: mark},
            start_new_session=True,  # its own process group: what a handler starts ends with it
        )
        process = asyncio.subprocess.Process(transport, protocol, loop)
        return cls(process, protocol.answers, mark, generation)

    def kill(self) -> None:
        """End the worker and whatever its handler started, even processes that left its
        group and session (found by the mark every one of them inherits); never waits."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.returncode is None:
            # a plain kill, not ``process.kill()``: Popen polls (and so reaps) the child
            # before signalling it, racing asyncio's child watcher, which then logs
            # "Unknown child process pid N, will report returncode 255" (scan, serve)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.process.pid, signal.SIGKILL)
        for pid in _marked(self.mark):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    async def ended(self) -> None:
        """Wait (briefly) for a killed worker to be gone and its pipes closed, so nothing
        of it outlives the event loop."""
        self.jobs.close()
        with contextlib.suppress(TimeoutError, OSError, ValueError):
            async with asyncio.timeout(5):
                await self.process.communicate()
        await asyncio.sleep(0)

    async def startup_error(self) -> str:
        """What the interpreter said before it died at start (too old a Python...)."""
        stream = self.process.stderr
        if stream is None:
            return ""
        with contextlib.suppress(TimeoutError, OSError, ValueError):
            async with asyncio.timeout(2):
                return (await stream.read(_STDERR_KEPT)).decode("utf-8", "replace").strip()
        return ""


#: a worker that has been sent a job, and the answer to come
_Sent = tuple[_Worker, "asyncio.Future[_Answer]"]


class WorkerPool:
    """A fixed number of warm workers; requests wait for a free one."""

    def __init__(
        self,
        size: int,
        base: Path | None = None,
        python: str | None = None,
        *,
        inherit_shell: bool = False,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.base = base or Path.cwd()
        self.python = python or sys.executable
        #: what every worker starts with: nothing of this shell unless asked
        self.environ = sandbox_variables(inherit_shell)
        self.generation = 0
        self._started = False
        self._idle: list[_Worker] = []
        #: jobs waiting for a worker, encoded: a worker set free is handed the first
        #: at once (its bytes written to it), before the gateway goes on with the
        #: answer it just read, so the worker starts the next job without waiting
        self._waiting: collections.deque[tuple[asyncio.Future[_Sent], _Encoded]] = (
            collections.deque()
        )
        self._all: set[_Worker] = set()
        self._reaping: set[asyncio.Future[None]] = set()
        self._environments: dict[int, tuple[Environment, dict[str, Any]]] = {}
        self.replaced = 0

    async def start(self) -> None:
        self._started = True
        for _ in range(self.size):
            worker = await _Worker.start(self.python, self.base, self.environ, self.generation)
            self._add(worker)
            self._release(worker)

    def _add(self, worker: _Worker) -> None:
        self._all.add(worker)
        worker.answers.handoff = functools.partial(self._answered, worker)

    def _answered(
        self, worker: _Worker, pending: asyncio.Future[_Answer] | None, answer: _Answer
    ) -> None:
        """A worker's answer, as soon as it is read: the worker is free, so the
        longest-waiting job goes to it now (unless it must be replaced: it ran out
        of memory, or older code than ``--reload`` brought); then the task waiting
        for the answer is woken."""
        if pending is None or pending.done():
            return  # its caller gave up (timed out, cancelled): the worker is being replaced
        reusable = not answer[0].get("fatal") and worker.generation == self.generation
        if reusable and worker in self._all:
            self._release(worker)
        pending.set_result(answer)

    def _release(self, worker: _Worker) -> None:
        """A free worker: the longest-waiting job's bytes go to it now, else it idles."""
        while self._waiting:
            waiter, data = self._waiting.popleft()
            if not waiter.done():  # its caller may have given up (cancelled)
                waiter.set_result((worker, _send(worker, data)))
                return
        self._idle.append(worker)

    async def _worker_for(self, data: _Encoded) -> _Sent:
        """A worker that has been sent ``data`` (the encoded job), and its answer to come."""
        if self._idle:
            worker = self._idle.pop()
            return worker, _send(worker, data)
        waiter: asyncio.Future[_Sent] = asyncio.get_running_loop().create_future()
        self._waiting.append((waiter, data))
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                worker, answer = waiter.result()  # sent the job, then cancelled: unknown state
                answer.cancel()
                self._replace(worker)
            raise

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker at once and start another; the reaping and the new process's
        start-up happen off the request, so no handler can freeze the gateway."""
        worker.kill()
        self._all.discard(worker)
        self.replaced += 1
        self._reaping.add(asyncio.ensure_future(self._renew(worker)))

    async def _renew(self, dead: _Worker) -> None:
        try:
            await dead.ended()
            fresh = await _Worker.start(self.python, self.base, self.environ, self.generation)
        finally:
            self._reaping = {t for t in self._reaping if not t.done()}
        self._add(fresh)
        self._release(fresh)

    async def restart(self) -> None:
        """New workers for every idle one (``--reload``); busy ones finish their request
        and are replaced then, so old and new code never answer in turn."""
        assert self._started
        self.generation += 1
        idle, self._idle = self._idle, []
        for worker in idle:
            self._replace(worker)

    async def stop(self) -> None:
        """End every worker, the ones being replaced too, and wait until they are gone."""
        if self._reaping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(15):
                    await asyncio.gather(*self._reaping, return_exceptions=True)
        for worker in list(self._all):
            worker.kill()
        for worker in list(self._all):
            await worker.ended()
        self._all.clear()

    async def run(self, job: Job, timeout: float) -> Invocation:
        """Run ``job`` on a free worker; a worker that fails or overruns is replaced."""
        assert self._started, "start() the pool first"
        data = self._encode(job)
        if len(data[1]) >= RAW_BODY_FROM:
            await asyncio.sleep(0)  # a large body: let other requests move between steps
        worker, answer = await self._worker_for(data)
        clock = None
        try:
            jobs = worker.jobs.transport
            if jobs.get_write_buffer_size() or jobs.is_closing():  # a large job, or a dead pipe
                async with asyncio.timeout(timeout):  # (covers the writing too)
                    await worker.jobs.drain()
                    header, pieces = await answer
            else:  # the usual case: a timer fails the answer, no task is cancelled
                clock = asyncio.get_running_loop().call_later(timeout, _expire, answer)
                header, pieces = await answer
        except TimeoutError:
            answer.cancel()
            self._replace(worker)
            return timed_out(job.request_id, timeout)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            answer.cancel()
            # the worker closed its pipe: it died, or its handler closed every descriptor
            # and runs on; wait for it briefly, then kill it regardless
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    await worker.process.wait()
            said = await worker.startup_error()
            self._replace(worker)
            return _exited(job, worker.process.returncode, said)
        except BaseException:
            answer.cancel()
            self._replace(worker)  # cancelled mid-call: the worker's state is unknown
            raise
        finally:
            if clock is not None:
                clock.cancel()
        result = await _invocation(header, pieces, job.request_id)
        if result.fatal or worker.generation != self.generation:
            self._replace(worker)  # (not handed another job: see _answered)
        return result

    def _encode(self, job: Job) -> _Encoded:
        """The job's header and JSON, and its raw body section (often empty)."""
        data = {
            "target": job.target,
            "event": job.event,
            "request_id": job.request_id,
            "function_name": job.function_name,
            "timeout_seconds": job.timeout_seconds,
            "runtime": job.runtime,
            "memory_mb": job.memory_mb,
            "import_only": job.import_only,
            "base": str(self.base),
            "environment": self._environment(job.environment),
        }
        raw = b""
        body = job.event.get("body")
        if isinstance(body, str) and len(body) >= RAW_BODY_FROM:
            # "surrogatepass": any str survives the trip, as it does through JSON
            given = job.raw_body
            raw = body.encode("utf-8", "surrogatepass") if given is None else given
            data["event"] = {**job.event, "body": None}  # same key order; not the caller's dict
        encoded = plain_dumps(data).encode("utf-8")
        return _JOB.pack(len(encoded), len(raw)) + encoded, raw

    def _environment(self, environment: Environment | None) -> dict[str, Any] | None:
        """The environment as the worker reads it, built once per Environment object."""
        if environment is None:
            return None
        known = self._environments.get(id(environment))
        if known is not None and known[0] is environment:
            return known[1]
        data = {
            "variables": environment.variables,
            "paths": [str(p) for p in environment.paths],
            "cwd": str(environment.cwd) if environment.cwd else None,
        }
        self._environments[id(environment)] = (environment, data)
        return data


def _expire(answer: asyncio.Future[_Answer]) -> None:
    """The function's time is up: its answer, if still awaited, is a timeout."""
    if not answer.done():
        answer.set_exception(TimeoutError())


async def _invocation(header: dict[str, Any], pieces: list[bytes], request_id: str) -> Invocation:
    """The invocation a worker's answer tells of; a large payload's pieces are joined
    off the event loop."""
    size = sum(map(len, pieces))
    payload = await joined(pieces) if size >= _PIECE else b"".join(pieces)
    failure = header.get("import_failure")
    return Invocation(
        payload,
        header.get("function_error"),
        str(header.get("request_id") or request_id),
        float(header.get("duration_ms") or 0.0),
        log=str(header.get("log") or ""),
        import_failure=ImportFailure(*failure) if failure else None,
        fatal=bool(header.get("fatal")),
    )


async def joined(pieces: list[bytes]) -> bytes:
    """``b"".join(pieces)``, in a thread when large: joining bytes copies without the
    GIL past a megabyte, so the event loop runs on while megabytes are copied (a fresh
    30 MB block costs tens of milliseconds of page faults on a VM)."""
    if len(pieces) < 2:
        return b"".join(pieces)
    return await asyncio.to_thread(b"".join, pieces)


def _send(worker: _Worker, data: _Encoded) -> asyncio.Future[_Answer]:
    """Write an encoded job (two writes, so a large body is not copied into a whole
    first); the future its answer will be set on."""
    answer: asyncio.Future[_Answer] = asyncio.get_running_loop().create_future()
    worker.answers.expect(answer)
    head, raw = data
    worker.jobs.write(head)
    if raw:
        worker.jobs.write(raw)
    return answer


def _exited(job: Job, code: int | None, said: str = "") -> Invocation:
    """Lambda's error object for a runtime that ended mid-invocation."""
    if code is None:  # it cut its own pipe and ran on: killed by the gateway
        reason = "Runtime exited without providing a reason"
    else:
        shown = f"signal {-code}" if code < 0 else f"exit status {code}"
        reason = f"Runtime exited with error: {shown}"
    error = {
        "errorMessage": f"RequestId: {job.request_id} Error: {reason}",
        "errorType": "Runtime.ExitError",
    }
    log = f"the worker's Python said:\n{said}\n" if said else ""
    return Invocation(json.dumps(error).encode(), "Unhandled", job.request_id, 0.0, log=log)


def _marked(mark: str) -> list[int]:
    """Processes of this user that inherited a worker's mark (Linux ``/proc``)."""
    needle = f"{SANDBOX_MARK}={mark}".encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError), open(f"/proc/{entry.name}/environ", "rb") as env:
                if needle in env.read():
                    found.append(int(entry.name))
    return found
