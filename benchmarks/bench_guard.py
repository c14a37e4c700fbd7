"""How long `import apigw_doctor.guard` takes on a cold start.

Run: python3 benchmarks/bench_guard.py [--runs N]

Each run is a fresh interpreter that times only the import.  Two figures: a
bare interpreter, and one that has already imported what the Lambda Python
runtime itself imports before your handler module (json, logging, decimal,
traceback...), which is the cost a cold start really pays.
Target (issue 11): under 5 ms after the runtime's own imports (the cold start Lambda pays).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

RUNTIME_PRELOAD = "import json, logging, decimal, traceback, time, os, uuid, base64"
TIMER = (
    "import time; start = time.perf_counter(); import apigw_doctor.guard; "
    "print((time.perf_counter() - start) * 1000)"
)


def measure(preload: str, runs: int) -> list[float]:
    code = f"{preload}\n{TIMER}" if preload else TIMER
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for label, preload in (("bare interpreter", ""), ("after runtime imports", RUNTIME_PRELOAD)):
        times = measure(preload, args.runs)
        print(
            f"import apigw_doctor.guard, {label}: median {statistics.median(times):.2f} ms, "
            f"min {min(times):.2f} ms, max {max(times):.2f} ms ({args.runs} runs; "
            "target < 5 ms after runtime imports)"
        )


if __name__ == "__main__":
    main()
