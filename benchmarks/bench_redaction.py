"""Redaction speed on long and adversarial text, and what one huge request costs
the others in `apigw-doctor serve`.

Run: python3 benchmarks/bench_redaction.py [--skip-serve | --serve-only] [--rounds N]

1. Times `redact_text` on inputs that made the former redaction quadratic (a run
   of letters after a sensitive name, a hex run in JSON, unclosed quotes and
   brackets, repeated token prefixes) at 16k, 64k and 256k characters, and prints
   ms and MB/s; a ratio near 4 from 64k to 256k means linear time.
2. Starts `serve` (two workers, an echo handler) and, while a client polls the
   inspector's metrics (answered on the event loop) and an API route, sends huge
   requests one at a time (a 16k path, bodies up to the gateway's 10 MB quota: text,
   UTF-8 and binary, which the event carries base64-encoded) and
   opens each one's inspector view three times.  Prints the worst and p99 latency
   the small requests saw during each huge one.
Target (issue 19): linear time; no request delays another by more than 50 ms.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from apigw_doctor.redaction import redact_data, redact_text

SIZES = (16 * 1024, 64 * 1024, 256 * 1024)
INPUTS: dict[str, Callable[[int], str]] = {
    "letters after a name": lambda n: "/token" + "a" * n,
    "hex run in JSON": lambda n: '{"x": "' + "0a1b2c3d" * (n // 8) + '", "token": 1}',
    "unclosed quotes": lambda n: "token='" * (n // 7),
    "unclosed brackets": lambda n: "token=[" * (n // 7),
    "JWT prefixes": lambda n: "eyJ" * (n // 3),
    "escaped JSON": lambda n: '\\"token\\": \\"' * (n // 13),
    "log lines": lambda n: (
        "Method request headers: {Cookie=sid=abc; a=b, X-Api-Key=k, Accept=*/*}\n" * (n // 71)
    ),
}
HANDLER = textwrap.dedent("""
    def handler(event, context):
        return {"statusCode": 200, "body": event.get("body") or "",
                "isBase64Encoded": event.get("isBase64Encoded", False)}
""")
TARGET_MS = 50.0


def timed(function: Callable[[Any], object], argument: Any) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        function(argument)
        best = min(best, time.perf_counter() - started)
    return best


def bench_text() -> None:
    print("redact_text, best of 3 (ms; MB/s at the largest size; time ratio 256k/64k)")
    for name, make in INPUTS.items():
        times = [timed(redact_text, make(size)) for size in SIZES]
        cells = "  ".join(
            f"{size // 1024:>4}k {t * 1000:8.2f}" for size, t in zip(SIZES, times, strict=True)
        )
        rate = SIZES[-1] / times[-1] / 1e6
        print(f"  {name:22} {cells}   {rate:6.1f} MB/s   x{times[-1] / times[-2]:.1f}")
    record = {"event": {"body": INPUTS["hex run in JSON"](256 * 1024)}, "result": "token=" * 40000}
    print(f"  redact_data on a 500 KB inspector record: {timed(redact_data, record) * 1000:.1f} ms")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Poller(threading.Thread):
    """Small requests, one after another, each one's latency kept."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.latencies: list[float] = []
        self.running = True

    def run(self) -> None:
        with httpx.Client(timeout=300) as client:
            while self.running:
                started = time.perf_counter()
                client.get(self.url)
                self.latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.002)


def huge_requests() -> dict[str, tuple[str, str, bytes]]:
    hexes = "0a1b2c3d" * (1024 * 1024 // 8)
    return {
        "GET /token + 16k letters": ("GET", "/token" + "a" * 16_000, b""),
        "JSON, 16k hex + 64k-letter token": (
            "POST", "/big", json.dumps({"x": "0a1b" * 4000, "token": "w" * 65536}).encode(),
        ),
        "1 MB hex in JSON": ("POST", "/big", json.dumps({"x": hexes}).encode()),
        "6 MB letters": ("POST", "/big", b"token=" + b"a" * (6 * 1024 * 1024)),
        "10 MB (the gateway's quota)": ("POST", "/big", b"a" * (10 * 1024 * 1024 - 1024)),
        "10 MB UTF-8, 2-byte letters": ("POST", "/big", "é".encode() * (5 * 1024 * 1024 - 512)),
        "10 MB binary (base64 in the event)": ("POST", "/big", bytes(range(256)) * 40956),
    }  # fmt: skip


def bench_serve() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "app.py").write_text(HANDLER)
        command = [sys.executable, "-m", "apigw_doctor", "serve", "app.py:handler",
                   "--workers", "2", "--port", str(port)]  # fmt: skip
        server = subprocess.Popen(command, cwd=folder, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/__apigw-doctor/api/metrics")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise SystemExit("serve did not start") from None
                    time.sleep(0.2)
            print(
                f"\nserve: small requests while one huge request runs (target {TARGET_MS:.0f} ms)"
            )
            print(f"  {'huge request':36} {'inspector: worst':>16} {'p99':>7} {'API: worst':>11}")
            for name, (method, path, body) in huge_requests().items():
                loop = Poller(f"{base}/__apigw-doctor/api/metrics")
                api = Poller(f"{base}/small")
                loop.start()
                api.start()
                time.sleep(0.2)
                with httpx.Client(timeout=300) as client:
                    client.request(method, base + path, content=body)
                    newest = client.get(f"{base}/__apigw-doctor/api/requests").json()[0]["id"]
                    for _ in range(3):
                        client.get(f"{base}/__apigw-doctor/api/requests/{newest}")
                loop.running = api.running = False
                loop.join()
                api.join()
                worst, p99 = max(loop.latencies), _p99(loop.latencies)
                mark = "ok" if worst <= TARGET_MS else "OVER"
                print(f"  {name:36} {worst:13.1f} ms {p99:5.1f} ms {max(api.latencies):8.1f} ms"
                      f"  {mark}")  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 2 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-serve", action="store_true", help="Only time redact_text.")
    parser.add_argument("--serve-only", action="store_true", help="Only the serve table.")
    parser.add_argument(
        "--rounds", type=int, default=1, help="Serve tables to print (the machine's load varies)."
    )
    options = parser.parse_args()
    if not options.serve_only:
        bench_text()
    if not options.skip_serve:
        for _ in range(options.rounds):
            bench_serve()


if __name__ == "__main__":
    main()
