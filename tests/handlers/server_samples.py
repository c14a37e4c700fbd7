"""Handlers for the local gateway's tests: an echo, and every way to misbehave."""

import base64
import ctypes
import json
import os
import sys
import time
from typing import Any

CALLS = {"count": 0}


def echo(event: dict[str, Any], context: Any) -> Any:
    """Returns the JSON value the request body holds: any result, over real HTTP.

    ``{"__raise__": "message"}`` raises instead, for function-error cases.
    """
    body = event.get("body") or "null"
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    value = json.loads(body)
    if isinstance(value, dict) and "__raise__" in value:
        raise Exception(value["__raise__"])
    return value


def ok(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 200, "body": json.dumps({"pid": os.getpid()})}


def counter(event: dict[str, Any], context: Any) -> Any:
    CALLS["count"] += 1
    return {"statusCode": 200, "body": json.dumps({"count": CALLS["count"], "pid": os.getpid()})}


def hang(event: dict[str, Any], context: Any) -> Any:
    time.sleep(600)


def exits(event: dict[str, Any], context: Any) -> Any:
    sys.exit(2)


def hard_exit(event: dict[str, Any], context: Any) -> Any:
    os._exit(7)


def segfault(event: dict[str, Any], context: Any) -> Any:
    ctypes.string_at(0)


def slow(event: dict[str, Any], context: Any) -> Any:
    time.sleep(2)
    return {"statusCode": 200}


def spawns_and_hangs(event: dict[str, Any], context: Any) -> Any:
    """Starts a child process, prints, then outlives its timeout."""
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    with open(event["queryStringParameters"]["pidfile"], "w") as handle:
        handle.write(str(child.pid))
    print("started", child.pid)
    time.sleep(60)


def prints(event: dict[str, Any], context: Any) -> Any:
    print("hello from the handler")
    return {"statusCode": 200, "body": "printed"}


def bad_header_name(event: dict[str, Any], context: Any) -> Any:
    return {"statusCode": 200, "headers": {"Bad Name": "x"}, "body": "ok"}


def closes_its_pipe(event: dict[str, Any], context: Any) -> Any:
    """Closes every inherited descriptor (the worker's pipe too), then runs on."""
    os.closerange(3, 1024)
    while True:
        time.sleep(0.1)


def prints_event(event: dict[str, Any], context: Any) -> Any:
    """Prints its event, as handlers often do: a Python repr in the function's log."""
    print(event)
    return {"statusCode": 200, "body": "printed"}


def digest(event: dict[str, Any], context: Any) -> Any:
    """The SHA-256 and size of the body it got (decoded when base64): shows a body
    of any size arrived whole, without sending it back (results stop at 6 MB)."""
    import hashlib

    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    answer = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "isBase64Encoded": event.get("isBase64Encoded"),
    }
    return {"statusCode": 200, "body": json.dumps(answer)}
