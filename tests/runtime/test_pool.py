"""Worker processes: the project's Python, Lambda's limits, the function log."""

import ast
import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from apigw_doctor.runtime.bootstrap import LAUNCHER
from apigw_doctor.runtime.environment import Environment
from apigw_doctor.runtime.invocation import Invocation
from apigw_doctor.runtime.pool import RAW_BODY_FROM, Job, WorkerPool

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "apigw_doctor" / "runtime"
#: what a worker imports of apigw-doctor, inside a Python where it is not installed
WORKER_MODULES = ("bootstrap", "invocation", "encoder", "handlers")


@pytest.mark.parametrize("module", WORKER_MODULES)
def test_worker_modules_are_python_3_9(module: str) -> None:
    source = (PACKAGE / f"{module}.py").read_text()
    ast.parse(source, feature_version=(3, 9))


def test_a_worker_imports_only_the_standard_library() -> None:
    check = "import sys\nbefore = set(sys.modules)\n" + LAUNCHER.replace(
        "importlib.import_module('_apigw_doctor_worker.bootstrap').main()",
        "importlib.import_module('_apigw_doctor_worker.bootstrap')\n"
        "tops = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(tops - set(sys.stdlib_module_names) - {'_apigw_doctor_worker'}))",
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", check, str(PACKAGE)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def run_jobs(tmp_path: Path, jobs: list[Job], timeout: float = 20) -> list[Invocation]:
    async def go() -> list[Invocation]:
        pool = WorkerPool(1, tmp_path)
        await pool.start()
        try:
            return [await pool.run(job, timeout) for job in jobs]
        finally:
            await pool.stop()

    return asyncio.run(go())


def job(target: str, memory_mb: int = 0, environment: Environment | None = None) -> Job:
    return Job(target, {}, "req-1", "fn", 10.0, environment, memory_mb=memory_mb)


def error_type(invocation: Invocation) -> str:
    return str(json.loads(invocation.payload).get("errorType"))


def test_a_function_that_outgrows_its_memory_is_killed_as_lambda_kills_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "big.py").write_text(
        "def handler(event, context):\n"
        "    block = b'x' * (300 * 1024 * 1024)\n"
        "    return {'statusCode': 200, 'body': str(len(block))}\n"
    )
    small, large = run_jobs(tmp_path, [job("big.py:handler", 128), job("big.py:handler", 1024)])
    assert small.function_error == "Unhandled" and small.fatal
    assert error_type(small) == "Runtime.OutOfMemory"
    assert "signal: killed" in json.loads(small.payload)["errorMessage"]
    assert large.function_error is None  # a fresh worker; 1024 MB is enough


def test_the_function_log_has_what_the_handler_and_its_children_print(tmp_path: Path) -> None:
    (tmp_path / "talk.py").write_text(
        "import os, sys\n"
        "print('at import')\n"
        "def handler(event, context):\n"
        "    print('x' * 1_000_000)\n"  # far more than a pipe holds: never blocks
        "    print('to stderr', file=sys.stderr)\n"
        "    os.system('echo from-a-child-process')\n"
        "    return {'statusCode': 200}\n"
    )
    first, second = run_jobs(tmp_path, [job("talk.py:handler")] * 2)
    assert first.function_error is None and second.function_error is None
    assert first.log.startswith("at import\n")
    assert "to stderr" in first.log and "from-a-child-process" in first.log
    assert "bytes of function log cut" in first.log
    assert "at import" not in second.log  # each invocation's log is its own


def test_the_function_logs_traceback_starts_at_the_handler(tmp_path: Path) -> None:
    """As Lambda's runtime writes it: its own frames (here, apigw-doctor's) left out."""
    (tmp_path / "fails.py").write_text(
        "def handler(event, context):\n    raise ValueError('kaput')\n"
    )
    (failed,) = run_jobs(tmp_path, [job("fails.py:handler")])
    assert failed.function_error == "Unhandled"
    assert "Traceback (most recent call last):" in failed.log
    assert 'fails.py", line 2, in handler' in failed.log and "ValueError: kaput" in failed.log
    assert "apigw_doctor" not in failed.log and "call_handler" not in failed.log


def test_two_functions_with_the_same_module_name_stay_apart(tmp_path: Path) -> None:
    environments = []
    for name in ("one", "two"):
        code = tmp_path / name
        code.mkdir()
        (code / "helper.py").write_text(f"NAME = {name!r}\n")
        (code / "app.py").write_text(
            "from helper import NAME\n"
            "def handler(event, context):\n"
            "    import helper\n"  # imported again at call time: still this function's
            "    return {'statusCode': 200, 'body': NAME + '/' + helper.NAME}\n"
        )
        environments.append(Environment({}, (code,), code))
    one, two = (job("app:handler", environment=e) for e in environments)
    answers = run_jobs(tmp_path, [one, two, one, two])
    bodies = [json.loads(a.payload)["body"] for a in answers]
    assert bodies == ["one/one", "two/two", "one/one", "two/two"]


