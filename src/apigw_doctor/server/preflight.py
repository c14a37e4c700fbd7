"""Which handlers import at all, found before serving, in a worker of the project's
Python: the gateway process itself never runs a handler's module code.  A handler
that does not import is still served (Lambda answers its requests with
``Runtime.ImportModuleError``); this says why at start, with the fix."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ..runtime import diagnosis
from ..runtime.invoke import LocalFunction, load
from ..runtime.pool import WorkerPool


def import_failures(
    functions: list[LocalFunction],
    base: Path,
    python: str | None = None,
    timeout: float = 120.0,
    *,
    inherit_shell: bool = False,
) -> dict[str, str]:
    """target -> why it does not import, for every handler that does not."""
    return asyncio.run(_check(functions, base, python, timeout, inherit_shell))


async def _check(
    functions: list[LocalFunction],
    base: Path,
    python: str | None,
    timeout: float,
    inherit_shell: bool,
) -> dict[str, str]:
    pool = WorkerPool(1, base, python, inherit_shell=inherit_shell)
    await pool.start()
    failures: dict[str, str] = {}
    try:
        for function in sorted(functions, key=lambda f: f.target):
            loaded = await load(pool, function, timeout)
            if loaded.import_failure is None and not loaded.function_error:
                continue
            unchecked, problem = diagnosis.not_importable(loaded, pool.python, templated=True)
            failures[function.target] = f"{function.name} ({function.target}): " + (
                unchecked or problem or "it does not import"
            )
    finally:
        await pool.stop()
    return failures
