"""The request inspector: what the last requests sent, got back and why."""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from starlette.responses import Response

from ..redaction import redact_data
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
    #: true sizes of what was cut to KEEP_BYTES
    sizes: dict[str, int] = field(default_factory=dict)
    #: the tool's own word: no route matched, why the handler did not import...
    note: str | None = None

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
            "note": self.note,
            "sizes": self.sizes,
            "cut": any(size > KEEP_BYTES for size in self.sizes.values()),
        }


#: what one record keeps of a body, an event's body or a result (the true size is shown)
KEEP_BYTES = 256 * 1024
#: what the whole history may hold
HISTORY_BYTES = 64 * 1024 * 1024


def _cut(data: bytes | None) -> tuple[bytes | None, int]:
    if data is None or len(data) <= KEEP_BYTES:
        return data, 0 if data is None else len(data)
    return data[:KEEP_BYTES], len(data)


def _kept(record: Record) -> int:
    verdict = record.verdict
    body = (record.event or {}).get("body") if isinstance(record.event, dict) else None
    return len(verdict.body) + len(verdict.payload or b"") + len(body or "") + 2048


class History:
    """The most recent requests, newest first, bounded in count and in bytes: a record
    keeps at most KEEP_BYTES of each body (saying how much there was), and the oldest
    go once the whole passes HISTORY_BYTES."""

    def __init__(self, size: int = 200, budget: int = HISTORY_BYTES) -> None:
        self._records: deque[Record] = deque(maxlen=size)
        self._kept: deque[int] = deque(maxlen=size)  # each record's ``_kept``, worked out once
        self._ids = itertools.count(1)
        self.budget = budget
        self.held = 0

    def add(self, **fields: Any) -> Record:
        verdict: Verdict = fields.pop("verdict")
        body, body_size = _cut(verdict.body)
        payload, payload_size = _cut(verdict.payload)
        if body is not verdict.body or payload is not verdict.payload:
            verdict = verdict._replace(body=body or b"", payload=payload)
        event = fields.pop("event", None)
        if isinstance(event, dict) and isinstance(event.get("body"), str):
            text = event["body"]
            if len(text) > KEEP_BYTES:
                event = {**event, "body": text[:KEEP_BYTES], "bodyBytesInRequest": len(text)}
        record = Record(
            id=next(self._ids),
            time=time.time(),
            verdict=verdict,
            event=event,
            sizes={"body": body_size, "result": payload_size},
            **fields,
        )
        if len(self._records) == self._records.maxlen:
            self.held -= self._kept[-1]
        kept = _kept(record)
        self._records.appendleft(record)
        self._kept.appendleft(kept)
        self.held += kept
        while self.held > self.budget and len(self._records) > 1:
            self._records.pop()
            self.held -= self._kept.pop()
        return record

    def recent(self) -> list[Record]:
        return list(self._records)

    def get(self, record_id: int) -> Record | None:
        return next((r for r in self._records if r.id == record_id), None)


@functools.cache
def page() -> str:
    """The inspector's HTML, read from the package once."""
    return resources.files("apigw_doctor.server").joinpath("inspector.html").read_text("utf-8")


async def shown(data: Any, redact: bool) -> Response:
    """Inspector data as JSON, secrets masked: a record holds up to KEEP_BYTES of three
    bodies, so masking and encoding run off the event loop, where they cannot delay
    the requests the gateway is serving."""
    content = await asyncio.to_thread(_encoded, data, redact)
    return Response(content, media_type="application/json")


def _encoded(data: Any, redact: bool) -> bytes:
    data = redact_data(data) if redact else data
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
