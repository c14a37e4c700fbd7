"""The inside of a worker: a Lambda execution environment in the project's Python.

A worker is ``python -c LAUNCHER`` in whatever Python runs the project's code (its
``.venv``, ``--python``...), where apigw-doctor is not installed: so this module,
and the few it imports (``runtime``, ``encoder``, ``handlers``), use the standard
library only and Python 3.9 syntax.  The launcher makes them a private package.

The protocol, on two descriptors the handler cannot reach (its stdin is
/dev/null; its stdout and stderr are a file that becomes the function log):
- a job: two 4-byte lengths, then its JSON and (a large event body) the raw body;
- an answer: two 4-byte lengths, then a JSON header and the payload bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .handlers import HandlerNotFound, load_handler
from .invocation import (
    Handler,
    ImportFailure,
    Invocation,
    LambdaContext,
    call_handler,
    out_of_memory,
)

#: the function log kept per invocation: its first and last halves of this
LOG_LIMIT = 65_536
#: a job: the size of its JSON, then of the raw event body after it (pool.RAW_BODY_FROM)
_JOB = struct.Struct("!II")
_ANSWER = struct.Struct("!II")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: how often the memory watchdog looks at the worker's resident size
_WATCH_SECONDS = 0.02
#: how long the watchdog keeps looking after the last call before it sleeps
_IDLE_SECONDS = 1.0
_PR_SET_CHILD_SUBREAPER = 36

#: (a check writes nothing into the user's project: no __pycache__ beside their code)
LAUNCHER = """
import importlib, sys, types
sys.dont_write_bytecode = True
sys.path[:] = [p for p in sys.path if p not in ('', '.')]
package = types.ModuleType('_apigw_doctor_worker')
package.__path__ = [sys.argv[1]]
sys.modules['_apigw_doctor_worker'] = package
importlib.import_module('_apigw_doctor_worker.bootstrap').main()
"""


@dataclass
class _Function:
    """What is in force for the function this worker last ran."""

    key: str
    folders: tuple[str, ...]
    environment: dict[str, Any]


def main() -> None:
    """Serve jobs until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    become_subreaper()
    jobs = os.fdopen(os.dup(0), "rb", buffering=0)
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    log = _capture_output()
    worker = _Worker(answers, log)
    reader = _JobReader(jobs)
    while True:
        job = reader.next()
        if job is None:
            return
        worker.run(job)


def _capture_output() -> BinaryIO:
    """The handler's stdout and stderr (and its children's) go to a file, read back
    into the function log: nothing it prints can fill a pipe and block the worker."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    log = tempfile.TemporaryFile()  # noqa: SIM115 (open for the worker's whole life)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    return log


def _plain_encoder() -> Callable[[Any], str]:
    """``json.dumps`` with its default settings, without the set-up it does per call
    (the same C encoder, so the same text); plain ``json.dumps`` where there is none."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.dumps
    encode = make(
        None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii,
        None, ": ", ", ", False, False, True,
    )  # fmt: skip

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    return dumps


#: ``json.dumps(value)`` for values known not to be circular (the answer header here;
#: the job and the access log line in the gateway)
plain_dumps = _plain_encoder()


class _JobReader:
    """Jobs off the pipe: a job's JSON, then (a large event body) the body's UTF-8, put
    back in the event.  A small job arrives whole in one read, the usual case: one
    system call per job instead of two (its header, then the rest)."""

    #: what one read asks for (a small job and its header fit in it)
    FIRST = 64 * 1024

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.pending = b""  # read past the last job (never, while jobs come one at a time)

    def next(self) -> dict[str, Any] | None:
        data = self._at_least(_JOB.size)
        if data is None:
            return None
        size, raw_size = _JOB.unpack_from(data)
        end = _JOB.size + size + raw_size
        data = self._at_least(end)
        if data is None:
            return None
        self.pending = data[end:]
        job: dict[str, Any] = json.loads(data[_JOB.size : _JOB.size + size])
        if raw_size:
            job["event"]["body"] = data[_JOB.size + size : end].decode("utf-8", "surrogatepass")
        return job

    def _at_least(self, size: int) -> bytes | None:
        """What is pending, read up to at least ``size`` bytes; None: the pipe closed."""
        data = self.pending
        if len(data) >= size:
            return data
        chunks = [data] if data else []
        have = len(data)
        while have < size:
            chunk = self.stream.read(max(size - have, self.FIRST))
            if not chunk:
                return None
            chunks.append(chunk)
            have += len(chunk)
        self.pending = data = b"".join(chunks)
        return data


