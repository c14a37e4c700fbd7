"""Which handlers import at all, found before serving, in a worker of the project's
Python: the gateway process itself never runs a handler's module code."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from ..interpreter import install_hint
from ..workers import Job, WorkerPool
from .routes import Endpoint


def import_failures(
    endpoints: list[Endpoint], base: Path, python: str | None = None, timeout: float = 120.0
) -> dict[str, str]:
    """target -> why it does not import, for every handler that does not."""
    return asyncio.run(_check(endpoints, base, python, timeout))


async def _check(
    endpoints: list[Endpoint], base: Path, python: str | None, timeout: float
) -> dict[str, str]:
    pool = WorkerPool(1, base, python)
    await pool.start()
    failures: dict[str, str] = {}
    try:
        for target in sorted({e.target for e in endpoints}):
            endpoint = next(e for e in endpoints if e.target == target)
            job = Job(
                target,
                {},
                "import-check",
                endpoint.function_name,
                timeout,
                endpoint.environment,
                import_only=True,
            )
            result = await pool.run(job, timeout)
            failure = result.import_failure
            if failure is not None:
                failures[target] = failure.message
                if failure.cause in ("ModuleNotFoundError", "InstalledVersion"):
                    failures[target] += "; " + install_hint(pool.python)
            elif result.function_error:  # the import ended the worker (os._exit, a crash)
                error = json.loads(result.payload).get("errorMessage", "")
                failures[target] = f"{target!r}: importing it ended the process ({error})"
    finally:
        await pool.stop()
    return failures
