"""flake8 plugin: the same findings, inside flake8 (codes GW9xx)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .. import __version__
from . import lint_source


class Plugin:
    """flake8 calls this once per file, with the parsed tree and the file's lines."""

    name = "apigw-doctor"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.source = "".join(lines)

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        for item in lint_source(self.source, self.filename):
            if item.code == "GW913":
                continue  # flake8 reports syntax errors itself (E999)
            message = f"{item.code} {item.finding.message} (fix: {item.finding.fix})"
            yield item.line, item.column - 1, message, type(self)