def _write_all(stream: BinaryIO, data: bytes) -> None:
    """An unbuffered write may take part of the data (a signal, a full pipe)."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        view = view[written or 0 :]


class _Worker:
    def __init__(self, answers: BinaryIO, log: BinaryIO) -> None:
        self.answers = answers
        self.log = log
        self.own_environ = dict(os.environ)
        self.handlers: dict[tuple[str, str], Handler] = {}
        self.current: _Function | None = None
        self.parked: dict[str, dict[str, Any]] = {}  # other functions' own modules
        self.watchdog = _Watchdog(self)
        self.loaded = Loaded()
        self.lock = threading.Lock()  # one answer per job, from the loop or the watchdog
        self.answered = False

    def run(self, job: dict[str, Any]) -> None:
        self._enter(job)
        request_id = str(job["request_id"])
        self.answered = False
        memory_mb = int(job.get("memory_mb") or 0)
        before = set(descendants())  # started at import: warm state, as in Lambda
        self.watchdog.arm(request_id, memory_mb)
        try:
            invocation = self._invoke(job)
        finally:
            self.watchdog.disarm()
        children = _has_children()  # one system call: both checks below need it
        if memory_mb and self.watchdog.peaked(children):  # between two looks, or holding the GIL
            invocation = out_of_memory(request_id, memory_mb)
        if children:
            end_processes([pid for pid in descendants() if pid not in before])
        self.answer(invocation)

    def _invoke(self, job: dict[str, Any]) -> Invocation:
        request_id = str(job["request_id"])
        environment = job.get("environment") or {}
        base = str(environment.get("cwd") or job["base"])
        key = (str(job["target"]), base)
        if key in self.handlers and self.loaded.changed():
            self._forget_code()  # an edit since the import: the next request sees it
        try:
            if key not in self.handlers:
                self.handlers[key] = load_handler(key[0], base=Path(base))
                self.loaded.remember(self._folders(base))
        except HandlerNotFound as exc:
            return not_imported(exc, request_id)
        if job.get("import_only"):
            return Invocation(b"", None, request_id, 0.0)
        context = LambdaContext(
            str(job["function_name"]),
            timeout_seconds=float(job["timeout_seconds"]),
            memory_limit_in_mb=int(job.get("memory_mb") or 128),
            request_id=request_id,
            region=os.environ.get("AWS_REGION", "us-east-1"),
        )
        return call_handler(self.handlers[key], job["event"], context, job.get("runtime"))

    def answer(self, invocation: Invocation) -> bool:
        """Send the answer to this job, unless it has been sent: True if this call did."""
        with self.lock:
            if self.answered:
                return False
            self.answered = True
            sys.stdout.flush()
            sys.stderr.flush()
            printed = self._take_log()
            header: dict[str, Any] = {
                "function_error": invocation.function_error,
                "request_id": invocation.request_id,
                "duration_ms": invocation.duration_ms,
                "log": printed + invocation.log,
                "fatal": invocation.fatal,
            }
            failure = invocation.import_failure
            if failure is not None:
                header["import_failure"] = [failure.message, failure.cause, failure.name]
            encoded = plain_dumps(header).encode("utf-8")
            _write_all(
                self.answers,
                _ANSWER.pack(len(encoded), len(invocation.payload)) + encoded + invocation.payload,
            )
            return True

    def _take_log(self) -> str:
        """This invocation's output; of a long one the start and the end (where the
        traceback is), never all of it in memory."""
        size = self.log.seek(0, os.SEEK_END)
        if not size:
            return ""
        self.log.seek(0)
        if size <= LOG_LIMIT:
            kept = self.log.read(size)
        else:
            half = LOG_LIMIT // 2
            head = self.log.read(half)
            self.log.seek(size - half)
            cut = f"\n[... {size - LOG_LIMIT:,} bytes of function log cut ...]\n"
            kept = head + cut.encode() + self.log.read(half)
        self.log.seek(0)
        self.log.truncate()
        return kept.decode("utf-8", "replace")

    def _enter(self, job: dict[str, Any]) -> None:
        """Each function sees its own variables, path, folder and modules: a worker may
        serve several functions of a template, as Lambda's containers never do."""
        environment = job.get("environment") or {}
        if self.current is not None and self.current.environment == environment:
            return  # the usual case: the same function again (a dict comparison)
        key = json.dumps(environment, sort_keys=True)
        paths = [str(p) for p in environment.get("paths") or ()]
        self._swap_modules(self.current, key, paths)
        os.environ.clear()
        os.environ.update(self.own_environ)
        os.environ.update(environment.get("variables") or {})
        previous = set(self.current.folders) if self.current else set()
        sys.path[:] = paths + [p for p in sys.path if p not in paths and p not in previous]
        os.chdir(environment.get("cwd") or job["base"])
        self.current = _Function(key, tuple(paths), environment)

    def _folders(self, base: str) -> tuple[str, ...]:
        """Where the function's own code lives (its code folder and layers)."""
        return (self.current.folders if self.current else ()) or (base,)

    def _forget_code(self) -> None:
        """Drop the handlers and every module imported from the function's folders, so
        they are imported again from the files as they are now."""
        self.loaded.forget()
        self.handlers.clear()
        self.loaded = Loaded()

    def _swap_modules(self, leaving: _Function | None, key: str, paths: list[str]) -> None:
        """Park the modules the last function imported from its own folders, and bring
        back this function's: two functions' ``app`` modules stay two modules."""
        if leaving is not None:
            own = {
                name: module
                for name, module in list(sys.modules.items())
                if _inside(getattr(module, "__file__", None), leaving.folders)
            }
            for name in own:
                del sys.modules[name]
            self.parked[leaving.key] = own
        sys.modules.update(self.parked.pop(key, {}))


