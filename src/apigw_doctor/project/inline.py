"""Code written in the template itself (``Code.ZipFile``, SAM's ``InlineCode``),
written out as Lambda does (its module file, ``index.py`` for ``index.handler``) so
it runs like any other function.

The file's place comes from the template (the logical id names the folder, the
handler names the module), so a template could name a place outside the folder:
``../..`` as a logical id, ``/etc/x.handler`` as a handler. Every file is checked
to land inside ``folder`` before it is written; one that would not is refused."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from .files import TemplateError
from .model import Function, Project


def materialise(project: Project, folder: Path) -> Project:
    """The project with each inline function's code in its own folder under
    ``folder`` (which the caller owns and removes); a :class:`TemplateError` for a
    function whose name or handler would put the file anywhere else."""
    functions = []
    for function in project.functions:
        if function.inline_code is not None and function.handler:
            code_dir, module = _place(function, folder)
            module.parent.mkdir(parents=True, exist_ok=True)
            module.write_text(function.inline_code, encoding="utf-8")
            function = replace(function, code_dir=code_dir)
        functions.append(function)
    return replace(project, functions=functions)


def _place(function: Function, folder: Path) -> tuple[Path, Path]:
    """The function's folder and module file, both strictly inside ``folder``."""
    root = os.path.realpath(folder)
    code_dir = os.path.normpath(os.path.join(root, function.name))
    module = function.module_name.replace(".", "/") + ".py"
    target = os.path.normpath(os.path.join(code_dir, module))
    inside = (
        all(os.path.commonpath([root, p]) == root and p != root for p in (code_dir, target))
        and os.path.commonpath([code_dir, target]) == code_dir
        and target != code_dir
    )
    if not inside or "\x00" in target:
        raise TemplateError(
            f"{function.template}: {function.name!r} (handler {function.handler!r}): its "
            "inline code (Code.ZipFile/InlineCode) would be written outside apigw-doctor's "
            "own folder; a logical id and a handler's module must be plain names: not run"
        )
    return Path(code_dir), Path(target)
