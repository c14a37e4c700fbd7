"""Throughput and latency of `apigw-doctor serve` beside bare uvicorn (and serverless-offline).

Run: python3 benchmarks/bench_serve.py [--seconds S] [--connections C] [--rounds R]
                                        [--peer serverless-offline] [--compare-src DIR]

Every server runs as its own process on loopback and answers the same bytes for a
trivial handler: bare uvicorn + Starlette returns them itself, `apigw-doctor serve`
runs a one-function Python handler in its workers, serverless-offline (``--peer``)
a Node.js handler.  The load comes from wrk (``apt-get install wrk``) when it is
installed, else from a keep-alive HTTP/1.1 client in Python (which takes a share of
the same cores, so its figures are lower).  Each round loads every server in turn
for S seconds over C keep-alive connections; the machine is often shared, so the
servers take turns and the median round is shown.

``--peer serverless-offline`` installs ``serverless@3`` and ``serverless-offline@13``
with npm into ~/.cache/apigw-doctor-bench (outside the repository; no account is
needed) and serves a minimal serverless.yml with ``serverless offline``.  Without
node and npm it says so and measures the others.

``--compare-src DIR`` adds `serve` run from another source tree (e.g. ``git archive
main src | tar -x -C /tmp/main``, then ``--compare-src /tmp/main/src``) to the same
rounds: an A/B that the machine's changing load cannot skew.

Targets (issue "Speed of the loop"): >= 60 % of bare uvicorn's requests/s, and ahead
of serverless-offline on requests/s and p50, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

BODY = '{"ok": true}'
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
NODE_HANDLER = textwrap.dedent("""
    exports.handler = async () => ({
      statusCode: 200,
      headers: { "Content-Type": "application/json" },
      body: '{"ok": true}',
    });
""")
SERVERLESS_YML = textwrap.dedent("""
    service: apigw-doctor-bench
    frameworkVersion: "3"
    provider:
      name: aws
      runtime: nodejs18.x
    functions:
      answer:
        handler: handler.handler
        events:
          - http:
              path: /{proxy+}
              method: any
    plugins:
      - serverless-offline
""")
PEER_CACHE = Path.home() / ".cache" / "apigw-doctor-bench"
PEER_PACKAGES = ("serverless@3", "serverless-offline@13")
TARGET_RATIO = 0.60


@dataclass
class Result:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    cwd: Path
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # serverless starts children: stop them together
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_answering(server: Server, timeout: float = 120) -> None:
    """Until the server answers GET /bench with the expected body."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with status {server.process.returncode}")
        try:
            if BODY.encode() in asyncio.run(_one_request(server.port)):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer on port {server.port}")


async def _one_request(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /bench HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    return data


# -- load generators ---------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk_load(wrk: str, port: int, seconds: float, connections: int) -> Result:
    """wrk on one thread (the servers get the other core's share), latency percentiles."""
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency",
         f"http://127.0.0.1:{port}/bench"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\n\s+50%\s+(\S+)", out)
    p99 = re.search(r"\n\s+99%\s+(\S+)", out)
    if "Non-2xx" in out or p50 is None or p99 is None:
        raise RuntimeError(f"wrk: unexpected answers or output:\n{out}")
    return Result(rate, _ms(p50.group(1)), _ms(p99.group(1)))


async def _connection(port: int, until: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET /bench HTTP/1.1\r\nHost: localhost\r\n\r\n"
    while time.perf_counter() < until:
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"unexpected answer: {head[:60]!r}")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
    writer.close()


def python_load(port: int, seconds: float, connections: int) -> Result:
    async def run() -> tuple[float, list[float]]:
        latencies: list[float] = []
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(_connection(port, until, latencies) for _ in range(connections)))
        return time.perf_counter() - start, latencies

    elapsed, latencies = asyncio.run(run())
    quantiles = statistics.quantiles(latencies, n=100)
    return Result(len(latencies) / elapsed, quantiles[49] * 1000, quantiles[98] * 1000)


# -- serverless-offline ------------------------------------------------------------


