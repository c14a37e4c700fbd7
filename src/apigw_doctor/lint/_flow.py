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


#: an Enum class of the module -> its member names
Enums = dict[str, frozenset[str]]
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})


def module_enums(tree: ast.Module) -> Enums:
    """The Enum classes a module defines, with their members."""
    found: Enums = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {(dotted_name(b) or "").rpartition(".")[2] for b in node.bases}
        if not bases & _ENUM_BASES:
            continue
        members = {
            target.id
            for statement in node.body
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Name) and not target.id.startswith("_")
        }
        if members:
            found[node.name] = frozenset(members)
    return found


def analyse(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    is_no_return: IsNoReturn,
    enums: Enums | None = None,
    closed: tuple[frozenset[str], ...] = (),
) -> Flow:
    """Reachable returns and raises of ``function``, and where it can fall off.

    ``enums`` and ``closed`` (complete sets of string values, such as the routes a
    template wires to the function) make an if/elif chain over all of them exhaustive.
    """
    walker = _Walker(is_no_return, enums or {}, closed)
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

    def __init__(
        self, is_no_return: IsNoReturn, enums: Enums, closed: tuple[frozenset[str], ...]
    ) -> None:
        self.is_no_return = is_no_return
        self.enums = enums
        self.closed = closed
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
        if (self.enums or self.closed) and _exhaustive(node, self.enums, self.closed):
            # if/elif over every member of an Enum (or every route wired to the
            # function), without else: one branch always runs
            completes = [self.block(branch.body, paths) for branch in _chain(node)]  # walk all
            return any(completes)
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


def _chain(node: ast.If) -> list[ast.If]:
    """``if``, its ``elif``s, in order."""
    chain = [node]
    while len(chain[-1].orelse) == 1 and isinstance(chain[-1].orelse[0], ast.If):
        chain.append(chain[-1].orelse[0])
    return chain


def _exhaustive(node: ast.If, enums: Enums, closed: tuple[frozenset[str], ...]) -> bool:
    """An if/elif chain with no else whose tests compare one subject with every member
    of an Enum (``x is Color.RED``), or with every value of a closed set of strings
    (``event["resource"] == "/a"``); ``or`` joins tests too."""
    chain = _chain(node)
    if chain[-1].orelse:
        return False
    subjects: set[str] = set()
    members: dict[str, set[str]] = {}
    strings: set[str] = set()
    for branch in chain:
        test = branch.test
        tests = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
        )
        for part in tests:
            if not (
                isinstance(part, ast.Compare)
                and len(part.ops) == 1
                and isinstance(part.ops[0], (ast.Is, ast.Eq))
            ):
                return False
            subjects.add(ast.dump(part.left))
            right = part.comparators[0]
            if isinstance(right, ast.Constant) and isinstance(right.value, str):
                strings.add(right.value)
                continue
            member = dotted_name(right)
            if member is None or member.count(".") != 1:
                return False
            enum, _, name = member.partition(".")
            members.setdefault(enum, set()).add(name)
    if len(subjects) != 1:
        return False
    if any(enum in enums and names >= enums[enum] for enum, names in members.items()):
        return True
    return bool(strings) and any(values and strings >= values for values in closed)
