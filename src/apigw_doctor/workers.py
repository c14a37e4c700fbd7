"""Warm worker processes that run handlers the way Lambda execution environments do.

One request per worker at a time; module state persists between requests in a
worker (like a warm Lambda container).  A handler that raises, calls
``sys.exit``/``os._exit``, crashes the interpreter or never returns costs only
its own request: the worker is replaced and the pool keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import traceback
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .environment import Environment
from .handlers import HandlerNotFound, load_handler
from .runtime import Handler, Invocation, LambdaContext, invoke, timed_out

_CONTEXT = multiprocessing.get_context("spawn")  # a clean interpreter, as Lambda starts one


@dataclass(frozen=True)
class Job:
    """What a worker needs for one invocation."""

    target: str
    event: dict[str, Any]
    request_id: str
    function_name: str
    timeout_seconds: float
    environment: Environment | None = None


def _bounded(text: str, limit: int = 65_536) -> str:
    return text if len(text) <= limit else text[:limit] + "\n[... function log cut]\n"


def _enter(environment: Environment | None, own_environ: dict[str, str], base: Path) -> None:
    """Each invocation sees its own function's variables, path and folder (a worker
    may serve several functions of a template, as Lambda's containers never do)."""
    os.environ.clear()
    os.environ.update(own_environ)
    if environment is None:
        os.chdir(base)
        return
    os.environ.update(environment.variables)
    for folder in reversed(environment.paths):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    os.chdir(environment.cwd or base)


def _worker_main(connection: multiprocessing.connection.Connection, base: str) -> None:
    """The worker's loop: receive a job, run it, send back the Invocation."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    os.setpgid(0, 0)  # its own process group: what a handler starts ends with it
    os.chdir(base)
    own_environ = dict(os.environ)
    entered: tuple[Environment | None] | None = None  # the environment now in force
    handlers: dict[str, Handler] = {}
    while True:
        try:
            job: Job = connection.recv()
        except (EOFError, OSError):
            return
        if entered is None or entered[0] != job.environment:
            _enter(job.environment, own_environ, Path(base))
            entered = (job.environment,)
        context = LambdaContext(
            job.function_name, timeout_seconds=job.timeout_seconds, request_id=job.request_id
        )
        try:
            printed = io.StringIO()  # the function's log, never the server's output
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                if job.target not in handlers:
                    handlers[job.target] = load_handler(job.target, base=Path(base))
                result = invoke(handlers[job.target], job.event, context)
            result = replace(result, log=_bounded(printed.getvalue()) + result.log)
        except HandlerNotFound as exc:
            error = {
                "errorMessage": f"Unable to import module: {exc}",
                "errorType": "Runtime.ImportModuleError",
                "requestId": job.request_id,
                "stackTrace": [],
            }
            result = Invocation(
                json.dumps(error).encode(),
                "Unhandled",
                job.request_id,
                0.0,
                log=traceback.format_exc(),
            )
        connection.send(
            Invocation(
                result.payload,
                result.function_error,
                result.request_id,
                result.duration_ms,
                log=result.log,
            )
        )


class _Worker:
    def __init__(self, base: Path) -> None:
        self.connection, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(
            target=_worker_main, args=(child, str(base)), daemon=True
        )
        self.process.start()
        child.close()

    def kill(self) -> None:
        """End the worker and whatever its handler started; never waits."""
        if self.process.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)  # the handler's children too
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.process.pid, signal.SIGKILL)
        self.connection.close()

    def stop(self) -> None:
        self.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """A fixed number of warm workers; requests wait for a free one."""

    def __init__(self, size: int, base: Path | None = None) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.base = base or Path.cwd()
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._reaping: set[asyncio.Future[None]] = set()
        self.replaced = 0

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self.base)
        self._all.add(worker)
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker at once and start another; the reaping and the new process's
        start-up happen off the event loop, so no handler can freeze the gateway."""
        worker.kill()
        self._all.discard(worker)
        self.replaced += 1
        self._reaping.add(asyncio.ensure_future(self._renew(worker)))

    async def _renew(self, dead: _Worker) -> None:
        try:
            await asyncio.to_thread(dead.process.join, 5)
            fresh = await asyncio.to_thread(_Worker, self.base)
        finally:
            self._reaping = {t for t in self._reaping if not t.done()}
        self._all.add(fresh)
        assert self._idle is not None
        self._idle.put_nowait(fresh)

    async def restart(self) -> None:
        """New workers for every idle one (``--reload``); busy ones finish first."""
        assert self._idle is not None
        for _ in range(self._idle.qsize()):
            self._replace(self._idle.get_nowait())

    async def stop(self) -> None:
        for task in list(self._reaping):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        await asyncio.to_thread(_join_all, list(self._all))
        self._all.clear()

    async def run(self, job: Job, timeout: float) -> Invocation:
        """Run ``job`` on a free worker; a worker that fails or overruns is replaced."""
        assert self._idle is not None, "start() the pool first"
        worker = await self._idle.get()
        try:
            worker.connection.send(job)
            if not await _readable(worker.connection, timeout):
                self._replace(worker)
                return timed_out(job.request_id, timeout)
            result: Invocation = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            # the worker closed its pipe: it died, or its handler closed every descriptor
            # and runs on; wait for it off the loop, briefly, then kill it regardless
            await asyncio.to_thread(worker.process.join, 1.0)
            code = worker.process.exitcode
            self._replace(worker)
            return _exited(job, code)
        except BaseException:
            self._replace(worker)  # cancelled mid-call: the worker's state is unknown
            raise
        self._idle.put_nowait(worker)
        return result


async def _readable(connection: multiprocessing.connection.Connection, timeout: float) -> bool:
    """Wait until the worker answers (or dies: EOF is readable too), without a thread."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    descriptor = connection.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(descriptor, wake)
    try:
        async with asyncio.timeout(timeout):  # cheaper than wait_for: no extra task
            await ready
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(descriptor)


def _join_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.process.join(timeout=5)


def _exited(job: Job, code: int | None) -> Invocation:
    if code is None:  # it cut its own pipe and ran on: killed by the gateway
        error = {
            "errorMessage": f"RequestId: {job.request_id} Error: Runtime exited without "
            "providing a reason",
            "errorType": "Runtime.ExitError",
        }
        return Invocation(json.dumps(error).encode(), "Unhandled", job.request_id, 0.0)
    shown = f"signal {-code}" if code < 0 else f"exit status {code}"
    error = {
        "errorMessage": f"RequestId: {job.request_id} Error: Runtime exited with error: {shown}",
        "errorType": "Runtime.ExitError",
    }
    return Invocation(json.dumps(error).encode(), "Unhandled", job.request_id, 0.0)