def peer_serverless_offline(folder: Path) -> Server | None:
    """serverless-offline serving a Node.js handler, or None (and why) when it cannot."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        print(
            "serverless-offline: skipped - node and npm are not installed "
            "(e.g. apt-get install nodejs npm), so it cannot run beside us here"
        )
        return None
    binary = PEER_CACHE / "node_modules" / ".bin" / "serverless"
    if not binary.exists() or not (PEER_CACHE / "node_modules" / "serverless-offline").exists():
        print(f"serverless-offline: installing {' '.join(PEER_PACKAGES)} into {PEER_CACHE} ...")
        PEER_CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(PEER_CACHE), *PEER_PACKAGES,
             "--no-audit", "--no-fund", "--loglevel=error"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not binary.exists():
            print(f"serverless-offline: skipped - npm install failed:\n{done.stderr[-2000:]}")
            return None
    # the service sits under the cache, so Node finds the plugin in its node_modules
    service = PEER_CACHE / "service"
    service.mkdir(exist_ok=True)
    (service / "serverless.yml").write_text(SERVERLESS_YML)
    (service / "handler.js").write_text(NODE_HANDLER)
    port = free_port()
    env = {
        **os.environ,
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        "AWS_ACCESS_KEY_ID": "bench",  # never used: nothing leaves the machine
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    command = [
        str(binary), "offline", "start", "--noPrependStageInUrl", "--httpPort", str(port),
        "--lambdaPort", str(free_port()), "--host", "127.0.0.1",
    ]  # fmt: skip
    return Server("serverless-offline", command, port, service, env)


# -- the run -------------------------------------------------------------------------


def servers(
    folder: Path, workers: int, peer: str | None, compare_src: str | None = None
) -> list[Server]:
    (folder / "app.py").write_text(HANDLER)
    (folder / "bare.py").write_text(BARE)
    port = free_port()
    bare = [sys.executable, "bare.py", str(port)]
    found = [Server("bare uvicorn + starlette", bare, port, folder)]
    port = free_port()
    ours = [
        sys.executable, "-m", "apigw_doctor", "serve", "app.py:handler", "--port", str(port),
        "--log-format", "json",
    ]  # fmt: skip
    ours += ["--workers", str(workers)] if workers else []
    shown = f"{workers} workers" if workers else "default workers"
    found.append(Server(f"apigw-doctor serve ({shown})", ours, port, folder))
    if compare_src:
        port = free_port()
        theirs = [*ours[:5], "--port", str(port), *ours[7:]]
        env = {**os.environ, "PYTHONPATH": compare_src}
        found.append(
            Server(f"serve from {Path(compare_src).parent.name}", theirs, port, folder, env)
        )
    if peer == "serverless-offline":
        other = peer_serverless_offline(folder)
        if other is not None:
            found.append(other)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load per server per round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="serve's --workers (0: its default)")
    parser.add_argument("--peer", choices=["serverless-offline"], default=None)
    parser.add_argument("--compare-src", help="also serve from this source tree (A/B)")
    parser.add_argument(
        "--python-client", action="store_true", help="use the Python client even if wrk is there"
    )
    args = parser.parse_args()
    wrk = None if args.python_client else shutil.which("wrk")
    client = "wrk" if wrk else "a Python asyncio client (install wrk for steadier figures)"
    with tempfile.TemporaryDirectory() as tmp:
        started = servers(Path(tmp), args.workers, args.peer, args.compare_src)
        try:
            for server in started:
                server.start()
            for server in started:
                wait_answering(server)
            print(
                f"{args.rounds} round(s) of {args.seconds:g} s per server, "
                f"{args.connections} keep-alive connections, load from {client}"
            )
            results: dict[str, list[Result]] = {s.name: [] for s in started}
            for server in started:  # warm up: imports, first requests, JIT (node)
                load(wrk, server.port, 1.0, args.connections)
            for _ in range(args.rounds):
                for server in started:
                    results[server.name].append(
                        load(wrk, server.port, args.seconds, args.connections)
                    )
        finally:
            for server in started:
                server.stop()
    report(results)


def load(wrk: str | None, port: int, seconds: float, connections: int) -> Result:
    if wrk:
        return wrk_load(wrk, port, seconds, connections)
    return python_load(port, seconds, connections)


def report(results: dict[str, list[Result]]) -> None:
    medians = {
        name: Result(
            statistics.median(r.rate for r in runs),
            statistics.median(r.p50_ms for r in runs),
            statistics.median(r.p99_ms for r in runs),
        )
        for name, runs in results.items()
    }
    for name, result in medians.items():
        rounds = ", ".join(f"{r.rate:,.0f}" for r in results[name])
        print(
            f"{name:32} {result.rate:8,.0f} req/s   p50 {result.p50_ms:6.2f} ms   "
            f"p99 {result.p99_ms:6.2f} ms   (rounds: {rounds} req/s)"
        )
    names = list(medians)
    bare, ours = medians[names[0]], medians[names[1]]
    ratio = ours.rate / bare.rate
    print(
        f"apigw-doctor serve: {100 * ratio:.0f} % of bare uvicorn's requests/s "
        f"(target >= {100 * TARGET_RATIO:.0f} %: {'met' if ratio >= TARGET_RATIO else 'not met'})"
    )
    for name, other in medians.items():
        if name.startswith("serve from "):
            print(
                f"{name}: {100 * other.rate / bare.rate:.0f} % of bare uvicorn; this tree's "
                f"serve {ours.rate / other.rate:.2f}x its requests/s"
            )
    if "serverless-offline" in medians:
        peer = medians["serverless-offline"]
        ahead = ours.rate > peer.rate and ours.p50_ms < peer.p50_ms
        print(
            f"serverless-offline: {100 * peer.rate / bare.rate:.0f} % of bare uvicorn; "
            f"apigw-doctor serve {ours.rate / peer.rate:.2f}x its requests/s, p50 "
            f"{ours.p50_ms:.2f} vs {peer.p50_ms:.2f} ms "
            f"(target: ahead on both: {'met' if ahead else 'not met'})"
        )


if __name__ == "__main__":
    main()
