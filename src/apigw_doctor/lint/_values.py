"""What an expression evaluates to, as far as API Gateway cares.

A small abstract interpretation: each expression gets a *kind* (a string, a
dict with known keys, bytes, a Decimal, DynamoDB data...), following local
assignments and calls to project functions (with their arguments bound), and
``unknown`` whenever it cannot be sure, so the linter stays quiet on correct
code.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ._flow import Flow, analyse, dotted_name
from ._project import OTHER_SOURCE_KEYS, FunctionNode, Module, Project
from ._reach import reaching

#: call name (last dotted parts) -> kind of its result
CALL_KINDS = {
    "json.dumps": "str",
    "dumps": "str",
    "str": "str",
    "repr": "str",
    "format": "str",
    "join": "str",
    "decode": "str",
    "upper": "str",
    "lower": "str",
    "strip": "str",
    "json.loads": "parsed-json",
    "loads": "parsed-json",
    "b64encode": "b64bytes",
    "urlsafe_b64encode": "b64bytes",
    "standard_b64encode": "b64bytes",
    "encode": "bytes",
    "bytes": "bytes",
    "bytearray": "bytearray",
    "set": "set",
    "frozenset": "set",
    "Decimal": "decimal",
    "now": "datetime",
    "utcnow": "datetime",
    "today": "datetime",
    "datetime": "datetime",
    "date": "datetime",
    "fromtimestamp": "datetime",
    "fromisoformat": "datetime",
    "get_item": "dynamo",
    "query": "dynamo",
    "scan": "dynamo",
    "batch_get_item": "dynamo",
    "list": "list",
    "sorted": "list",
    "dict": "dict",
    "int": "number",
    "float": "number",
    "len": "number",
    "sum": "number",
    "round": "number",
}
#: kinds json.dumps cannot serialise (a TypeError in the handler), and how to name them
UNSERIALISABLE = {
    "bytes": "bytes",
    "bytearray": "a bytearray",
    "b64bytes": "bytes from base64.b64encode()",
    "set": "a set",
    "decimal": "a Decimal",
    "datetime": "a datetime",
    "dynamo": "DynamoDB data (Decimal numbers)",
    "aws-datetime": "a boto3 response holding datetimes",
}
#: the subset the Lambda runtime's own encoder cannot serialise either (spec S1-S7):
#: it writes Decimal as a number and UTF-8 bytes as text
RUNTIME_UNSERIALISABLE = frozenset({"bytearray", "set", "datetime"})
#: event fields that are objects or lists, never strings
EVENT_OBJECTS = frozenset(
    {
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
        "cookies",
    }
)
MAX_DEPTH = 4


@dataclass
class Scope:
    """Where an expression lives: its module, function and bound parameters."""

    project: Project
    module: Module
    function: FunctionNode
    bindings: dict[str, tuple[ast.expr, Scope]] = field(default_factory=dict)
    depth: int = 0
    #: the return statement in the handler this scope was reached from
    anchor: ast.AST | None = None

    @property
    def event_name(self) -> str | None:
        args = self.function.args.posonlyargs + self.function.args.args
        return args[0].arg if args and self.depth == 0 else None

    def assignments(self, name: str) -> list[ast.expr]:
        """What ``name`` is assigned in the function, else at the module's top level."""
        local = facts(self.function, self.module).assignments.get(name)
        if local is not None:
            return local
        return _module_assignments(self.module.tree).get(name, [])

    def key_stores(self, name: str) -> list[tuple[ast.expr, ast.expr]]:
        return facts(self.function, self.module).key_stores.get(name, [])


Item = tuple[str | None, ast.AST, ast.expr, "Scope"]


