"""The request inspector: what the last requests sent, got back and why."""

from __future__ import annotations

import base64
import functools
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..rules import Verdict


@dataclass
class Record:
    """One request as the inspector shows it."""

    id: int
    request_id: str
    time: float
    method: str
    path: str
    api: str
    function: str | None
    duration_ms: float
    verdict: Verdict
    event: dict[str, Any] | None = None
    function_error: str | None = None
    log_lines: list[str] = field(default_factory=list)
    #: what the function printed, and its traceback (the function's own log)
    function_log: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "requestId": self.request_id,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "api": self.api,
            "function": self.function,
            "status": self.verdict.status,
            "failed": self.verdict.failed,
            "durationMs": round(self.duration_ms, 2),
            "errors": [f.code for f in self.verdict.errors],
        }

    def detail(self) -> dict[str, Any]:
        payload = self.verdict.payload
        try:
            result = payload.decode("utf-8") if payload is not None else None
            encoding = "text"
        except UnicodeDecodeError:
            result = base64.b64encode(payload or b"").decode("ascii")
            encoding = "base64"
        return {
            **self.summary(),
            "event": self.event,
            "result": result,
            "resultEncoding": encoding,
            "functionError": self.function_error,
            "response": self.verdict.as_json(),
            "log": self.log_lines,
            "functionLog": self.function_log,
        }


class History:
    """The most recent requests, newest first, bounded so memory stays flat."""

    def __init__(self, size: int = 200) -> None:
        self._records: deque[Record] = deque(maxlen=size)
        self._ids = itertools.count(1)

    def add(self, **fields: Any) -> Record:
        record = Record(id=next(self._ids), time=time.time(), **fields)
        self._records.appendleft(record)
        return record

    def recent(self) -> list[Record]:
        return list(self._records)

    def get(self, record_id: int) -> Record | None:
        return next((r for r in self._records if r.id == record_id), None)


@functools.cache
def page() -> str:
    """The inspector's HTML, read from the package once."""
    return resources.files("apigw_doctor.server").joinpath("inspector.html").read_text("utf-8")