def test_a_python_that_dies_at_start_says_why(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'this is not a Python' >&2\nexit 3\n")
    fake.chmod(0o755)

    async def go() -> Invocation:
        pool = WorkerPool(1, tmp_path, str(fake))
        await pool.start()
        try:
            return await pool.run(job("app:handler"), 10)
        finally:
            await pool.stop()

    answer = asyncio.run(go())
    assert error_type(answer) == "Runtime.ExitError"
    assert "exit status 3" in json.loads(answer.payload)["errorMessage"]
    assert "this is not a Python" in answer.log


def test_debug_pool_reload_imports_the_new_code(tmp_path: Path) -> None:
    from apigw_doctor.runtime.in_process import InProcessPool

    module = tmp_path / "changing_handler.py"
    module.write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'one'}\n"
    )

    async def go() -> list[bytes]:
        pool = InProcessPool(tmp_path)
        await pool.start()
        target = Job("changing_handler:handler", {}, "r", "fn", 3.0)
        first = await pool.run(target, 3)
        module.write_text(
            "def handler(event, context):\n    return {'statusCode': 200, 'body': 'second'}\n"
        )
        await pool.restart()
        second = await pool.run(target, 3)
        await pool.stop()
        return [first.payload, second.payload]

    first, second = asyncio.run(go())
    assert b'"one"' in first and b'"second"' in second


def test_a_function_growing_while_it_runs_is_stopped_before_it_ends(tmp_path: Path) -> None:
    """The watchdog ends a handler that keeps growing (it would otherwise only be
    judged when it returns, or never)."""
    (tmp_path / "grows.py").write_text(
        "import time\n"
        "def handler(event, context):\n"
        "    kept = []\n"
        "    while True:\n"
        "        kept.append(b'x' * (16 * 1024 * 1024))\n"
        "        time.sleep(0.05)\n"
    )
    (answer,) = run_jobs(tmp_path, [job("grows.py:handler", 128)], timeout=20)
    assert error_type(answer) == "Runtime.OutOfMemory" and answer.fatal


BODIES = {
    "small": "a=1&b=2",
    "large ASCII": "token=" + "a" * (2 * RAW_BODY_FROM),
    "large UTF-8": "é€😀 " * RAW_BODY_FROM,
    "large, lone surrogate (as JSON allows)": "x" * RAW_BODY_FROM + "\ud800 \udfff",
    "exactly the threshold": "b" * RAW_BODY_FROM,
    "large base64": "QUJD" * RAW_BODY_FROM,
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_the_handler_gets_the_event_as_sent_whatever_its_body(tmp_path: Path, body: str) -> None:
    """Large bodies travel to the worker outside the job's JSON: the handler must
    still see the very same event, key order included, and the caller's event
    must stay as it was."""
    (tmp_path / "echo.py").write_text(
        "import json\n"
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps([list(event), event])}\n"
    )
    event = {"resource": "/", "body": body, "isBase64Encoded": False, "headers": {"a": "b"}}
    sent = Job("echo.py:handler", event, "req-1", "fn", 10.0)
    (answer,) = run_jobs(tmp_path, [sent])
    assert answer.function_error is None
    keys, seen = json.loads(json.loads(answer.payload)["body"])
    assert keys == list(event)
    assert seen == event
    assert sent.event["body"] is body


def test_concurrent_jobs_each_get_their_own_answer(tmp_path: Path) -> None:
    """Answers are read as they arrive and the next waiting job goes to the worker
    at once: with many jobs queued on two workers, results of every size (one past
    the pipe's buffer, one of megabytes), printed logs and a job that times out,
    every caller gets the answer to its own job and the pool keeps serving."""
    (tmp_path / "sized.py").write_text(
        "import time\n"
        "def handler(event, context):\n"
        "    if event['n'] == 7:\n"
        "        time.sleep(30)\n"
        "    print('job', event['n'])\n"
        "    return {'n': event['n'], 'pad': 'x' * event['size']}\n"
    )
    sizes = [0, 10, 70_000, 3 * 1024 * 1024]

    async def go() -> list[Invocation]:
        pool = WorkerPool(2, tmp_path)
        await pool.start()
        try:
            jobs = [
                Job("sized.py:handler", {"n": n, "size": sizes[n % 4]}, f"req-{n}", "fn", 10.0)
                for n in range(40)
            ]
            return await asyncio.gather(
                *(pool.run(j, 0.5 if j.event["n"] == 7 else 20) for j in jobs)
            )
        finally:
            await pool.stop()

    answers = asyncio.run(go())
    for n, answer in enumerate(answers):
        if n == 7:
            assert error_type(answer) == "Sandbox.Timedout"
            continue
        assert answer.function_error is None
        assert json.loads(answer.payload) == {"n": n, "pad": "x" * sizes[n % 4]}
        assert answer.log == f"job {n}\n"
        assert answer.request_id == f"req-{n}"