class Loaded:
    """The files of the function's own modules and when they were last changed, so an
    edit is seen by the next request, in every worker (never old and new code in turn)."""

    def __init__(self) -> None:
        self.folders: tuple[str, ...] = ()
        self.files: dict[str, float] = {}

    def remember(self, folders: tuple[str, ...]) -> None:
        self.folders = tuple(dict.fromkeys((*self.folders, *folders)))
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if path and path not in self.files and _inside(path, self.folders):
                self.files[path] = _mtime(path)

    def changed(self) -> bool:
        return any(_mtime(path) != seen for path, seen in self.files.items())

    def forget(self) -> None:
        """Remove every module imported from the folders, to be imported afresh."""
        for name, module in list(sys.modules.items()):
            if _inside(getattr(module, "__file__", None), self.folders):
                del sys.modules[name]


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


def become_subreaper() -> None:
    """Orphans of the handler's processes (a daemon that started its own session)
    become this worker's children, so they are counted and ended with it (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def descendants() -> list[int]:
    """Every process this worker started, and theirs (Linux ``/proc``)."""
    if not _has_children():
        return []  # the usual case, told by one system call instead of a walk of /proc
    found: list[int] = []
    todo = [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                    pids = [int(c) for c in children.read().split()]
            except OSError:
                continue
            found.extend(pids)
            todo.extend(pids)
    return found


def _has_children() -> bool:
    """Whether any process is this worker's child (a handler's, or an orphan that came
    to this subreaper): ``waitid`` without waiting, which also sees the children of
    every thread of the worker.  Where it cannot tell, assume there are some."""
    waitid = getattr(os, "waitid", None)
    if waitid is None:
        return True
    try:
        waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    except OSError:
        return True
    return True


def end_processes(pids: list[int]) -> None:
    """End what the invocation started and left running, as Lambda ends a sandbox."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(OSError):  # not our child (reparented), or reaped already
            os.waitpid(pid, 0)


def _installed(path: str | None) -> bool:
    return bool(path) and any(part in str(path) for part in ("site-packages", "dist-packages"))


def _inside(path: str | None, folders: tuple[str, ...]) -> bool:
    if not path or "site-packages" in path:
        return False
    return any(path.startswith(folder.rstrip("/") + "/") for folder in folders)


