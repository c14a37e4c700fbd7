"""The verdict: what the client receives, and why (spec §6).

The core's records are NamedTuples, not dataclasses: the guard imports the core
on every Lambda cold start, where dataclasses cost milliseconds
(benchmarks/bench_guard.py).
"""

from __future__ import annotations

import base64
from typing import Any, NamedTuple

from ..catalogue import Finding


class Verdict(NamedTuple):
    """What API Gateway sends the client for one Lambda result.

    ``failed`` is true when API Gateway generated the response itself (a 5xx
    the handler did not ask for); then ``findings`` holds at least one error.
    """

    api: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    failed: bool
    findings: tuple[Finding, ...] = ()
    log_lines: tuple[str, ...] = ()
    #: the Lambda payload as API Gateway received it (after serialisation)
    payload: bytes | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def ok(self) -> bool:
        """True when no finding is an error: the client gets what was asked for."""
        return not self.errors

    def header(self, name: str) -> str | None:
        """A header's value as HTTP reads it: repeated lines joined with ``, ``."""
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return ", ".join(values) if values else None

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``check --format json``."""
        return {
            "api": self.api,
            "status": self.status,
            "failed": self.failed,
            "headers": [[name, value] for name, value in self.headers],
            "body_base64": base64.b64encode(self.body).decode("ascii"),
            "findings": [f.as_json() for f in self.findings],
            "log": list(self.log_lines),
        }