@dataclass
class Value:
    """The kind of an expression, and for dicts, their keys."""

    kind: str
    node: ast.expr | None = None
    scope: Scope | None = None
    #: for dicts: (key, key node, value expr, value scope); None key = ``**spread``
    items: list[Item] = field(default_factory=list)
    #: for helper calls: the values the helper can return
    returns: list[Value] = field(default_factory=list)
    #: for helper calls: the call, and the helper's scope with its arguments bound
    via: tuple[ast.Call, Scope] | None = None

    def item(self, key: str) -> tuple[ast.expr, Scope] | None:
        for name, _, value, scope in reversed(self.items):
            if name == key:
                return value, scope
        return None

    @property
    def keys_known(self) -> bool:
        return all(name is not None for name, *_ in self.items)


UNKNOWN = Value("unknown")


@dataclass
class Facts:
    """What the checks need from one function body, gathered in a single walk."""

    assignments: dict[str, list[ast.expr]] = field(default_factory=dict)
    #: ``name["key"] = value`` statements, so a dict built in steps is still seen
    key_stores: dict[str, list[tuple[ast.expr, ast.expr]]] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    subscripts: list[ast.Subscript] = field(default_factory=list)
    #: lines inside a ``try`` body that has an ``except`` clause
    guarded_lines: set[int] = field(default_factory=set)


# Computed once per node; weak keys, so a file's facts go when its tree does.
_FACTS: weakref.WeakKeyDictionary[ast.AST, Facts] = weakref.WeakKeyDictionary()
_GLOBALS: weakref.WeakKeyDictionary[ast.AST, dict[str, list[ast.expr]]] = (
    weakref.WeakKeyDictionary()
)
_FLOWS: weakref.WeakKeyDictionary[ast.AST, Flow] = weakref.WeakKeyDictionary()


def facts(function: FunctionNode, module: Module) -> Facts:
    found = _FACTS.get(function)
    if found is None:
        found = _FACTS[function] = _gather(function, module)
    return found


#: only functions whose text holds one of these need their expressions walked
_EXPRESSION_MARKERS = ("dumps", "loads", "queryStringParameters")


def _gather(function: FunctionNode, module: Module) -> Facts:
    found = Facts()
    for node in statements(function.body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.assignments.setdefault(target.id, []).append(node.value)
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    found.key_stores.setdefault(target.value.id, []).append(
                        (target.slice, node.value)
                    )
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
        ):
            found.assignments.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
            # the loop variable is an element of what is iterated
            found.assignments.setdefault(node.target.id, []).append(
                ast.Subscript(value=node.iter, slice=ast.Constant(0))
            )
        elif isinstance(node, (ast.Try, ast.TryStar)) and node.handlers:
            for statement in node.body:
                found.guarded_lines.update(
                    range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
                )
    text = module.segment(function)
    if any(marker in text for marker in _EXPRESSION_MARKERS):
        found.calls, found.subscripts = calls_and_subscripts(function)
    return found


_LEAVES = (
    ast.Name,
    ast.Constant,
    ast.expr_context,
    ast.operator,
    ast.cmpop,
    ast.unaryop,
    ast.boolop,
)


def calls_and_subscripts(root: ast.AST) -> tuple[list[ast.Call], list[ast.Subscript]]:
    """Every call and subscript under ``root``: ``ast.walk`` without its per-node
    generators, never descending into names, constants and operators."""
    calls: list[ast.Call] = []
    subscripts: list[ast.Subscript] = []
    stack = [root]
    leaves = _LEAVES
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Subscript):
            subscripts.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, leaves):
                        stack.append(item)
            elif isinstance(value, ast.AST) and not isinstance(value, leaves):
                stack.append(value)
    return calls, subscripts


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement in ``body`` and in the blocks it contains (not nested defs)."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from statements(getattr(statement, name, None) or [])
        for handler in getattr(statement, "handlers", None) or []:
            yield from statements(handler.body)
        for case in getattr(statement, "cases", None) or []:
            yield from statements(case.body)


