"""Whether a failed invocation says something about the handler, or only about this
machine: one reading for ``scan``, ``serve`` and ``invoke``.

A handler that needs a package the handlers' Python lacks, an AWS account that was
withheld, a file system Lambda mounts or a variable the deployment sets elsewhere is
*not checked here*: the cause and the exact fix, never "would fail".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .. import _json as json_text
from ..project.model import Function
from .credentials import AwsCall
from .interpreter import install_hint
from .invocation import ImportFailure, Invocation

_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_MOUNTED = re.compile(r"'(/mnt/[^']*|/opt/[^']*|/efs[^']*)'")
#: what boto3 raises when it has no account or no endpoint to talk to
_AWS_UNREACHABLE = frozenset(
    {
        "NoCredentialsError",
        "PartialCredentialsError",
        "NoRegionError",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ConnectionClosedError",
        "ProfileNotFound",
    }
)
#: what Python and requests raise when a host cannot be reached from here
_NETWORK_UNREACHABLE = frozenset(
    {
        "ConnectionError",
        "ConnectTimeout",
        "ReadTimeout",
        "URLError",
        "gaierror",
        "NameResolutionError",
        "MaxRetryError",
        "NewConnectionError",
        "ConnectionRefusedError",
    }
)
_AWS_OPTIONS = "--mock-aws runs it against moto, --aws against your account"


def error_of(invocation: Invocation) -> dict[str, Any] | None:
    """Lambda's error object of a failed invocation (None: it did not fail)."""
    if not invocation.function_error:
        return None
    try:
        error = json_text.loads(invocation.payload)
    except ValueError:
        return None
    return error if isinstance(error, dict) else None


def error_text(invocation: Invocation) -> str:
    """``errorType: errorMessage`` of a failed invocation, short."""
    error = error_of(invocation)
    if error is None:
        return invocation.payload[:200].decode("utf-8", "replace")
    return f"{error.get('errorType')}: {str(error.get('errorMessage'))[:200]}"


def timed_out(invocation: Invocation) -> bool:
    return b'"Sandbox.Timedout"' in invocation.payload


def aws_calls(calls: Sequence[AwsCall], when: str = "the handler called") -> str | None:
    """The AWS calls a withheld account refused, as the reason for no verdict."""
    if not calls:
        return None
    named = ", ".join(str(c) for c in calls[:5]) + (" ..." if len(calls) > 5 else "")
    return f"{when} AWS: {named} ({_AWS_OPTIONS})"


def code_missing(function: Function) -> str | None:
    """Why the handler's code is not here to run (built, downloaded or generated at
    deploy time), if it is not."""
    if function.code_unknown:
        return function.code_unknown
    if function.generated_code is not None:
        return None  # written out before the run (serverless-wsgi's handler)
    module = function.module_path
    if module.is_file() or (module.with_suffix("") / "__init__.py").is_file():
        return None
    handler = function.handler or ""
    if handler.endswith(".sh") or (function.code_dir / handler).is_file():
        return (
            f"Handler {handler} is a script (a Lambda Web Adapter or custom bootstrap), "
            "not a Python module"
        )
    if not function.code_dir.is_dir():
        return f"its code folder {function.code_dir} is not in this checkout (built elsewhere?)"
    return (
        f"Handler {handler} names {module}, which is not in this checkout "
        "(generated or copied at build time?); if it is missing from the deployment too, "
        "every request fails with Runtime.ImportModuleError"
    )


def not_importable(
    loaded: Invocation, python: str, *, templated: bool, calls: Sequence[AwsCall] = ()
) -> tuple[str | None, str | None]:
    """(not checked here, fails) for a handler that did not import: at most one is set."""
    failure = loaded.import_failure
    if failure is None and timed_out(loaded):  # a slow machine is not a broken handler
        return "importing it took longer than the time given here (--timeout)", None
    if failure is None:
        return None, f"importing the handler failed: {error_text(loaded)}"
    unchecked = (
        _missing_package(failure, python)
        or missing_variable(failure.cause, failure.name, templated)
        or aws_calls(calls, "importing it called")
        or _unreachable(failure.cause, "importing it")
    )
    return (unchecked, None) if unchecked else (None, failure.message)


