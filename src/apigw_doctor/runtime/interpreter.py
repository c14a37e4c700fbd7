"""Which Python runs the project's handlers.

A project's packages (and their pinned versions) live in its own environment,
not beside apigw-doctor: workers run in ``--python``, else the active
``VIRTUAL_ENV``, else a ``.venv``/``venv`` beside the template, else the
template's ``Runtime`` found on PATH (``python3.12``), else apigw-doctor's own
Python.  Each candidate is asked for its version; one that does not answer
(a broken shim, Python 2) is passed over, and the reason kept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: the oldest Python the worker bootstrap runs in
OLDEST = (3, 9)
#: its version, and the program it really is (a pyenv or asdf shim is a script that
#: starts another program, and costs a tenth of a second or more each time)
_ASK = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)"


class InterpreterError(Exception):
    """The Python the user named cannot run handlers; the message says why."""


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str  # "3.12.1"
    source: str  # why this one: "--python", "VIRTUAL_ENV", ".venv beside template.yaml"...
    passed_over: tuple[str, ...] = field(default=(), compare=False)
    #: the interpreter itself, when ``path`` is a shim that starts it
    executable: str = field(default="", compare=False)

    @property
    def command(self) -> str:
        """What to start workers with: the program the version was asked of, without
        the shim in front (so workers run exactly the version reported)."""
        return self.executable or self.path

    @property
    def minor(self) -> str:
        return "python" + ".".join(self.version.split(".")[:2])

    def describe(self) -> str:
        return f"Python {self.version} ({self.path}; {self.source})"

    def mismatch(self, runtimes: Iterable[str | None]) -> str | None:
        """A warning when the functions' Runtime is another Python version."""
        others = sorted({r for r in runtimes if r and r.startswith("python") and r != self.minor})
        if not others:
            return None
        return (
            f"handlers run in Python {self.version}, but the template says "
            f"{', '.join(others)}: behaviour that differs between versions is not the "
            f"deployed one (--python PATH picks another)"
        )


def choose(
    explicit: str | None = None,
    folders: Sequence[Path] = (),
    runtimes: Iterable[str | None] = (),
) -> Interpreter:
    """The Python for the handlers, by the order in the module docstring."""
    if explicit:
        # a relative path is the user's, from the current folder: workers start in the
        # code folder, so it is made absolute here
        named = os.path.abspath(explicit) if os.sep in explicit else explicit
        found = shutil.which(named) or named
        version, problem = _version(found)
        if version is None:
            raise InterpreterError(f"--python {explicit}: {problem}")
        return Interpreter(found, version, "--python", executable=_executables.get(found, ""))
    passed_over: list[str] = []
    for path, source in _candidates(folders, runtimes):
        version, problem = _version(path)
        if version is not None:
            return Interpreter(
                path, version, source, tuple(passed_over), _executables.get(path, "")
            )
        passed_over.append(f"{path} ({source}): {problem}")
    own = ".".join(str(n) for n in sys.version_info[:3])
    return Interpreter(sys.executable, own, "apigw-doctor's own", tuple(passed_over))


def choose_early(
    explicit: str | None = None,
    folders: Sequence[Path] = (),
    runtimes: Iterable[str | None] = (),
) -> threading.Thread:
    """Ask the likely candidates for their version in the background (each is a
    process start, a shim's more), while the caller reads the project: the
    answers are kept, so the :func:`choose` that follows finds them ready.
    Join the thread before calling :func:`choose`."""

    def ask() -> None:
        with contextlib.suppress(InterpreterError):
            choose(explicit, folders, list(runtimes))

    thread = threading.Thread(target=ask, name="apigw-doctor-python", daemon=True)
    thread.start()
    return thread


def _candidates(
    folders: Sequence[Path], runtimes: Iterable[str | None]
) -> Iterable[tuple[str, str]]:
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        yield str(Path(active) / "bin" / "python"), "the active VIRTUAL_ENV"
    for folder in dict.fromkeys(f.resolve() for f in folders):
        for name in (".venv", "venv"):
            python = folder / name / "bin" / "python"
            if python.exists():
                yield str(python), f"{name} in {folder}"
    for runtime in sorted({r for r in runtimes if r and r.startswith("python")}, reverse=True):
        found = shutil.which(runtime)
        if found:
            yield found, f"the template's Runtime {runtime}, on PATH"


_known: dict[str, tuple[str | None, str]] = {}
_executables: dict[str, str] = {}


def _version(path: str) -> tuple[str | None, str]:
    """The interpreter's version, or why it cannot run the worker."""
    if path in _known:
        return _known[path]
    try:
        done = subprocess.run(
            [path, "-c", _ASK], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        answer: tuple[str | None, str] = (None, f"does not run ({exc})")
    else:
        said, _, executable = done.stdout.strip().partition("\n")
        if done.returncode == 0 and os.path.isabs(executable.strip()):
            _executables[path] = executable.strip()
        if done.returncode != 0 or not said:
            first = (done.stderr.strip().splitlines() or ["no output"])[0].strip()
            answer = (None, f"does not run (exit {done.returncode}: {first})")
        elif tuple(int(n) for n in said.split(".")[:2]) < OLDEST:
            answer = (None, f"is Python {said}; workers need Python 3.9 or newer")
        else:
            answer = (said, "")
    _known[path] = answer
    return answer


def install_hint(python: str) -> str:
    """How to give the Python that runs the handlers the function's packages."""
    return (
        f"install the function's requirements into {python} ({python} -m pip install -r "
        "requirements.txt, best in the project's own .venv), or give the project's Python "
        "with --python"
    )
