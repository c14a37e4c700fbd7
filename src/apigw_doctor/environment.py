"""What a function sees when Lambda runs it: environment variables, import path,
working directory.  From the project model, so a handler that reads
``os.environ["TABLE"]`` or imports a layer's module runs here as it does there.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .project import Function

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Environment:
    variables: dict[str, str] = field(default_factory=dict)
    paths: tuple[Path, ...] = ()  # sys.path entries, first wins
    cwd: Path | None = None
    unset: tuple[str, ...] = ()  # variables of this machine the function must not see


#: where boto3 finds an account: withheld unless the user allows real AWS calls
_CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)
_NO_ACCOUNT = {
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/apigw-doctor/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/apigw-doctor/config",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def without_aws(environment: Environment) -> Environment:
    """The same, with no way for boto3 to find credentials: calls fail fast, nothing
    real is changed."""
    return replace(
        environment,
        variables={**environment.variables, **_NO_ACCOUNT},
        unset=(*environment.unset, *_CREDENTIALS),
    )


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
        data = json.loads(path.read_text(encoding="utf-8"))
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
    return Environment(variables, (code, *layers), code)


def _layer_path(layer: Path) -> Path:
    """Lambda puts a layer's python/ folder on the path after the code (/opt/python).
    A layer folder without one is source that `sam build` (``BuildMethod: python3.x``)
    copies into python/: the folder itself is what ends up there."""
    built = layer / "python"
    return built if built.is_dir() or not layer.is_dir() else layer


@contextlib.contextmanager
def applied(environment: Environment) -> Iterator[None]:
    """Run a block in ``environment`` (in this process), and put everything back."""
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_cwd = Path.cwd()
    os.environ.update(environment.variables)
    for name in environment.unset:
        os.environ.pop(name, None)
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
