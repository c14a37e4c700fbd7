"""The README is a contract: every command in its code blocks runs as written, from the
repository's root, on the bundled example project."""

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```(bash|console)\n(.*?)^```", re.M | re.S)
#: commands that need something this machine is not (an account, a debugger attached)
_ELSEWHERE = ("python3 -m pip install", "python -m debugpy", "bash scripts/")


def commands() -> Iterator[str]:
    """Each command line of the README's bash and console blocks, as a shell runs it."""
    for kind, body in _BLOCK.findall(README.read_text(encoding="utf-8")):
        body = re.sub(r"\\\n\s*", "", body)  # a line continued with a backslash
        for line in body.splitlines():
            if kind == "console":
                if not line.startswith("$ "):
                    continue  # the output shown
                line = line[2:]
            line = re.sub(r"\s+#\s.*$", "", line).strip()  # a trailing comment
            if "apigw-doctor" in line and not line.startswith(_ELSEWHERE):
                yield line


COMMANDS = sorted(set(commands()))


def test_the_readme_shows_commands() -> None:
    assert len(COMMANDS) > 15


def _environment(tmp_path: Path) -> dict[str, str]:
    """The user's shell, with an AWS account that answers nothing (aws commands then
    fail cleanly on AWS's answer, which is what 'runs as written' can mean here)."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIAREADMETESTS00000",
        "AWS_SECRET_ACCESS_KEY": "readme",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: refused at once
        "AWS_MAX_ATTEMPTS": "1",
        "HOME": str(tmp_path),
    }


@pytest.mark.skipif(shutil.which("apigw-doctor") is None, reason="installed command needed")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_readme_command_runs_as_written(command: str, tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    if re.search(r"apigw-doctor serve\b", command):
        _serves(command, environment)
        return
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    said = done.stdout + done.stderr
    assert "Traceback" not in said, said
    # 0 nothing wrong, 1 something would fail (or AWS said no): never 2, a usage error
    assert done.returncode in (0, 1), said
    for leftover in ("report.html",):
        (ROOT / leftover).unlink(missing_ok=True)


def _serves(command: str, environment: dict[str, str]) -> None:
    """A serve command starts, says where it serves, and stops on Ctrl-C."""
    free = _free_port()
    process = subprocess.Popen(
        ["bash", "-c", f"{command} --port {free} --workers 1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        start_new_session=True,
    )
    assert process.stdout is not None
    said: list[str] = []
    deadline = time.monotonic() + 120
    try:
        while not any("serving" in line for line in said):
            line = process.stdout.readline()
            assert line, "".join(said)
            said.append(line)
            assert time.monotonic() < deadline, "".join(said)
    finally:
        os.killpg(process.pid, 2)
        process.communicate(timeout=30)
    assert "Traceback" not in "".join(said)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_commands_are_found_in_console_blocks_too() -> None:
    assert any(c.startswith("apigw-doctor lint examples/project") for c in COMMANDS)
