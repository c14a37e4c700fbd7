"""`apigw-doctor serve` as a real process on a loopback port, as users start it."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(
    *args: str, cwd: Path, env: dict[str, str] | None = None, workers: int = 1
) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apigw_doctor",
            "serve",
            *args,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/__apigw-doctor/api/metrics")
            return process, base
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
