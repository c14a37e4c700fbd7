"""Code written in the template itself (``Code.ZipFile``, SAM's ``InlineCode``),
written out as Lambda does (its module file, ``index.py`` for ``index.handler``) so
it runs like any other function; and handler modules a deployment tool generates at
package time (``project.generated``), written beside the code; and code given as a
.zip archive (``CodeUri: function.zip``), unpacked."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

from .model import Project


def materialise(project: Project, folder: Path) -> Project:
    """The project with each inline function's code in its own folder under
    ``folder`` (which the caller owns and removes)."""
    functions = []
    for function in project.functions:
        if function.inline_code is not None and function.handler:
            code_dir = folder / function.name
            module = function.module_name.replace(".", "/") + ".py"
            (code_dir / module).parent.mkdir(parents=True, exist_ok=True)
            (code_dir / module).write_text(function.inline_code, encoding="utf-8")
            function = replace(function, code_dir=code_dir)
        elif function.code_dir.is_file() and zipfile.is_zipfile(function.code_dir):
            # CodeUri names a .zip: Lambda runs what is in the archive
            code_dir = folder / function.name / function.code_dir.name
            with zipfile.ZipFile(function.code_dir) as archive:
                archive.extractall(code_dir)
            function = replace(function, code_dir=code_dir)
        elif function.generated_code is not None and function.handler:
            # the tool writes it into the package, over a file of the same name
            generated = folder / f"{function.name}.generated"
            module = function.module_name.replace(".", "/") + ".py"
            (generated / module).parent.mkdir(parents=True, exist_ok=True)
            (generated / module).write_text(function.generated_code, encoding="utf-8")
            function = replace(function, overlay=(*function.overlay, generated))
        functions.append(function)
    return replace(project, functions=functions)