def _module_assignments(tree: ast.Module) -> dict[str, list[ast.expr]]:
    """Top-level ``name = value`` of a module (for constants handlers use)."""
    cached = _GLOBALS.get(tree)
    if cached is None:
        found: dict[str, list[ast.expr]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append(node.value)
        cached = _GLOBALS[tree] = found
    return cached


def call_name(call: ast.Call) -> str:
    """``json.dumps`` for json.dumps(...), ``decode`` for x.decode(...)."""
    name = dotted_name(call.func)
    if name is None and isinstance(call.func, ast.Attribute):
        return call.func.attr
    return name or ""


def keyed_read(node: ast.AST) -> tuple[ast.expr, object] | None:
    """(what is read, the key) of ``x[key]`` (read, not written) or ``x.get(key, ...)``
    with a literal key."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.slice, ast.Constant)
    ):
        return node.value, node.slice.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        return node.func.value, node.args[0].value
    return None


def classify(node: ast.expr | None, scope: Scope) -> Value:
    """The kind of ``node`` evaluated in ``scope``."""
    if node is None:
        return Value("none", node, scope)
    method = _CLASSIFIERS.get(type(node))
    value = method(node, scope) if method else UNKNOWN
    if value.node is None and value is not UNKNOWN:
        value.node = node
        value.scope = scope
    return value


def _constant(node: ast.Constant, scope: Scope) -> Value:
    value = node.value
    if value is None:
        return Value("none")
    if isinstance(value, bool):
        return Value("bool")
    if isinstance(value, (int, float)):
        return Value("number")
    if isinstance(value, str):
        return Value("str")
    if isinstance(value, bytes):
        return Value("bytes")
    return UNKNOWN


def _dict(node: ast.Dict, scope: Scope) -> Value:
    items: list[Item] = []
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:
            items.append((None, value, value, scope))
        elif isinstance(key, ast.Constant) and isinstance(key.value, str):
            items.append((key.value, key, value, scope))
        else:
            items.append((None, key, value, scope))
    return Value("dict", items=items)


#: names being resolved right now: ``r = r[1]`` refers to itself, and must not loop
_RESOLVING: set[tuple[int, str]] = set()


def _name(node: ast.Name, scope: Scope) -> Value:
    if node.id in scope.bindings:
        expr, outer = scope.bindings[node.id]
        return classify(expr, outer)
    if node.id == scope.event_name:
        return Value("event")
    assigned = scope.assignments(node.id)
    if not assigned:
        return UNKNOWN
    if len(assigned) > 1 and getattr(node, "lineno", None) is not None:
        assigned = _reaching(scope, node) or assigned
    resolving = (id(scope.function), node.id)
    if resolving in _RESOLVING:
        return UNKNOWN
    _RESOLVING.add(resolving)
    try:
        values = [classify(expr, scope) for expr in assigned]
    finally:
        _RESOLVING.discard(resolving)
    kinds = {v.kind for v in values}
    if len(kinds) != 1 or "unknown" in kinds:
        return UNKNOWN
    value = values[-1]
    if value.kind == "dict":
        stores: list[Item] = [
            (
                key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None,
                key,
                expr,
                scope,
            )
            for key, expr in scope.key_stores(node.id)
        ]
        if len(values) > 1 and len({_responds(v) for v in values}) > 1:
            # a proxy response on one path, a dict of data on another (the error
            # path's {"Error Message": ...}): each is returned as it is
            return Value(
                "helper",
                node,
                scope,
                returns=[Value("dict", v.node, v.scope, items=v.items + stores) for v in values],
            )
        merged: list[Item] = [item for v in values for item in v.items]
        return Value("dict", node, scope, items=merged + stores)
    return Value(value.kind, node, scope, items=value.items, returns=value.returns, via=value.via)


_REACHING: weakref.WeakKeyDictionary[ast.AST, dict[tuple[str, int], list[ast.expr] | None]] = (
    weakref.WeakKeyDictionary()
)


def _reaching(scope: Scope, node: ast.Name) -> list[ast.expr] | None:
    """The assignments of a local name that reach its use (None: cannot tell)."""
    if node.id not in facts(scope.function, scope.module).assignments:
        return None
    cache = _REACHING.setdefault(scope.function, {})
    key = (node.id, node.lineno)
    if key not in cache:
        cache[key] = reaching(scope.function, node.id, node.lineno)
    return cache[key]


def _responds(value: Value) -> bool | None:
    """Whether a dict has a response key (None: its keys are not all known)."""
    names = {name for name, *_ in value.items}
    if None in names:
        return None
    return bool(names & {"statusCode", "body"})


def _subscript(node: ast.Subscript, scope: Scope) -> Value:
    base = classify(node.value, scope)
    key = node.slice.value if isinstance(node.slice, ast.Constant) else None
    if base.kind == "event":
        if key in EVENT_OBJECTS:
            return Value("event-object")
        return Value("str") if key == "body" else UNKNOWN
    if base.kind in ("dynamo", "aws-response") and key in ("Count", "ScannedCount"):
        return Value("number")
    if base.kind in _AWS_PARTS and isinstance(key, (str, int)):
        return Value("aws-part")  # what it holds is the service model's (lint._aws)
    if base.kind == "decimal" or (base.kind == "dynamo" and _holds_items(key)):
        return Value(base.kind)
    if base.kind == "dict" and isinstance(key, str):
        found = base.item(key)
        return classify(*found) if found else UNKNOWN
    return UNKNOWN


#: a boto3 response and the parts of it taken by a literal key or index
_AWS_PARTS = frozenset({"aws-response", "aws-part"})


def _constant_first(node: ast.Call) -> bool:
    return bool(node.args) and isinstance(node.args[0], ast.Constant)


#: the parts of a DynamoDB result that hold whole items (with their Decimal numbers)
_ITEM_KEYS = frozenset({"Item", "Items", "Attributes", "Responses"})


def _holds_items(key: object) -> bool:
    """A DynamoDB result, an item list or an item: yes.  One named attribute of an item
    may be a string or a number, which the code cannot tell: precision first, no."""
    return key is None or isinstance(key, int) or key in _ITEM_KEYS


#: DynamoDB reads: the Table resource returns Decimal numbers, the low-level client
#: typed attribute maps ({"N": "1.5"}), which json.dumps writes as they are
_DYNAMO_READS = frozenset({"get_item", "query", "scan", "batch_get_item"})


#: client methods that are no AWS operation (and return no response dict)
_NOT_RESPONSES = frozenset(
    {
        "generate_presigned_url",
        "generate_presigned_post",
        "generate_db_auth_token",
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "close",
        "Table",
    }
)
#: DynamoDB Table writes: their result is a response dict (metadata, maybe Attributes)
_TABLE_WRITES = frozenset({"put_item", "update_item", "delete_item", "batch_write_item"})


def _call(node: ast.Call, scope: Scope) -> Value:
    name = call_name(node)
    if (
        name.rpartition(".")[2] == "client"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return Value("aws-client")
    method = name.rpartition(".")[2]
    if (
        isinstance(node.func, ast.Attribute)
        and method not in _NOT_RESPONSES
        and not (
            isinstance(node.func.value, ast.Name)
            and node.func.value.id in scope.module.module_aliases
        )
    ):
        if classify(node.func.value, scope).kind == "aws-client":
            return Value("aws-response")  # every client operation returns a dict
        if method in _TABLE_WRITES:
            return Value("aws-response")
    helper = _helper_value(node, scope)
    if helper is not None:
        return helper
    if name.endswith(".get") or name == "get":
        base = classify(node.func.value, scope) if isinstance(node.func, ast.Attribute) else None
        if base is not None and base.kind in _AWS_PARTS and _constant_first(node):
            return Value("aws-part")
        if base is not None and base.kind == "event" and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and key.value in EVENT_OBJECTS:
                return Value("event-object")
        wanted = (
            node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        )
        if base is not None and (
            base.kind == "decimal" or (base.kind == "dynamo" and _holds_items(wanted))
        ):
            return Value(base.kind)
        return UNKNOWN
    if isinstance(node.func, ast.Attribute) and node.func.attr == "decode":
        inner = classify(node.func.value, scope)
        return Value("b64text" if inner.kind == "b64bytes" else "str")
    last = name.rpartition(".")[2]
    if last == "encode" and _is_jwt_encode(node, name, scope):
        # PyJWT 2 returns str; only PyJWT 1 returned bytes
        return Value("bytes" if scope.project.pins_pyjwt_1(scope.module) else "str")
    kind = CALL_KINDS.get(name) or CALL_KINDS.get(last)
    if kind == "str" and last == "str" and node.args:
        inner = classify(node.args[0], scope)
        if inner.kind in ("dict", "list", "event-object", "parsed-json", "dynamo"):
            return Value("repr", returns=[inner])
    return Value(kind) if kind else UNKNOWN


def _is_jwt_encode(node: ast.Call, name: str, scope: Scope) -> bool:
    """``jwt.encode(...)``, or ``encode(...)`` imported from jwt."""
    if name == "jwt.encode":
        return True
    return name == "encode" and scope.module.imports.get("encode", ("", ""))[0] == "jwt"


def _helper_value(node: ast.Call, scope: Scope) -> Value | None:
    """A call to a project function: what it returns, with the arguments bound."""
    if scope.depth >= MAX_DEPTH:
        return None
    if isinstance(node.func, ast.Name):
        name = node.func.id
    elif (
        isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and (
            node.func.value.id in scope.module.module_aliases
            or node.func.value.id in scope.module.imports
            or node.func.value.id in scope.module.classes
        )
    ):
        name = f"{node.func.value.id}.{node.func.attr}"
    else:
        return None
    found = scope.project.function(scope.module, name)
    if found is None:
        return None
    module, function = found
    inner = Scope(
        scope.project, module, function, _bind(function, node, scope), scope.depth + 1, scope.anchor
    )
    flow = _FLOWS.get(function)
    if flow is None:
        flow = _FLOWS[function] = analyse(function, lambda call: False)
    guards = _guards(function)
    returns = [
        classify(r.value, inner)
        for r in flow.returns
        if all(_possible(test, wanted, function, inner) for test, wanted in guards.get(r, ()))
    ]
    if flow.falls_off_after is not None:
        returns.append(Value("none", None, inner))
    return Value("helper", returns=returns, via=(node, inner))


#: for each return of a function, the ``if`` tests around it and the outcome it needs
Guards = dict[ast.Return, tuple[tuple[ast.expr, bool], ...]]
_GUARDS: weakref.WeakKeyDictionary[ast.AST, Guards] = weakref.WeakKeyDictionary()


def serves_another_source(test: ast.expr) -> bool:
    """``"Records" in event``, ``event.get("source")``...: a branch for other events."""
    return any(
        isinstance(node, ast.Constant) and node.value in OTHER_SOURCE_KEYS
        for node in ast.walk(test)
    )


def handler_guards(function: FunctionNode) -> Guards:
    """The ``if`` tests around each return of a function."""
    return _guards(function)


def _guards(function: FunctionNode) -> Guards:
    found = _GUARDS.get(function)
    if found is None:
        found = _GUARDS[function] = {}
        _collect(function.body, (), found)
    return found


def _collect(body: list[ast.stmt], stack: tuple[tuple[ast.expr, bool], ...], found: Guards) -> None:
    for statement in body:
        if isinstance(statement, ast.Return):
            found[statement] = stack
        elif isinstance(statement, ast.If):
            _collect(statement.body, (*stack, (statement.test, True)), found)
            _collect(statement.orelse, (*stack, (statement.test, False)), found)
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field_name in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(statement, field_name, None)
                if isinstance(inner, list):
                    blocks = [h.body for h in inner] if field_name == "handlers" else [inner]
                    for block in blocks:
                        _collect(block, stack, found)


def _possible(test: ast.expr, wanted: bool, function: FunctionNode, scope: Scope) -> bool:
    """Whether a guard can come out as ``wanted`` with the helper's arguments as bound
    (``respond(200, data)`` never takes ``if payload is None: return None``)."""
    outcome = _outcome(test, function, scope)
    return outcome is None or outcome == wanted


def _outcome(test: ast.expr, function: FunctionNode, scope: Scope) -> bool | None:
    """True/False when the bound arguments decide ``test``; None when they do not."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _outcome(test.operand, function, scope)
        return None if inner is None else not inner
    if isinstance(test, ast.Name):
        known = _argument(test.id, function, scope)
        return None if known in (None, "notnone") else known != "none"
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.left, ast.Name)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        known = _argument(test.left.id, function, scope)
        if known is None:
            return None
        is_none = known == "none"
        if isinstance(test.ops[0], (ast.Is, ast.Eq)):
            return is_none
        if isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
            return not is_none
    return None


