"""Handlers in this very process, one at a time on one thread, for debuggers.

Worker processes are what make ``serve`` faithful (isolation, timeouts, memory),
and also what keeps ``breakpoint()``, debugpy and IDE debuggers from reaching a
handler.  ``serve --debug`` and ``invoke --debug`` trade the isolation for that:
handlers run here, with their function's environment applied around each call,
and no timeout is enforced (a breakpoint can wait as long as you need).
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .bootstrap import Loaded, not_imported
from .environment import Environment, applied
from .handlers import HandlerNotFound, load_handler
from .invocation import Handler, Invocation, LambdaContext, call_handler
from .pool import Job

#: what the start-up message says, so the trade is never a surprise
WARNING = (
    "--debug: handlers run in this process, one at a time on one thread, without "
    "isolation (a crash or sys.exit ends the server) and without timeouts; "
    "breakpoint() and debuggers work"
)


class InProcessPool:
    """The worker pool's interface, backed by one thread of this process."""

    def __init__(self, base: Path | None = None, *, inherit_shell: bool = False) -> None:
        self.base = base or Path.cwd()
        self.inherit_shell = inherit_shell
        self.replaced = 0
        self._thread: ThreadPoolExecutor | None = None
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._own_modules: set[str] = set()
        self._loaded = Loaded()

    async def start(self) -> None:
        self._thread = ThreadPoolExecutor(1, "apigw-doctor-handler", _own_event_loop)
        self._own_modules = set(sys.modules)

    async def stop(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=False, cancel_futures=True)

    async def restart(self) -> None:
        """``--reload``: forget the loaded handlers and the project's modules (never
        installed packages or this tool's), so the next call imports the new code."""
        self._forget()
        for name in set(sys.modules) - self._own_modules:
            path = getattr(sys.modules.get(name), "__file__", None) or ""
            if "site-packages" not in path and "dist-packages" not in path:
                sys.modules.pop(name, None)

    def _forget(self) -> None:
        """Drop the handlers and the modules imported from their folders."""
        self._handlers.clear()
        self._loaded.forget()
        self._loaded = Loaded()

    async def run(self, job: Job, timeout: float) -> Invocation:
        """Run ``job`` on the handler thread; ``timeout`` is not enforced (debugging)."""
        assert self._thread is not None, "start() the pool first"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._call, job)

    def _call(self, job: Job) -> Invocation:
        environment = job.environment
        base = environment.cwd if environment and environment.cwd else self.base
        environment = environment or Environment()
        with applied(environment, self.inherit_shell):
            key = (job.target, str(base))
            if key in self._handlers and self._loaded.changed():
                self._forget()  # an edit since the import: the next request sees it
            try:
                if key not in self._handlers:
                    self._handlers[key] = load_handler(job.target, base=base)
                    folders = tuple(str(p) for p in environment.paths) or (str(base),)
                    self._loaded.remember(folders)
            except HandlerNotFound as exc:
                return not_imported(exc, job.request_id)
            if job.import_only:
                return Invocation(b"", None, job.request_id, 0.0)
            context = LambdaContext(
                job.function_name,
                timeout_seconds=job.timeout_seconds,
                memory_limit_in_mb=job.memory_mb or 128,
                request_id=job.request_id,
            )
            return call_handler(self._handlers[key], job.event, context, job.runtime)


def _own_event_loop() -> None:
    """Asyncio adapters (Mangum) look for the thread's event loop, as on Lambda."""
    asyncio.set_event_loop(asyncio.new_event_loop())
