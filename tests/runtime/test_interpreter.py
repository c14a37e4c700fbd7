"""Which Python runs the handlers: the project's, found as the issue orders it."""

import os
import stat
import sys
from pathlib import Path

import pytest

from apigw_doctor.runtime.interpreter import InterpreterError, choose
from support.venvs import project_venv

OWN = ".".join(str(n) for n in sys.version_info[:3])
MINOR = f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(autouse=True)
def no_active_venv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("APIGW_DOCTOR_PYTHON", raising=False)


def fake_python(path: Path, says: str, status: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{says}'\nexit {status}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_explicit_python_wins(tmp_path: Path) -> None:
    project_venv(tmp_path, "unused", "")
    chosen = choose(sys.executable, [tmp_path], ["python3.12"])
    assert (chosen.path, chosen.version, chosen.source) == (sys.executable, OWN, "--python")


@pytest.mark.parametrize(
    ("says", "status", "message"),
    [("2.7.18", 0, "workers need Python 3.9 or newer"), ("", 127, "does not run (exit 127")],
)
def test_an_explicit_python_that_cannot_run_workers_is_refused(
    tmp_path: Path, says: str, status: int, message: str
) -> None:
    python = fake_python(tmp_path / "python", says, status)
    with pytest.raises(InterpreterError, match=message.replace("(", r"\(")):
        choose(str(python))


def test_the_active_virtual_env_comes_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = project_venv(tmp_path / "active", "unused", "")
    project_venv(tmp_path / "project", "unused", "")
    monkeypatch.setenv("VIRTUAL_ENV", str(python.parent.parent))
    chosen = choose(None, [tmp_path / "project"])
    assert chosen.path == str(python) and chosen.source == "the active VIRTUAL_ENV"


def test_a_venv_beside_the_template(tmp_path: Path) -> None:
    python = project_venv(tmp_path, "unused", "")
    chosen = choose(None, [tmp_path], [MINOR])
    assert chosen.path == str(python) and chosen.version == OWN
    assert chosen.source == f".venv in {tmp_path.resolve()}"
    assert chosen.mismatch([MINOR]) is None


def test_the_templates_runtime_on_path_then_a_mismatch_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bin").mkdir()
    os.symlink(sys.executable, tmp_path / "bin" / "python3.99")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    chosen = choose(None, [tmp_path / "nothing-here"], ["python3.99", "nodejs20.x", None])
    assert chosen.source == "the template's Runtime python3.99, on PATH"
    warning = chosen.mismatch(["python3.99"])
    assert warning is not None and "python3.99" in warning and OWN in warning


def test_a_broken_candidate_is_passed_over_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_python(tmp_path / "bin" / "python3.98", "", 127)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    chosen = choose(None, [], ["python3.98"])
    assert chosen.source == "apigw-doctor's own" and chosen.path == sys.executable
    assert "python3.98" in chosen.passed_over[0] and "does not run" in chosen.passed_over[0]


def test_a_shim_is_named_but_workers_start_the_python_behind_it(tmp_path: Path) -> None:
    """A pyenv/asdf shim is a script that starts the real interpreter: a process more
    (a tenth of a second) for every worker, so workers start what it starts."""
    shim = tmp_path / "shims" / MINOR
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    chosen = choose(str(shim))
    assert (chosen.path, chosen.version) == (str(shim), OWN)
    assert chosen.command == sys.executable


def test_a_python_that_is_no_shim_starts_as_itself(tmp_path: Path) -> None:
    chosen = choose(sys.executable)
    assert chosen.command == chosen.path == sys.executable