def _argument(name: str, function: FunctionNode, scope: Scope) -> str | None:
    """ "none" or "truthy" when a parameter's bound value (or default) says so, else None."""
    if name in scope.bindings:
        expr: ast.expr | None = scope.bindings[name][0]
    else:
        expr = _default(name, function)
    if isinstance(expr, ast.Constant):
        return "none" if expr.value is None else "truthy" if expr.value else None
    if isinstance(expr, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
        items = expr.keys if isinstance(expr, ast.Dict) else expr.elts
        return "truthy" if items else None
    if isinstance(expr, (ast.JoinedStr, ast.Call)) and isinstance(expr, ast.Call):
        return None
    return None


def _default(name: str, function: FunctionNode) -> ast.expr | None:
    positional = function.args.posonlyargs + function.args.args
    defaults = function.args.defaults
    offset = len(positional) - len(defaults)
    for index, arg in enumerate(positional):
        if arg.arg == name and index >= offset:
            return defaults[index - offset]
    for arg, default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True):
        if arg.arg == name:
            return default
    return None


def _bind(
    function: FunctionNode, call: ast.Call, scope: Scope
) -> dict[str, tuple[ast.expr, Scope]]:
    params = [a.arg for a in function.args.posonlyargs + function.args.args]
    if any(isinstance(d, ast.Name) and d.id == "classmethod" for d in function.decorator_list):
        params = params[1:]  # cls
    bound = {
        name: (arg, scope)
        for name, arg in zip(params, call.args, strict=False)
        if not isinstance(arg, ast.Starred)
    }
    for keyword in call.keywords:
        if keyword.arg:
            bound[keyword.arg] = (keyword.value, scope)
    return bound