def not_imported(exc: HandlerNotFound, request_id: str) -> Invocation:
    """Lambda's Runtime.ImportModuleError, with the cause read closely enough to tell a
    missing package or variable (not checked here) from a broken module."""
    cause = exc.__cause__
    name = ""
    kind = type(cause).__name__ if cause else ""
    if isinstance(cause, ModuleNotFoundError):
        name = cause.name or ""
    elif isinstance(cause, ImportError) and _installed(cause.path):
        # "cannot import name 'x' from 'package'": another version of an installed
        # package than the one the function deploys with
        kind, name = "InstalledVersion", (cause.name or "").split(".")[0]
    elif isinstance(cause, KeyError) and cause.args:
        name = str(cause.args[0])
    error = {
        "errorMessage": f"Unable to import module: {exc}",
        "errorType": "Runtime.ImportModuleError",
        "requestId": request_id,
        "stackTrace": [],
    }
    failure = ImportFailure(str(exc), kind, name)
    return Invocation(
        json.dumps(error).encode("utf-8"),
        "Unhandled",
        request_id,
        0.0,
        import_failure=failure,
    )


class _Watchdog:
    """Lambda kills a function that outgrows its MemorySize; this thread does the
    same to the worker, by its resident size, while a handler runs.

    Kept cheap for the usual short call: the thread looks every ``_WATCH_SECONDS``
    and is not woken by each call (it stays awake while calls keep coming), and the
    peak of a call is read from ``getrusage`` (one system call) unless the worker
    has already been over the limit, when it is reset and read from /proc."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.limit = 0
        self.request_id = ""
        self.active = False  # a call is running under a limit
        self.awake = threading.Event()  # the thread is looking (cleared once idle)
        self.precise = False  # the peak was reset for this call: read VmHWM
        self.usable = os.path.exists("/proc/self/statm")
        if self.usable:
            threading.Thread(target=self._watch, daemon=True).start()

    def arm(self, request_id: str, memory_mb: int) -> None:
        if not (self.usable and memory_mb > 0):
            self.limit = 0
            return
        self.request_id = request_id
        self.limit = memory_mb * 1024 * 1024
        # below the limit so far: a peak over it now can only be this call's
        self.precise = _max_resident_bytes() > self.limit
        if self.precise:
            _reset_peak()
        self.active = True
        if not self.awake.is_set():
            self.awake.set()

    def peaked(self, children: bool = True) -> bool:
        """Whether the resident size went over the limit at any moment of the call
        (``children``: whether the worker has any, as ``_has_children`` just said)."""
        if not self.usable or self.limit <= 0:
            return False
        others = _resident_bytes(own=False) if children and _has_children() else 0
        peak = _peak_bytes() if self.precise else _max_resident_bytes()
        return peak + others > self.limit

    def disarm(self) -> None:
        self.active = False

    def _watch(self) -> None:
        idle_since = 0.0
        while True:
            self.awake.wait()
            time.sleep(_WATCH_SECONDS)
            if not self.active:
                now = time.monotonic()
                idle_since = idle_since or now
                if now - idle_since > _IDLE_SECONDS:
                    self.awake.clear()  # no calls for a while: sleep until the next
                    idle_since = 0.0
                    if self.active:  # armed between the look and the clear
                        self.awake.set()
                continue
            idle_since = 0.0
            if _resident_bytes() > self.limit and self.active:
                report = out_of_memory(self.request_id, self.limit // 2**20)
                if self.worker.answer(report):
                    os.killpg(0, signal.SIGKILL)  # the worker and what its handler started


def _reset_peak() -> None:
    """Start the high-water mark afresh for this invocation (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass  # the mark then spans the worker's life: a larger peak, never a smaller


def _peak_bytes() -> int:
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _max_resident_bytes() -> int:
    """The worker's own peak resident size since it started, or since the peak was
    last reset (``getrusage``: a system call, no /proc file to read)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _resident_bytes(own: bool = True) -> int:
    """The resident size of the worker and every process it started: Lambda counts
    the whole sandbox (``own=False``: only the processes it started)."""
    total = 0
    for pid in ("self", *descendants()) if own else descendants():
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total
