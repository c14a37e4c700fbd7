"""Lint speed on a generated tree of handler-like code, beside pylint and ruff.

Run: python3 benchmarks/bench_lint.py [--lines N]

Generates at least N lines (default 100,000) of handlers and helpers in a
temporary folder, lints it with apigw-doctor (all cores, then one), and, when
installed, with pylint limited to R1710 and ruff limited to RET503 on the same
tree.  Prints lines/s and the ratios.  Target (issue 3): >= 10x pylint.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from apigw_doctor.lint import Config, lint_paths

MODULE = '''"""Generated module {n}."""

import json
from decimal import Decimal


def respond_{n}(status, data):
    return {{"statusCode": status, "headers": {{"Content-Type": "application/json"}},
            "body": json.dumps(data)}}


def get_{n}(event, context):
    item_id = (event.get("pathParameters") or {{}}).get("id")
    if item_id is None:
        return respond_{n}(400, {{"error": "id required"}})
    if item_id == "{n}":
        return {{"statusCode": 200, "body": {{"id": item_id}}}}
    for attempt in range(3):
        if attempt == int(item_id or 0):
            return respond_{n}(200, {{"attempt": attempt}})


def list_{n}(event, context):
    try:
        limit = int((event.get("queryStringParameters") or {{}}).get("limit", "10"))
    except ValueError:
        return respond_{n}(400, {{"error": "limit must be a number"}})
    items = [{{"id": i, "price": str(Decimal(i) / 100)}} for i in range(limit)]
    match event.get("httpMethod"):
        case "GET":
            return respond_{n}(200, {{"items": items}})
        case _:
            return respond_{n}(405, {{"error": "method"}})


def create_{n}(event, context):
    if not event.get("body"):
        return "missing body"
    data = json.loads(event["body"])
    response = {{"statusCode": 201}}
    response["body"] = json.dumps(data)
    return response
'''


def generate(folder: Path, lines: int) -> int:
    per_module = MODULE.count("\n")
    count = lines // per_module + 1
    for n in range(count):
        package = folder / f"svc{n // 100}"
        package.mkdir(exist_ok=True)
        (package / f"handlers_{n}.py").write_text(MODULE.format(n=n))
    return count * per_module


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        total = generate(folder, args.lines)
        print(f"generated {total:,} lines in {len(list(folder.rglob('*.py'))):,} files")
        results = {}
        for jobs in (os.cpu_count() or 1, 1):
            start = time.perf_counter()
            result = lint_paths([folder], Config(), jobs=jobs)
            seconds = time.perf_counter() - start
            results[f"apigw-doctor ({jobs} job{'s' if jobs > 1 else ''})"] = seconds
            print(
                f"apigw-doctor lint, {jobs} job(s): {seconds:.2f} s, "
                f"{total / seconds:,.0f} lines/s, {len(result.findings):,} findings"
            )
        ours = min(results.values())
        pylint = shutil.which("pylint")
        if pylint:
            seconds = timed([pylint, "--disable=all", "--enable=R1710", "--jobs=0", str(folder)])
            print(
                f"pylint R1710: {seconds:.2f} s, {total / seconds:,.0f} lines/s; "
                f"apigw-doctor is {seconds / ours:.1f}x faster (target >= 10x)"
            )
        else:
            print("pylint: not installed (pip install pylint) - no ratio")
        ruff = shutil.which("ruff")
        if ruff:
            seconds = timed([ruff, "check", "--no-cache", "--select", "RET503", str(folder)])
            print(
                f"ruff RET503: {seconds:.2f} s, {total / seconds:,.0f} lines/s; "
                f"apigw-doctor takes {ours / seconds:.1f}x ruff's time"
            )
        else:
            print("ruff: not installed - no ratio")


if __name__ == "__main__":
    sys.exit(main())
