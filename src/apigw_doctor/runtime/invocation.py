"""Running a Python handler the way the Lambda Python runtime does.

The runtime serialises the return value with its own encoder (``encoder``,
simplejson's rules, not ``json.dumps``); what it cannot serialise, and any
exception, becomes Lambda's error object with a function error flag.
Reproducing that exactly is what makes a handler that "works in the console"
fail here the way it fails behind API Gateway, and no more often.

Standard library only, Python 3.9 syntax: the worker process imports this
module inside the project's own Python, where apigw-doctor is not installed.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .encoder import MarshalError, marshal

Handler = Callable[[dict[str, Any], Any], Any]


class LambdaContext:
    """The ``context`` object of the Python runtime, with a real deadline."""

    def __init__(
        self,
        function_name: str = "handler",
        *,
        timeout_seconds: float = 3.0,
        memory_limit_in_mb: int = 128,
        request_id: str | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = _log_stream(function_name)
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


#: each function's log stream name in this process (made on first use): Lambda names
#: one stream per execution environment, so the invocations a warm worker serves for
#: a function write to the same one (and no random id is drawn per call)
_LOG_STREAMS: dict[str, str] = {}


def _log_stream(function_name: str) -> str:
    stream = _LOG_STREAMS.get(function_name)
    if stream is None:
        stream = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        _LOG_STREAMS[function_name] = stream
    return stream


@dataclass(frozen=True)
class Invocation:
    """What Lambda hands API Gateway: a payload, and whether the function failed."""

    payload: bytes
    function_error: str | None
    request_id: str
    duration_ms: float
    #: the handler's own return value (before serialisation), for diagnostics
    returned: Any = field(default=None, repr=False)
    #: the traceback of an unhandled exception, as the function's log shows it
    log: str = ""
    #: the handler could not be imported: why (the worker's reading of the cause)
    import_failure: ImportFailure | None = None
    #: the worker that ran it must not be reused (it ran out of memory)
    fatal: bool = False


@dataclass(frozen=True)
class ImportFailure:
    """Why a handler did not import, precisely enough to tell a missing package or
    environment variable (not checked here) from a broken module (would fail)."""

    message: str
    cause: str = ""  # the exception's type: ModuleNotFoundError, KeyError...
    name: str = ""  # the missing module, or the key that was not found


def serialise(value: Any, request_id: str, runtime: str | None = None) -> tuple[bytes, str | None]:
    """The payload as the runtime posts it; failure is Runtime.MarshalError."""
    try:
        return marshal(value, runtime=runtime), None
    except MarshalError as exc:
        error = {
            "errorMessage": exc.message,
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        return json.dumps(error).encode("utf-8"), "Unhandled"


def error_object(exc: BaseException, request_id: str) -> dict[str, Any]:
    """Lambda's error object for an exception that escaped the handler."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # drop the runtime's own frame
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def call_handler(
    handler: Handler, event: dict[str, Any], context: LambdaContext, runtime: str | None = None
) -> Invocation:
    """Call ``handler`` once, in this process, as the Lambda runtime would (``runtime``,
    the function's ``Runtime``, decides how non-ASCII text is written)."""
    start = time.perf_counter()
    request_id = context.aws_request_id
    try:
        returned = handler(event, context)
    except SystemExit as exc:  # sys.exit() in a handler ends Lambda's runtime process
        error = {
            "errorType": "Runtime.ExitError",
            "requestId": request_id,
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
            f"exit status {exc.code if exc.code is not None else 0}",
        }
        return Invocation(
            json.dumps(error).encode("utf-8"),
            "Unhandled",
            request_id,
            _ms(start),
            log=_traceback(exc),
        )
    except Exception as exc:  # the runtime reports every exception the same way
        payload = json.dumps(error_object(exc, request_id)).encode("utf-8")
        log = _traceback(exc)
        return Invocation(payload, "Unhandled", request_id, _ms(start), log=log)
    payload, function_error = serialise(returned, request_id, runtime)
    return Invocation(payload, function_error, request_id, _ms(start), returned=returned)


def out_of_memory(request_id: str, memory_mb: int) -> Invocation:
    """What Lambda reports when the function outgrows its memory: the runtime is
    killed, so no handler code can catch it."""
    error = {
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
        "errorType": "Runtime.OutOfMemory",
    }
    log = f"the function used more than its {memory_mb} MB (MemorySize)\n"
    return Invocation(
        json.dumps(error).encode("utf-8"), "Unhandled", request_id, 0.0, log=log, fatal=True
    )


def timed_out(request_id: str, seconds: float) -> Invocation:
    """What Lambda reports when the function outlives its timeout (F3)."""
    error = {
        "errorMessage": f"{request_id} Task timed out after {seconds:.2f} seconds",
        "errorType": "Sandbox.Timedout",
    }
    return Invocation(json.dumps(error).encode("utf-8"), "Unhandled", request_id, seconds * 1000)


def _traceback(exc: BaseException) -> str:
    """The traceback as the function's log shows it: from the handler's own frame, as
    Lambda's runtime leaves its own frames out (the error object's stackTrace too)."""
    frames = exc.__traceback__
    return "".join(traceback.format_exception(type(exc), exc, frames.tb_next if frames else None))


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
