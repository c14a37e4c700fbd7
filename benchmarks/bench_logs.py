"""Log analysis speed on a generated execution log, beside `grep -c`.

Run: python3 benchmarks/bench_logs.py [--size-mb 1024] [--log PATH] [--src DIR] [--engine E]

Writes a REST API execution log of the given size (about 1 request in 20
failing, every cause mixed in), then in the same run times `grep -c 'Malformed
Lambda proxy response'` and `apigw-doctor logs --format json` on it, each in
its own process (the best of --runs), and prints MB/s, the ratio to grep with
the target beside it, and our peak memory.  The command runs this checkout's
source (src/ beside this file) unless --src names another (to compare two).
--log keeps the generated log at PATH and reuses it when it is there.
The search engine (`hyperscan` with the [fast] extra, else `python`) is printed;
--engine python measures the standard library's search where Hyperscan is installed.
Target (issue "Speed of the loop"): >= 25 % of grep's speed, memory flat
whatever the size.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

SUCCESS = [
    "Extended Request Id: {short}=",
    "Starting execution for request: {rid}",
    "HTTP Method: GET, Resource Path: /items/{n}",
    "Method request path: {{id={n}}}",
    "Method request query string: {{}}",
    "Method request headers: {{Accept=*/*, Host=api.example.com, User-Agent=curl/8.0}}",
    "Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:"
    "lambda:us-east-1:123456789012:function:items/invocations",
    "Received response. Status: 200, Integration latency: 12 ms",
    "Endpoint response headers: {{Date=Fri, 20 Nov 2026 10:00:01 GMT, Content-Type="
    "application/json, x-amzn-RequestId={lid}}}",
    'Endpoint response body before transformations: {{"statusCode": 200, "body": "{{\\"id\\": '
    '{n}, \\"name\\": \\"item\\"}}"}}',
    'Method response body after transformations: {{"id": {n}, "name": "item"}}',
    "Successfully completed execution",
    "Method completed with status: 200",
]
FAILURE = [
    "Starting execution for request: {rid}",
    "HTTP Method: GET, Resource Path: /items/{n}",
    "Received response. Status: 200, Integration latency: 9 ms",
    "Endpoint response headers: {{x-amzn-RequestId={lid}}}",
    'Endpoint response body before transformations: {{"statusCode": 200, "body": {{"id": {n}}}}}',
    "Execution failed due to configuration error: Malformed Lambda proxy response",
    "Method completed with status: 502",
]


def generate(path: Path, size: int) -> int:
    requests = 0
    with path.open("w") as out:
        while out.tell() < size:
            lines = []
            for _ in range(200):
                rid, n = str(uuid.uuid4()), requests
                template = FAILURE if n % 20 == 0 else SUCCESS
                values = {"rid": rid, "lid": uuid.uuid4(), "n": n, "short": rid[:12]}
                stamp = time.strftime("%Y-%m-%dT%H:%M:", time.gmtime(1_795_000_000 + n // 50))
                lines += [
                    f"{stamp}{n % 60:02d}.000Z ({rid}) {line.format(**values)}\n"
                    for line in template
                ]
                requests += 1
            out.writelines(lines)
    return requests


TARGET = 25.0  # per cent of grep -c's speed


def timed(
    command: list[str], runs: int, env: dict[str, str] | None = None
) -> tuple[float, float, int]:
    """The best of ``runs``: wall-clock seconds, CPU seconds (user + system: what the
    process itself cost, whatever else the machine runs), and the peak memory (KiB)."""
    wall = cpu = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        # a pipe, not /dev/null: GNU grep stops at the first match when it writes to /dev/null
        subprocess.run(command, capture_output=True, check=False, env=env)
        wall = min(wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        cpu = min(cpu, used)
    return wall, cpu, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--log", type=Path, help="keep (or reuse) the generated log here")
    parser.add_argument("--src", type=Path, default=Path(__file__).parent.parent / "src")
    parser.add_argument("--runs", type=int, default=2, help="best of this many runs")
    parser.add_argument(
        "--engine", choices=["hyperscan", "python"], help="the search engine (default: fastest)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.log or Path(folder) / "execution.log"
        if path.exists():
            print(f"reusing {path}")
        else:
            requests = generate(path, args.size_mb * 1024 * 1024)
            print(f"generated {path}: {requests:,} requests")
        megabytes = os.path.getsize(path) / 1024 / 1024
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        grep, grep_cpu, _ = timed(
            ["grep", "-c", "Malformed Lambda proxy response", str(path)], args.runs
        )
        env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
        if args.engine:
            env["APIGW_DOCTOR_LOGS_ENGINE"] = args.engine
        asked = subprocess.run(
            [sys.executable, "-c", "from apigw_doctor.logs._fast import engine; print(engine())"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        engine = asked.stdout.strip() or "python (a source without a choice of engine)"
        command = [sys.executable, "-m", "apigw_doctor", "logs", "--format", "json", str(path)]
        ours, ours_cpu, memory = timed(command, args.runs, env)
        print(f"log:               {megabytes:8,.0f} MB")
        print(
            f"grep -c:           {grep:6.2f} s ({grep_cpu:5.2f} s CPU), "
            f"{megabytes / grep:6,.0f} MB/s"
        )
        print(
            f"apigw-doctor logs: {ours:6.2f} s ({ours_cpu:5.2f} s CPU), "
            f"{megabytes / ours:6,.0f} MB/s, peak memory {memory / 1024:,.0f} MiB "
            f"(source: {args.src}, engine: {engine})"
        )
        for label, ratio in (("wall clock", grep / ours), ("CPU time", grep_cpu / ours_cpu)):
            verdict = "met" if 100 * ratio >= TARGET else "NOT met"
            print(
                f"ratio to grep -c ({label}): {100 * ratio:5.1f} %   "
                f"target >= {TARGET:.0f} %: {verdict}"
            )


if __name__ == "__main__":
    main()
