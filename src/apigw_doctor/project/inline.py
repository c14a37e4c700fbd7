"""Code written in the template itself (``Code.ZipFile``, SAM's ``InlineCode``),
written out as Lambda does (its module file, ``index.py`` for ``index.handler``) so
it runs like any other function; and handler modules a deployment tool generates at
package time (``project.generated``), written beside the code; and code given as a
.zip archive (``CodeUri: function.zip``), unpacked.

Each place comes from the template (the logical id names the folder, the handler
names the module), so a template could name a place outside the folder: ``../..``
as a logical id, ``/etc/x.handler`` as a handler. Every file is checked to land
inside ``folder`` before it is written; one that would not is refused."""

from __future__ import annotations

import os
import zipfile
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
        elif function.code_dir.is_file() and zipfile.is_zipfile(function.code_dir):
            # CodeUri names a .zip: Lambda runs what is in the archive
            code_dir = _inside(folder, function, function.name, function.code_dir.name)
            with zipfile.ZipFile(function.code_dir) as archive:
                archive.extractall(code_dir)
            function = replace(function, code_dir=code_dir)
        elif function.generated_code is not None and function.handler:
            # the tool writes it into the package, over a file of the same name
            generated = _inside(folder, function, f"{function.name}.generated")
            target = _inside(generated, function, function.module_name.replace(".", "/") + ".py")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(function.generated_code, encoding="utf-8")
            function = replace(function, overlay=(*function.overlay, generated))
        functions.append(function)
    return replace(project, functions=functions)


def _place(function: Function, folder: Path) -> tuple[Path, Path]:
    """The function's folder and module file, both strictly inside ``folder``."""
    code_dir = _inside(folder, function, function.name)
    return code_dir, _inside(code_dir, function, function.module_name.replace(".", "/") + ".py")


def _inside(folder: Path, function: Function, *parts: str) -> Path:
    """``folder/parts``, refused unless it lands strictly inside ``folder``."""
    root = os.path.realpath(folder)
    target = os.path.normpath(os.path.join(root, *parts))
    if os.path.commonpath([root, target]) != root or target == root or "\x00" in target:
        raise TemplateError(
            f"{function.template}: {function.name!r} (handler {function.handler!r}): its "
            "code would be written outside apigw-doctor's own folder; a logical id and a "
            "handler's module must be plain names: not run"
        )
    return Path(target)
