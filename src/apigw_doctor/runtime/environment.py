"""What a function sees when Lambda runs it: environment variables, import path,
working directory.  From the project model, so a handler that reads
``os.environ["TABLE"]`` or imports a layer's module runs here as it does there.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import _json as json_text
from ..project import Function

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Environment:
    variables: dict[str, str] = field(default_factory=dict)
    paths: tuple[Path, ...] = ()  # sys.path entries, first wins
    cwd: Path | None = None


def sandbox_variables(inherit_shell: bool = False) -> dict[str, str]:
    """What a worker process starts with: Lambda's own fixed variables and the PATH to
    find programs, nothing else of this shell (its tokens, DATABASE_URL, TZ...), unless
    the user passes the shell through (``--inherit-env``)."""
    if inherit_shell:
        return dict(os.environ)
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONIOENCODING": "utf-8",
    }


def lambda_defaults(region: str | None = None) -> Environment:
    """What every function sees, when no template says more: its region."""
    region = region or os.environ.get("AWS_REGION") or DEFAULT_REGION
    return Environment({"AWS_REGION": region, "AWS_DEFAULT_REGION": region})


class EnvVarsError(Exception):
    """An --env-vars file that cannot be used; the message says why and how to fix it."""


def load_env_vars(path: Path) -> dict[str, dict[str, str]]:
    """``sam local``'s format: ``{"Parameters": {...}, "FunctionName": {...}}``; the
    first applies to every function, the others to one function each."""
    try:
        data = json_text.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EnvVarsError(f"{path}: cannot read the environment file: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise EnvVarsError(
            f'{path}: expected {{"Parameters": {{"VAR": "value"}}, "FunctionName": '
            '{"VAR": "value"}} (the format of sam local --env-vars)'
        )
    return {str(k): {str(n): str(v) for n, v in values.items()} for k, values in data.items()}


def environment_for(
    function: Function,
    *,
    region: str | None = None,
    overrides: dict[str, dict[str, str]] | None = None,
) -> Environment:
    """Lambda's own variables, then the template's (Globals and the function's), then
    an --env-vars file's (for every function, then for this one)."""
    region = region or os.environ.get("AWS_REGION") or DEFAULT_REGION
    code = function.code_dir.resolve()
    variables = {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "LAMBDA_TASK_ROOT": str(code),
        **({"AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}"} if function.runtime else {}),
        **function.environment,
        **(overrides or {}).get("Parameters", {}),
        **(overrides or {}).get(function.name, {}),
    }
    layers = tuple(_layer_path(layer.resolve()) for layer in function.layers)
    overlay = tuple(folder.resolve() for folder in function.overlay)
    return Environment(variables, (*overlay, code, *layers), code)


def _layer_path(layer: Path) -> Path:
    """Lambda puts a layer's python/ folder on the path after the code (/opt/python).
    A layer folder without one is source that `sam build` (``BuildMethod: python3.x``)
    copies into python/: the folder itself is what ends up there."""
    built = layer / "python"
    return built if built.is_dir() or not layer.is_dir() else layer


@contextlib.contextmanager
def applied(environment: Environment, inherit_shell: bool = False) -> Iterator[None]:
    """Run a block in ``environment`` (in this process, ``--debug``): the process's
    variables are replaced as a worker's are, and everything is put back after."""
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_cwd = Path.cwd()
    os.environ.clear()
    os.environ.update(saved_environ if inherit_shell else sandbox_variables())
    os.environ.update(environment.variables)
    sys.path[:0] = [str(p) for p in environment.paths if str(p) not in sys.path]
    if environment.cwd is not None and environment.cwd.is_dir():
        os.chdir(environment.cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_environ)
