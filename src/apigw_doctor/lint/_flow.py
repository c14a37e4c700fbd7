"""Control flow of one function: which returns are reachable, and can it fall off
the end (an implicit ``return None``)?

A statement "completes" when control can reach the statement after it.  The
rules are Python's: ``return``/``raise`` never complete; a loop completes
unless it is ``while True`` without a reachable ``break``; ``try`` completes
through its body or any handler unless ``finally`` cannot complete; a
``match`` with an irrefutable case completes only through a case.  Calls that
never return (``sys.exit``, ``os._exit``, functions annotated ``NoReturn``)
end a path like ``raise`` does.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

NO_RETURN_CALLS = frozenset(
    {
        "sys.exit",
        "exit",
        "quit",
        "os._exit",
        "os.abort",
        "os.execv",
        "os.execve",
        "pytest.fail",
        "pytest.skip",
    }
)

IsNoReturn = Callable[[ast.Call], bool]


@dataclass
class Flow:
    """What the analysis found in one function body."""

    returns: list[ast.Return] = field(default_factory=list)
    raises: list[ast.Raise] = field(default_factory=list)
    #: the statement after which control falls off the end, if any
    falls_off_after: ast.stmt | None = None


@dataclass
class _Paths:
    """Ways out of a statement list, besides completing."""

    breaks: bool = False


def analyse(function: ast.FunctionDef | ast.AsyncFunctionDef, is_no_return: IsNoReturn) -> Flow:
    """Reachable returns and raises of ``function``, and where it can fall off."""
    walker = _Walker(is_no_return)
    if walker.block(function.body, _Paths()):
        walker.flow.falls_off_after = function.body[-1]
    return walker.flow


def is_constant_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value)


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else ``None``."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Walker:
    """Visits statements; each method says whether its statement completes."""

    def __init__(self, is_no_return: IsNoReturn) -> None:
        self.is_no_return = is_no_return
        self.flow = Flow()

    def block(self, body: Sequence[ast.stmt], paths: _Paths) -> bool:
        for statement in body:
            method = getattr(self, f"visit_{type(statement).__name__}", self.visit_default)
            if not method(statement, paths):
                return False  # the rest of the block is unreachable
        return True

    def visit_default(self, node: ast.stmt, paths: _Paths) -> bool:
        return True

    def visit_Return(self, node: ast.Return, paths: _Paths) -> bool:
        self.flow.returns.append(node)
        return False

    def visit_Raise(self, node: ast.Raise, paths: _Paths) -> bool:
        self.flow.raises.append(node)
        return False

    def visit_Break(self, node: ast.Break, paths: _Paths) -> bool:
        paths.breaks = True
        return False

    def visit_Continue(self, node: ast.Continue, paths: _Paths) -> bool:
        return False

    def visit_Expr(self, node: ast.Expr, paths: _Paths) -> bool:
        call = node.value
        if isinstance(call, ast.Await):
            call = call.value
        if isinstance(call, ast.Call):
            name = dotted_name(call.func)
            if name in NO_RETURN_CALLS or self.is_no_return(call):
                return False
        return True

    def visit_Assert(self, node: ast.Assert, paths: _Paths) -> bool:
        return not (isinstance(node.test, ast.Constant) and not node.test.value)

    def visit_If(self, node: ast.If, paths: _Paths) -> bool:
        body = self.block(node.body, paths)
        if is_constant_true(node.test):
            return body
        orelse = self.block(node.orelse, paths)
        return body or orelse

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, forever: bool) -> bool:
        inner = _Paths()
        self.block(node.body, inner)  # continue/break stay inside the loop
        if forever:
            return inner.breaks
        return self.block(node.orelse, _Paths()) or inner.breaks

    def visit_While(self, node: ast.While, paths: _Paths) -> bool:
        return self._loop(node, is_constant_true(node.test))

    def visit_For(self, node: ast.For, paths: _Paths) -> bool:
        return self._loop(node, False)

    def visit_AsyncFor(self, node: ast.AsyncFor, paths: _Paths) -> bool:
        return self._loop(node, False)

    def visit_With(self, node: ast.With, paths: _Paths) -> bool:
        return self.block(node.body, paths)

    def visit_AsyncWith(self, node: ast.AsyncWith, paths: _Paths) -> bool:
        return self.block(node.body, paths)

    def visit_Try(self, node: ast.Try | ast.TryStar, paths: _Paths) -> bool:
        body = self.block(node.body, paths)
        if body and node.orelse:
            body = self.block(node.orelse, paths)
        handlers = [self.block(h.body, paths) for h in node.handlers]
        if node.finalbody and not self.block(node.finalbody, paths):
            return False
        return body or any(handlers)

    def visit_TryStar(self, node: ast.TryStar, paths: _Paths) -> bool:
        return self.visit_Try(node, paths)

    def visit_Match(self, node: ast.Match, paths: _Paths) -> bool:
        cases = [self.block(case.body, paths) for case in node.cases]
        exhaustive = any(_irrefutable(case) for case in node.cases)
        return any(cases) or not exhaustive


def _irrefutable(case: ast.match_case) -> bool:
    """``case _:`` or ``case name:`` without a guard always matches."""
    pattern = case.pattern
    while isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        pattern = pattern.pattern
    return case.guard is None and isinstance(pattern, ast.MatchAs) and pattern.pattern is None
