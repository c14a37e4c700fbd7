"""Log analysis speed on a generated execution log, beside `grep -c`.

Run: python3 benchmarks/bench_logs.py [--size-mb 1024]

Writes a REST API execution log of the given size (about 1 request in 20
failing, every cause mixed in), then in the same run times `grep -c 'Malformed
Lambda proxy response'` and `apigw-doctor logs --format json` on it, each in
its own process, and prints MB/s, the ratio and our peak memory.
Target (issue 6): >= 25 % of grep's speed, memory flat whatever the size.
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


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds, and the peak memory (KiB) of the process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    # a pipe, not /dev/null: GNU grep stops at the first match when it writes to /dev/null
    subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    return seconds, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "execution.log"
        requests = generate(path, args.size_mb * 1024 * 1024)
        megabytes = os.path.getsize(path) / 1024 / 1024
        print(f"generated {megabytes:,.0f} MB, {requests:,} requests")
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        grep, _ = timed(["grep", "-c", "Malformed Lambda proxy response", str(path)])
        ours, memory = timed(
            [sys.executable, "-m", "apigw_doctor", "logs", "--format", "json", str(path)]
        )
        print(f"grep -c:           {grep:6.2f} s, {megabytes / grep:8,.0f} MB/s")
        print(
            f"apigw-doctor logs: {ours:6.2f} s, {megabytes / ours:8,.0f} MB/s, "
            f"peak memory {memory / 1024:,.0f} MiB"
        )
        print(
            f"apigw-doctor logs runs at {100 * grep / ours:.1f} % of grep's speed (target >= 25 %)"
        )


if __name__ == "__main__":
    main()
