"""How fast hostile templates are refused: YAML alias bombs, deep nesting, ${self:} cycles.

Run: python3 benchmarks/bench_hostile.py

For each template, the time `load_project` takes to refuse it in this process, and
the wall-clock time of `apigw-doctor lint` on it (a fresh interpreter: start-up
included). Target (issue item 9): each refused with exit 2 in under a second.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from apigw_doctor.project import TemplateError, load_project

SAM = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
    "    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      Runtime: python3.12\n"
    "      Events: {Call: {Type: Api, Properties: {Path: /, Method: get}}}\n"
    "      Environment:\n        Variables:\n"
)
BOMB = SAM + "".join(
    f"          {name}: &{name} [{', '.join([f'*{prior}'] * 9) if prior else '1'}]\n"
    for prior, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
SERVERLESS = (
    "service: s\n"
    "provider: {name: aws, runtime: python3.12, environment: {X: '${self:custom.k0}'}}\n"
    "functions:\n  f: {handler: app.handler, events: [{http: {path: /, method: get}}]}\n"
    "custom:\n"
)
CYCLE = "  k0: ${self:custom.k1}\n  k1: ${self:custom.k0}\n"
DOUBLING = "".join(
    f"  k{i}: ${{self:custom.k{i + 1}}}${{self:custom.k{i + 1}}}\n" for i in range(40)
)
CASES = {
    "YAML alias bomb (1 KB)": ("template.yaml", BOMB),
    "YAML [[[...]]] 5,000 deep": ("template.yaml", SAM + "  A: " + "[" * 5000 + "]" * 5000),
    "JSON 100,000 deep": ("template.json", '{"R": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "${self:} cycle": ("serverless.yml", SERVERLESS + CYCLE),
    "${self:} doubling x40": ("serverless.yml", SERVERLESS + DOUBLING),
}


def main() -> None:
    print(f"{'template':30} {'load_project':>13} {'lint (process)':>15}  exit")
    for title, (name, text) in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / name).write_text(text)
            (Path(folder) / "app.py").write_text("def handler(event, context):\n    return {}\n")
            start = time.perf_counter()
            with contextlib.suppress(TemplateError):
                load_project([Path(folder)])
            loaded = time.perf_counter() - start
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "apigw_doctor", "lint", folder], capture_output=True
            )
            linted = time.perf_counter() - start
        print(f"{title:30} {loaded * 1000:10.1f} ms {linted:13.2f} s  {done.returncode}")


if __name__ == "__main__":
    main()