def not_checked(
    invocation: Invocation,
    *,
    templated: bool,
    body_sent: bool = False,
    calls: Sequence[AwsCall] = (),
) -> str | None:
    """Why a call that failed says nothing about the handler, if that is so."""
    if calls:
        return aws_calls(calls)
    error = error_of(invocation)
    if error is None:
        return None
    kind = str(error.get("errorType"))
    message = str(error.get("errorMessage", ""))
    if kind == "KeyError":
        name = message.strip("'\"")
        read_environ = "<frozen os>" in invocation.log or "os.environ" in invocation.log
        if read_environ:
            return missing_variable(kind, name, templated, when="calling")
        if body_sent:
            return (
                f"the handler needs the field {message} in the request body, and the body "
                "sent had no valid input for it (none is known here); a client that leaves "
                "it out gets a 502 here: answer 400 for missing fields"
            )
        return None
    return (
        _unreachable(kind, "the handler", f"{kind}: {message[:200]}")
        or _mount(kind, message)
        or _missing_program(error)
    )


def _mount(kind: str, message: str) -> str | None:
    """A handler that reads a file system Lambda mounts (EFS under /mnt, layers under
    /opt), absent on this machine."""
    if kind not in ("FileNotFoundError", "PermissionError", "NotADirectoryError"):
        return None
    found = _MOUNTED.search(message)
    if not found:
        return None
    return (
        f"the handler uses {found.group(1)}, on a file system Lambda mounts (EFS, layers "
        "under /opt) that this machine does not have"
    )


_NO_SUCH_FILE = re.compile(r"No such file or directory: '([^']+)'")


def _missing_program(error: dict[str, Any]) -> str | None:
    """A program the handler starts (``subprocess.run(["ffmpeg", ...])``) that this
    machine lacks: on Lambda a container image, a layer or the runtime may have it,
    so its absence here says nothing about the handler."""
    if error.get("errorType") != "FileNotFoundError":
        return None
    trace = error.get("stackTrace")
    if not isinstance(trace, list) or not any("_execute_child" in str(t) for t in trace):
        return None  # not raised while starting a program
    found = _NO_SUCH_FILE.search(str(error.get("errorMessage", "")))
    program = repr(found.group(1)) if found else "a program"
    return (
        f"the handler runs {program}, which this machine does not have (on Lambda the "
        "function's container image or a layer may provide it)"
    )


def missing_variable(kind: str, name: str, templated: bool, when: str = "importing") -> str | None:
    """Code that reads an environment variable nothing here sets: it fails in Lambda too
    unless the deployment sets it outside the template."""
    if kind != "KeyError" or not _VARIABLE_NAME.fullmatch(name):
        return None
    where = (
        "the template does not set it (add it to the function's Environment Variables, "
        "or, if the deployment sets it elsewhere, "
        if templated
        else "no template sets it ("
    )
    return (
        f"{when} it reads the environment variable {name}, and {where}give it with "
        f'--env-vars FILE: {{"Parameters": {{"{name}": "..."}}}})'
    )


def _missing_package(failure: ImportFailure, python: str) -> str | None:
    if failure.cause == "InstalledVersion" and failure.name:
        return (
            f"importing it fails with the version of {failure.name!r} installed in the "
            f"Python that runs the handlers ({python}): {failure.message.rpartition(': ')[2]}; "
            + install_hint(python)
        )
    if failure.cause != "ModuleNotFoundError" or not failure.name:
        return None
    distribution = _DISTRIBUTIONS.get(failure.name.partition(".")[0])
    if distribution is not None:
        what, name = distribution
        return (
            f"importing it needs {what} ({failure.name!r}), which is not installed in the "
            f"Python that runs the handlers ({python}): {python} -m pip install {name}"
        )
    return (
        f"importing it needs the package {failure.name!r}, which is not installed in the "
        f"Python that runs the handlers ({python}); " + install_hint(python)
    )


#: modules whose package has another name on PyPI, or that a deployment tool adds to
#: the package rather than the requirements: what it is, and the pip name
_DISTRIBUTIONS = {
    "serverless_wsgi": (
        "the serverless-wsgi package, whose handle_request the generated handler calls",
        "serverless-wsgi",
    ),
    "awsgi": ("the aws-wsgi package", "aws-wsgi"),
    "apig_wsgi": ("the apig-wsgi package", "apig-wsgi"),
}


def _unreachable(kind: str, who: str, shown: str = "") -> str | None:
    shown = shown or kind
    if kind in _AWS_UNREACHABLE:
        return (
            f"{who} called AWS ({shown}), which is withheld here so that nothing real is "
            f"changed ({_AWS_OPTIONS})"
        )
    if kind in _NETWORK_UNREACHABLE:
        return f"{who} needed a host this machine cannot reach ({shown})"
    return None
