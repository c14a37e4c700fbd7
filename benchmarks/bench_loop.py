"""Speed of the edit-lint-scan loop, as ratios to a baseline measured in the same run.

Run: python3 benchmarks/bench_loop.py [--runs N] [--monorepo PATH]

Each figure is the median wall time of N fresh processes (default 9), divided
by a baseline taken in the same run, so figures from machines of different
speed compare:

* ``apigw-doctor --help``, ``lint .`` and ``scan .`` on a generated SAM project
  of one function, against ``python -c "import json"`` (the interpreter's own
  start-up);
* ``lint PATH`` on a monorepo of many SAM/CDK templates (e.g. a checkout of
  aws-samples/serverless-patterns), against the time PyYAML's C loader takes
  to read its templates once.  Skipped, with a message, without ``--monorepo``.

Targets (issue "Speed of the loop"): --help <= 8x, lint <= 20x, scan <= 40x,
monorepo lint <= 6x.  lint and scan are timed as the loop runs them (SAM
translations kept from the run before, in a folder of the benchmark's own), and
as a first run (an empty folder each time).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Events:
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: get
"""

HANDLER = """\
import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"message": "hello"})}
"""

TOOL = [sys.executable, "-m", "apigw_doctor"]


def one_function_project(folder: Path) -> Path:
    (folder / "src").mkdir()
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "src" / "app.py").write_text(HANDLER)
    return folder


def median_seconds(
    command: list[str],
    runs: int,
    cwd: Path | None = None,
    expected: tuple[int, ...] = (0, 1),
    cache: str | None = None,
) -> Timing:
    """Median wall and CPU time (the process and all it waited for: the CPU figure
    holds on a busy machine); ``cache``: the folder SAM translations are kept in
    (``None``: a new empty one for every run, as on a first run)."""
    times, cpu = [], []
    for _ in range(runs):
        folder = cache or tempfile.mkdtemp(prefix="bench-cold-")
        environment = {**os.environ, "APIGW_DOCTOR_CACHE": folder}
        before = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False, env=environment)
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - before)
        if cache is None:
            shutil.rmtree(folder, ignore_errors=True)
        if done.returncode not in expected:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return Timing(statistics.median(times), statistics.median(cpu))


class Timing(NamedTuple):
    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def row(label: str, timing: Timing, baseline: Timing, target: float) -> None:
    ratio = timing.wall / baseline.wall
    verdict = "met" if ratio <= target else "MISSED"
    print(
        f"{label:<38} {timing.wall * 1000:7.0f} ms {ratio:5.1f}x  target <= {target:g}x "
        f"{verdict:6}  (CPU {timing.cpu * 1000:6.0f} ms, {timing.cpu / baseline.cpu:5.1f}x)"
    )


def loop_rows(
    label: str, command: list[str], runs: int, baseline: float, target: float, **options: object
) -> None:
    """The figure of the loop (translations kept from the run before), and of a first run."""
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as cache:
        median_seconds(command, 1, cache=cache, **options)  # type: ignore[arg-type]
        warm = median_seconds(command, runs, cache=cache, **options)  # type: ignore[arg-type]
    row(f"{label}", warm, baseline, target)
    cold = median_seconds(command, runs, **options)  # type: ignore[arg-type]
    row(f"{label}, first run", cold, baseline, target)


def yaml_read_once(templates: list[Path]) -> Timing:
    """Seconds PyYAML's C loader takes to read every template once (JSON with json)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(loader):  # type: ignore[valid-type,misc]
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    start, cpu = time.perf_counter(), time.process_time()
    for path in templates:
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":
                json.loads(text)
            else:
                yaml.load(text, Loader)
        except (OSError, ValueError, yaml.YAMLError):
            pass
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


def monorepo(path: Path, runs: int) -> None:
    from apigw_doctor.lint._project import python_files
    from apigw_doctor.project import discover

    templates = discover([path])
    files = python_files([path])
    reads = [yaml_read_once(templates) for _ in range(max(runs, 3))]
    baseline = Timing(
        statistics.median(r.wall for r in reads), statistics.median(r.cpu for r in reads)
    )
    print(
        f"\nmonorepo {path}: {len(files)} Python files, {len(templates)} templates; "
        f"PyYAML C loader reads them in {baseline.wall * 1000:.0f} ms"
    )
    # exit 2 is an answer too: a repository with a broken template is reported as such,
    # after every template was read
    command = [*TOOL, "lint", str(path)]
    loop_rows("lint MONOREPO", command, max(1, runs // 3), baseline, 6, expected=(0, 1, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--monorepo", type=Path, help="a checkout of a large SAM/CDK repository")
    args = parser.parse_args()
    baseline = median_seconds([sys.executable, "-c", "import json"], args.runs)
    print(
        f"baseline python -c 'import json': {baseline.wall * 1000:.0f} ms "
        f"(CPU {baseline.cpu * 1000:.0f} ms; medians of {args.runs} runs)"
    )
    row("apigw-doctor --help", median_seconds([*TOOL, "--help"], args.runs), baseline, 8)
    with tempfile.TemporaryDirectory() as tmp:
        project = one_function_project(Path(tmp))
        loop_rows(
            "lint . (one-function SAM)", [*TOOL, "lint", "."], args.runs, baseline, 20, cwd=project
        )
        loop_rows(
            "scan . (one-function SAM)", [*TOOL, "scan", "."], args.runs, baseline, 40, cwd=project
        )
    if args.monorepo is None:
        print("\nmonorepo row skipped: give --monorepo PATH (e.g. aws-samples/serverless-patterns)")
    elif not args.monorepo.is_dir():
        print(f"\nmonorepo row skipped: {args.monorepo} is not a folder")
    else:
        monorepo(args.monorepo, args.runs)


if __name__ == "__main__":
    main()
