"""Which assignments of a local name can reach a line (reaching definitions, for
one name, on demand).

``response`` assigned in a ``try`` and again in its ``except`` reaches the
``return response`` after both, as two values; ``result = {...}`` later
rebound (``result = {"statusCode": 200, "body": json.dumps(result)}``) does not.
Only plain ``name = value`` statements are followed; a name bound any other way
(loop targets, unpacking, ``with ... as``, augmented assignment) gives ``None``:
cannot tell, and the caller uses every assignment as before.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

Defs = frozenset[ast.expr]
_ENDS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def reaching(
    function: ast.FunctionDef | ast.AsyncFunctionDef, name: str, line: int
) -> list[ast.expr] | None:
    """The values of ``name = value`` statements that may reach ``line``."""
    if not _only_plain_assignments(function, name):
        return None
    walker = _Reach(name, line)
    walker.block(function.body, frozenset())
    if walker.found is None:
        return None
    return sorted(walker.found, key=lambda node: (node.lineno, node.col_offset))


def _only_plain_assignments(function: ast.AST, name: str) -> bool:
    plain = 0
    stores = 0
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            stores += 1
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            plain += sum(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            plain += 1
        elif (isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names) or (
            isinstance(node, ast.arg) and node.arg == name
        ):
            return False
    return stores == plain


def _assigned(statement: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(statement, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in statement.targets
    ):
        return statement.value
    if (
        isinstance(statement, ast.AnnAssign)
        and statement.value is not None
        and isinstance(statement.target, ast.Name)
        and statement.target.id == name
    ):
        return statement.value
    return None


def _ends(body: Sequence[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], _ENDS)


class _Reach:
    def __init__(self, name: str, line: int) -> None:
        self.name = name
        self.line = line
        self.found: Defs | None = None

    def block(self, body: Sequence[ast.stmt], defs: Defs) -> Defs:
        """Definitions after ``body``; stops at the statement holding the line."""
        for statement in body:
            if self.found is not None:
                return defs
            end = statement.end_lineno or statement.lineno
            if statement.lineno <= self.line <= end:
                self.inside(statement, defs)
                return defs
            defs = self.statement(statement, defs)
        return defs

    def inside(self, statement: ast.stmt, defs: Defs) -> None:
        """The line is in ``statement``: the definitions reaching it."""
        blocks = self.blocks_in(statement, defs)
        for body, incoming in blocks:
            if body and body[0].lineno <= self.line <= (body[-1].end_lineno or 0):
                self.block(body, incoming)
                if self.found is not None:
                    return
        self.found = defs  # a simple statement, or the header of a compound one

    def blocks_in(self, statement: ast.stmt, defs: Defs) -> list[tuple[list[ast.stmt], Defs]]:
        if isinstance(statement, ast.If):
            return [(statement.body, defs), (statement.orelse, defs)]
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            looped = defs | self.all_defs(statement.body)
            return [(statement.body, looped), (statement.orelse, looped)]
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            return [(statement.body, defs)]
        if isinstance(statement, (ast.Try, ast.TryStar)):
            tried = defs | self.all_defs(statement.body)
            after_body = self.block_quiet(statement.body, defs)
            everything = tried | self.all_defs(statement.orelse)
            for handler in statement.handlers:
                everything |= self.all_defs(handler.body)
            blocks = [(statement.body, defs), (statement.orelse, after_body)]
            blocks += [(h.body, tried) for h in statement.handlers]
            blocks.append((statement.finalbody, everything))
            return blocks
        if isinstance(statement, ast.Match):
            return [(case.body, defs) for case in statement.cases]
        return []

    def block_quiet(self, body: Sequence[ast.stmt], defs: Defs) -> Defs:
        for statement in body:
            defs = self.statement(statement, defs)
        return defs

    def statement(self, statement: ast.stmt, defs: Defs) -> Defs:
        """Definitions after a statement that does not hold the line."""
        value = _assigned(statement, self.name)
        if value is not None:
            return frozenset({value})
        if isinstance(statement, ast.If):
            out: Defs = frozenset()
            for body in (statement.body, statement.orelse):
                after = self.block_quiet(body, defs)
                if not _ends(body):
                    out |= after
            return out if (out or (_ends(statement.body) and _ends(statement.orelse))) else defs
        if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            return defs | self.all_defs(statement.body) | self.all_defs(statement.orelse)
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            return self.block_quiet(statement.body, defs)
        if isinstance(statement, (ast.Try, ast.TryStar)):
            tried = defs | self.all_defs(statement.body)
            out = frozenset()
            if not _ends(statement.body):
                out |= self.block_quiet(statement.orelse, self.block_quiet(statement.body, defs))
            for handler in statement.handlers:
                if not _ends(handler.body):
                    out |= self.block_quiet(handler.body, tried)
            if statement.finalbody:
                out = self.block_quiet(statement.finalbody, out or tried)
            return out
        if isinstance(statement, ast.Match):
            out = defs
            for case in statement.cases:
                out |= self.block_quiet(case.body, defs)
            return out
        return defs

    def all_defs(self, body: Sequence[ast.stmt]) -> Defs:
        found: set[ast.expr] = set()
        for statement in body:
            for node in ast.walk(statement):
                if isinstance(node, ast.stmt):
                    value = _assigned(node, self.name)
                    if value is not None:
                        found.add(value)
        return frozenset(found)
