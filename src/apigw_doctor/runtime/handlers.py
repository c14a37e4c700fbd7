"""Finding a handler function from what users write: ``app:handler``,
``src/app.py:handler`` or Lambda's own ``app.handler``."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from .invocation import Handler


class HandlerNotFound(Exception):
    """The target names no callable handler; the message says why and what to write."""


def load_handler(target: str, *, base: Path | None = None) -> Handler:
    """Import the handler ``target`` names, relative to ``base`` (default: cwd)."""
    base = base or Path.cwd()
    module_part, attribute = _split(target)
    if module_part.endswith(".py") or "/" in module_part:
        module = _import_file(base / module_part, target)
    else:
        module = _import_module(module_part, base, target)
    handler = getattr(module, attribute, None)
    if handler is None:
        shown = getattr(module, "__file__", None) or module.__name__  # never our own alias
        defined = sorted(
            name
            for name, value in vars(module).items()
            if callable(value) and not name.startswith("_") and _defined_in(value, module)
        )
        hint = f" (it defines: {', '.join(defined[:10])})" if defined else ""
        raise HandlerNotFound(f"{target!r}: {shown} has no {attribute!r}{hint}")
    if not callable(handler):
        raise HandlerNotFound(f"{target!r}: {attribute!r} is not a function")
    return handler  # type: ignore[no-any-return]


def _split(target: str) -> tuple[str, str]:
    if ":" in target:
        module_part, _, attribute = target.rpartition(":")
    else:
        module_part, _, attribute = target.rpartition(".")
    if not module_part or not attribute:
        raise HandlerNotFound(
            f"{target!r} is not a handler: write module:function, path/to/file.py:function, "
            "Lambda's module.function, or (invoke) a function's name in the template"
        )
    return module_part, attribute


def _import_file(path: Path, target: str) -> ModuleType:
    path = path if path.suffix == ".py" else path.with_suffix(".py")
    if not path.is_file():
        raise HandlerNotFound(f"{target!r}: no file {path}")
    path = path.resolve()
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # so the handler's own sibling imports work
    # A name per file: two functions may each have an app.py in their own folder.
    name = f"_apigw_doctor_{path.stem}_{abs(hash(str(path))):x}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise HandlerNotFound(f"{target!r}: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise HandlerNotFound(
            f"{target!r}: importing {path} raised {type(exc).__name__}: {exc}"
        ) from exc
    return module


def _import_module(name: str, base: Path, target: str) -> ModuleType:
    folder = str(base.resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise HandlerNotFound(f"{target!r}: no module {name!r} under {base}") from None
        raise HandlerNotFound(f"{target!r}: importing {name!r} failed: {exc}") from exc
    except Exception as exc:
        raise HandlerNotFound(
            f"{target!r}: importing {name!r} raised {type(exc).__name__}: {exc}"
        ) from exc


def _defined_in(value: object, module: ModuleType) -> bool:
    return getattr(value, "__module__", None) == module.__name__
