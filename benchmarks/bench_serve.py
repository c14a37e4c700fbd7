"""Throughput and latency of `apigw-doctor serve` beside a bare uvicorn + starlette app.

Run: python3 benchmarks/bench_serve.py [--requests N] [--connections C]

Both servers run as their own processes on loopback and return the same bytes
for a trivial handler; a keep-alive HTTP/1.1 client sends N requests over C
connections to each, in the same run.  Prints requests/s, p50 and p99 latency,
and the ratio.  Target (issue 4): >= 60 % of bare uvicorn's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HANDLER = textwrap.dedent("""
    def handler(event, context):
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "body": '{"ok": true}'}
""")
BARE = textwrap.dedent("""
    import sys
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def answer(request):
        return Response(b'{"ok": true}', media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", answer)])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
""")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


async def connection_loop(port: int, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET /bench HTTP/1.1\r\nHost: localhost\r\n\r\n"
    for _ in range(count):
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
    writer.close()


async def load(port: int, requests: int, connections: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(
        *(connection_loop(port, requests // connections, latencies) for _ in range(connections))
    )
    return time.perf_counter() - start, latencies


def measure(
    name: str, command: list[str], port: int, requests: int, connections: int, cwd: str
) -> float:
    process = subprocess.Popen(command, cwd=cwd, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port)
        asyncio.run(load(port, min(500, requests), connections))  # warm up
        seconds, latencies = asyncio.run(load(port, requests, connections))
    finally:
        process.terminate()
        process.wait(timeout=30)
    rate = len(latencies) / seconds
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{name:28} {rate:8,.0f} req/s   p50 {quantiles[49] * 1000:6.2f} ms   "
        f"p99 {quantiles[98] * 1000:6.2f} ms"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "app.py").write_text(HANDLER)
        Path(folder, "bare.py").write_text(BARE)
        print(f"{args.requests:,} requests over {args.connections} keep-alive connections")
        port = free_port()
        bare = measure(
            "bare uvicorn + starlette",
            [sys.executable, "bare.py", str(port)],
            port,
            args.requests,
            args.connections,
            folder,
        )
        port = free_port()
        ours = measure(
            f"apigw-doctor serve ({args.workers} workers)",
            [
                sys.executable,
                "-m",
                "apigw_doctor",
                "serve",
                "app.py:handler",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-format",
                "json",
            ],
            port,
            args.requests,
            args.connections,
            folder,
        )
        print(
            f"apigw-doctor serve: {100 * ours / bare:.0f} % of bare uvicorn's throughput "
            "(target >= 60 %)"
        )


if __name__ == "__main__":
    main()
