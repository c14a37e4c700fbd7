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

from .project import Function

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Environment:
    variables: dict[str, str] = field(default_factory=dict)
    paths: tuple[Path, ...] = ()  # sys.path entries, first wins
    cwd: Path | None = None


def environment_for(function: Function, *, region: str | None = None) -> Environment:
    """Lambda's own variables, then the template's (Globals and the function's)."""
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
    }
    # Lambda puts each layer's python/ folder on the path after the code (/opt/python)
    layers = tuple(layer.resolve() / "python" for layer in function.layers)
    return Environment(variables, (code, *layers), code)


@contextlib.contextmanager
def applied(environment: Environment) -> Iterator[None]:
    """Run a block in ``environment`` (in this process), and put everything back."""
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_cwd = Path.cwd()
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
