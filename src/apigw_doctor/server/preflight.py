"""Which handlers import at all, found before serving, in a separate process: the
gateway process itself never runs a handler's module code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .routes import Endpoint

_PROBE = """
import contextlib, io, json, os, sys
from pathlib import Path
from apigw_doctor.handlers import HandlerNotFound, load_handler
results = {}
for job in json.load(sys.stdin):
    os.environ.update(job["variables"])
    sys.path[:0] = [p for p in job["paths"] if p not in sys.path]
    if job["cwd"]:
        os.chdir(job["cwd"])
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            load_handler(job["target"], base=Path(job["base"]))
        results[job["target"]] = None
    except HandlerNotFound as exc:
        results[job["target"]] = str(exc)
print(json.dumps(results))
"""


def import_failures(
    endpoints: list[Endpoint], base: Path, timeout: float = 120.0
) -> dict[str, str]:
    """target -> why it does not import, for every handler that does not."""
    jobs = []
    for target in sorted({e.target for e in endpoints}):
        endpoint = next(e for e in endpoints if e.target == target)
        environment = endpoint.environment
        jobs.append(
            {
                "target": target,
                "base": str(base),
                "variables": dict(environment.variables) if environment else {},
                "paths": [str(p) for p in environment.paths] if environment else [],
                "cwd": str(environment.cwd) if environment and environment.cwd else "",
            }
        )
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        found = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    except (subprocess.TimeoutExpired, ValueError, IndexError) as exc:
        return {str(job["target"]): f"could not be checked: {exc}" for job in jobs}
    if not isinstance(found, dict):
        return {}
    missing = {str(job["target"]) for job in jobs} - set(found)
    failures = {t: str(e) for t, e in found.items() if e}
    for target in missing:  # the probe itself died on this one (os._exit, a crash)
        failures[target] = f"importing it ended the process: {done.stderr.strip()[-200:]}"
    return failures
