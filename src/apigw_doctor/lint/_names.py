"""Names a handler module uses but never defines or imports (``except ClientError``
without its import, a misspelt variable): a NameError at import or when the line
runs, so the request fails (F1) and API Gateway answers 502.

pyflakes already knows Python's scoping rules; this module only runs it on
handler modules (once per file), keeps its undefined-name messages, and drops
the ones that cannot raise: annotations Python never evaluates, and code under
``if __name__ == "__main__":`` (never run by Lambda).
"""

from __future__ import annotations

import ast
import builtins
import symtable
from collections.abc import Iterator

from pyflakes import messages
from pyflakes.checker import Checker

from ._project import Module

_FIX_IMPORTS = {
    "ClientError": "from botocore.exceptions import ClientError",
    "BotoCoreError": "from botocore.exceptions import BotoCoreError",
    "Key": "from boto3.dynamodb.conditions import Key",
    "Attr": "from boto3.dynamodb.conditions import Attr",
    "Decimal": "from decimal import Decimal",
    "json": "import json",
    "os": "import os",
    "boto3": "import boto3",
    "logging": "import logging",
    "datetime": "from datetime import datetime (or import datetime)",
    "time": "import time",
    "uuid": "import uuid",
    "base64": "import base64",
}


class UndefinedName:
    """One undefined name: where, and whether it fails on import or when its line runs."""

    def __init__(self, name: str, line: int, column: int, at_import: bool) -> None:
        self.name = name
        self.line = line
        self.column = column
        self.at_import = at_import

    @property
    def fix(self) -> str:
        known = _FIX_IMPORTS.get(self.name)
        if known:
            return f"add `{known}` at the top of the module"
        return f"define or import {self.name!r} (a misspelt name?)"


def undefined_names(module: Module) -> Iterator[UndefinedName]:
    """pyflakes' undefined names in ``module`` that can raise at run time."""
    if not _may_have_undefined(module):
        return
    checker = Checker(module.tree, filename=str(module.path), withDoctest=False)
    if not any(isinstance(m, messages.UndefinedName) for m in checker.messages):
        return
    quiet = _never_evaluated(module.tree) + _encoder_fallbacks(module.tree)
    functions = _function_lines(module.tree)
    for message in checker.messages:
        if not isinstance(message, messages.UndefinedName):
            continue
        line, column = message.lineno, message.col
        if any(start <= line <= end for start, end in quiet):
            continue
        at_import = not any(start < line <= end for start, end in functions)
        yield UndefinedName(str(message.message_args[0]), line, column + 1, at_import)


_BUILTINS = frozenset(dir(builtins)) | {"__file__", "__builtins__", "__spec__", "__loader__"}


def _may_have_undefined(module: Module) -> bool:
    """A quick first pass with the compiler's own symbol tables (C code, a few times
    faster than pyflakes): does any scope read a global name that the module never
    binds and that is no builtin?  Most modules have none; pyflakes runs on the rest."""
    try:
        table = symtable.symtable(module.source, str(module.path), "exec")
    except (SyntaxError, ValueError):
        return False
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    if "*" in defined:
        return False  # from x import *: pyflakes cannot tell either
    stack = [table]
    while stack:
        scope = stack.pop()
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if (
                symbol.is_referenced()
                and (symbol.is_global() or scope is table)
                and not symbol.is_assigned()
                and not symbol.is_imported()
                and not symbol.is_parameter()
                and name not in defined
                and name not in _BUILTINS
            ):
                return True
        stack.extend(scope.get_children())
    return False


def _function_lines(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of function bodies and lambdas: code that runs only when called."""
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    return spans


def _encoder_fallbacks(tree: ast.Module) -> list[tuple[int, int]]:
    """The last resort of a JSON encoder's ``default`` method,
    ``return super(DecimalEncoder, self).default(o)``: it runs only for a value the
    encoder cannot serialise, and json's TypeError there is a 502 as surely as a
    NameError, so a misspelt class name in it changes nothing a client sees."""
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for method in node.body:
            if not isinstance(method, ast.FunctionDef) or method.name != "default":
                continue
            for statement in ast.walk(method):
                if (
                    isinstance(statement, ast.Return)
                    and isinstance(statement.value, ast.Call)
                    and isinstance(statement.value.func, ast.Attribute)
                    and statement.value.func.attr == "default"
                ):
                    spans.append(_span(statement))
    return spans


def _never_evaluated(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans Python never evaluates in Lambda: ``if __name__ == "__main__":``
    blocks, string annotations, every annotation under ``from __future__ import
    annotations``, and annotations of local variables."""
    postponed = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "annotations" for a in node.names)
        for node in tree.body
    )
    spans: list[tuple[int, int]] = []
    for statement in tree.body:
        if isinstance(statement, ast.If) and _is_main_guard(statement.test):
            spans.append((statement.lineno, statement.end_lineno or statement.lineno))
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
                arguments.vararg,
                arguments.kwarg,
            ]
            annotations += [a.annotation for a in every if a is not None]
            annotations.append(node.returns)
            for inner in ast.walk(node):
                if isinstance(inner, ast.AnnAssign):
                    spans.append(_span(inner.annotation))
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            if annotation is None:
                continue
            if postponed or (
                isinstance(annotation, ast.Constant) and isinstance(annotation.value, str)
            ):
                spans.append(_span(annotation))
    return spans


def _span(node: ast.AST) -> tuple[int, int]:
    line: int = getattr(node, "lineno", 0)
    return line, getattr(node, "end_lineno", None) or line


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )
