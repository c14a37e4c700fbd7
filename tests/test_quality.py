"""The project's own contract: ruff and mypy --strict stay clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.imports import third_party_imports

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks"],
        [sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks"],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_tool_is_clean(command: list[str]) -> None:
    assert shutil.which("ruff") or command[2] != "ruff"
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_core_imports_only_the_standard_library() -> None:
    assert third_party_imports("apigw_doctor.rules, apigw_doctor.catalogue") == ""