def _joined_str(node: ast.JoinedStr, scope: Scope) -> Value:
    return Value("str")


def _bin_op(node: ast.BinOp, scope: Scope) -> Value:
    left, right = classify(node.left, scope), classify(node.right, scope)
    if "str" in (left.kind, right.kind) and isinstance(node.op, (ast.Add, ast.Mod)):
        return Value("str")
    if left.kind == right.kind == "number":
        return Value("number")
    return UNKNOWN


def _if_exp(node: ast.IfExp, scope: Scope) -> Value:
    body, orelse = classify(node.body, scope), classify(node.orelse, scope)
    return body if body.kind == orelse.kind else UNKNOWN


_CLASSIFIERS: dict[type[ast.AST], Callable[[Any, Scope], Value]] = {
    ast.Constant: _constant,
    ast.Dict: _dict,
    ast.DictComp: lambda node, scope: Value("dict", items=[(None, node, node, scope)]),
    ast.List: lambda node, scope: Value("list"),
    ast.ListComp: lambda node, scope: Value("list"),
    ast.Tuple: lambda node, scope: Value("list"),
    ast.Set: lambda node, scope: Value("set"),
    ast.SetComp: lambda node, scope: Value("set"),
    ast.Name: _name,
    ast.Subscript: _subscript,
    ast.Call: _call,
    ast.JoinedStr: _joined_str,
    ast.BinOp: _bin_op,
    ast.IfExp: _if_exp,
}
