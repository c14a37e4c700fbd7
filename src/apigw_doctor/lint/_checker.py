"""The checks, one method per thing they look at (pyflakes' style): the flow of
a handler, each value it returns, each response dict, each ``json.dumps`` call,
each ``raise``."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..catalogue import SERIALISE_FIX, Finding, demoted, finding
from ..rules import profile_for
from ._aws import datetime_member
from ._flow import analyse, dotted_name
from ._project import FunctionNode, Handler, Module, Project
from ._values import (
    RUNTIME_UNSERIALISABLE,
    UNSERIALISABLE,
    Scope,
    Value,
    call_name,
    classify,
    facts,
    handler_guards,
    serves_another_source,
)

_NON_OBJECT = {
    "str": "a string",
    "list": "a list",
    "number": "a number",
    "bool": "a boolean",
    "repr": "a string",
}
#: findings that are errors behind a REST API (or payload 1.0) but not behind every kind
KIND_DEPENDENT = frozenset({"GW901", "GW902", "GW903", "GW904", "GW906", "GW907", "GW916"})
_NULL_INFERRED = (
    "behind payload 2.0 or a function URL, null becomes an inferred 200 response whose "
    "body is unverified (V3), not a 5xx"
)
_DATA_PATH = (
    "other paths of this handler return proxy responses, so an API proxy calls it; "
    "behind payload 2.0 this dict would be a 200 body instead, hiding the error"
)
_KIND_ASSUMED = (
    "if a REST API is in front: no template places this handler, so the API kind is "
    "assumed; give it with --api or [tool.apigw-doctor] api"
)
_NOT_A_BODY = {
    "dict": "a dict",
    "list": "a list",
    "event-object": "event data (an object)",
    "parsed-json": "the result of json.loads() (a dict or list)",
    "number": "a number",
    "bool": "a boolean",
    "dynamo": "DynamoDB data (an item dict, or a list of items)",
    "aws-response": "a boto3 response (a dict)",
}


@dataclass(frozen=True)
class LintFinding:
    """A finding at a place in a file."""

    path: Path
    line: int
    column: int
    finding: Finding
    handler: str | None = None

    @property
    def code(self) -> str:
        return self.finding.code


class HandlerChecker:
    """Checks one handler; findings are reported in the handler's own file."""

    def __init__(self, project: Project, handler: Handler, is_no_return: NoReturnIndex) -> None:
        self.project = project
        self.handler = handler
        self.module = handler.module
        self.is_no_return = is_no_return
        self.profile = profile_for(handler.api)
        self.findings: list[LintFinding] = []
        self.builds_responses = False
        #: some path returns a proxy response (statusCode): the handler is an API's
        self.responds = False
        #: reporting a dict of data returned as the response
        self.data_dict = False
        #: helper calls already checked: call -> helper functions
        self.helpers_seen: dict[int, set[int]] = {}
        #: what fails when the result cannot be serialised
        self.serialiser_error = "Runtime.MarshalError"

    def report(self, node: ast.AST | None, scope: Scope | None, code: str, **args: str) -> None:
        """A finding at ``node``, or at the handler's return when ``node`` is elsewhere."""
        if scope is not None and scope.module is not self.module:
            node = scope.anchor
        node = node or self.handler.node
        self.findings.append(
            LintFinding(
                self.module.path,
                getattr(node, "lineno", 1),
                getattr(node, "col_offset", 0) + 1,
                self.in_context(finding(code, handler=repr(self.handler.name), **args)),
                self.handler.name,
            )
        )

    def in_context(self, item: Finding) -> Finding:
        """An error only where the API kind makes it one (precision before recall)."""
        if item.code == "GW901" and self.profile.infers_response:
            return demoted(item, _NULL_INFERRED)
        if self.handler.assumed and item.code in KIND_DEPENDENT:
            if item.code == "GW902" and self.data_dict and self.responds:
                # other paths return proxy responses: this one is an API response too
                return item._replace(message=f"{item.message} ({_DATA_PATH})")
            return demoted(item, _KIND_ASSUMED)
        return item

    def text(self, node: ast.AST, scope: Scope | None) -> str:
        """Source text of ``node`` for messages, cut to a readable length."""
        module = scope.module if scope is not None else self.module
        text = module.text_of(node)
        return text if len(text) <= 80 else text[:77] + "..."

    def run(self) -> list[LintFinding]:
        node = self.handler.node
        flow = analyse(node, self.is_no_return.check, self.module.enums, self.handler.closed)
        root = Scope(self.project, self.module, node)
        guards = handler_guards(node) if self.module.mentions_other_sources(node) else {}
        returned = []
        for statement in flow.returns:
            if any(
                wanted and serves_another_source(test) for test, wanted in guards.get(statement, ())
            ):
                continue  # `if "Records" in event: return ...`: not an API Gateway request
            scope = Scope(self.project, self.module, node, anchor=statement)
            returned.append((statement, classify(statement.value, scope), scope))
        self.responds = any(_builds_response(value) for _, value, _ in returned)
        for statement, value, scope in returned:
            self.RETURN(statement, value, scope)
        if flow.falls_off_after is not None:
            after = flow.falls_off_after
            self.report(
                after,
                root,
                "GW901",
                how=f"when control falls off the end after line {after.end_lineno} "
                "(an implicit return None)",
            )
        self.CALLS(root)
        if self.builds_responses:
            self.RAISES(flow.raises, root)
        return self.findings

    # -- what the handler returns ------------------------------------------
    def RETURN(self, statement: ast.Return, value: Value, scope: Scope) -> None:
        if value.kind == "helper":
            self.HELPER(value)
            for returned in value.returns:
                self.RETURN(statement, returned, returned.scope or scope)
        elif value.kind == "none":
            how = "at this bare return" if statement.value is None else "here"
            self.report(value.node or statement, scope, "GW901", how=how)
        elif value.kind == "dict":
            self.DICT(value)
        elif value.kind in _NON_OBJECT and not self.profile.infers_response:
            expr = self.text(value.node, value.scope) if value.node is not None else "..."
            what = _NON_OBJECT[value.kind]
            if (
                value.node is not None
                and isinstance(value.node, ast.Call)
                and call_name(value.node) in ("json.dumps", "dumps")
            ):
                what = "the string json.dumps() makes"
            self.report(value.node or statement, value.scope, "GW902", what=what, expr=expr)
        elif value.kind in RUNTIME_UNSERIALISABLE:
            self.unserialisable(value, "the handler's result")

    # -- a response dict -----------------------------------------------------
    def DICT(self, response: Value) -> None:
        keys = {name for name, *_ in response.items if name is not None}
        if (
            not keys
            & {"statusCode", "body", "headers", "multiValueHeaders", "isBase64Encoded", "cookies"}
            and not self.profile.infers_response
        ):
            if response.keys_known and response.items:
                self.data_dict = True
                self.report(
                    response.node,
                    response.scope,
                    "GW902",
                    what="a dict of data",
                    expr=f"json.dumps({self.text(response.node, response.scope)})"
                    if response.node is not None
                    else "json.dumps(data)",
                )
                self.data_dict = False
            return
        self.builds_responses = self.builds_responses or "statusCode" in keys
        for name, key_node, value_node, scope in response.items:
            if (
                name is not None
                and name not in self.profile.allowed_keys
                and self.profile.unknown_key_code == "GW102"
            ):
                self.report(key_node, scope, "GW903", key=repr(name))
            self.SERIALISABLE(value_node, scope, f"response[{name!r}]" if name else "the response")
        if response.keys_known and "statusCode" not in keys:
            code = "GW905" if self.profile.status_missing_code == "GW203" else "GW904"
            if not self.profile.infers_response:
                self.report(response.node, response.scope, code)
        body = response.item("body")
        if body is not None:
            self.BODY(classify(*body), response)
        headers = response.item("headers")
        if headers is not None:
            self.HEADERS(classify(*headers))

    def BODY(self, body: Value, response: Value) -> None:
        expr = self.text(body.node, body.scope) if body.node is not None else "body"
        if body.kind == "helper":
            self.HELPER(body)
        if body.kind == "dynamo":
            expr += ", default=str"
        if body.kind in _NOT_A_BODY:
            self.report(body.node, body.scope, "GW906", what=_NOT_A_BODY[body.kind], expr=expr)
        elif body.kind == "repr":
            inner = body.returns[0] if body.returns else body
            inner_expr = self.text(inner.node, inner.scope) if inner.node is not None else "data"
            self.report(
                body.node,
                body.scope,
                "GW907",
                what=_NOT_A_BODY.get(inner.kind, "an object"),
                expr=inner_expr,
            )
        flag = response.item("isBase64Encoded")
        if (
            flag is not None
            and isinstance(flag[0], ast.Constant)
            and flag[0].value is True
            and body.kind in ("str", "repr")
        ):
            what = "text" if body.kind == "str" else "a Python repr"
            if (
                body.node is not None
                and isinstance(body.node, ast.Call)
                and call_name(body.node) in ("json.dumps", "dumps")
            ):
                what = "JSON text from json.dumps()"
            self.report(body.node, body.scope, "GW908", what=what)

    def HEADERS(self, headers: Value) -> None:
        for name, _key, value_node, scope in headers.items:
            value = classify(value_node, scope)
            if name is not None and value.kind in ("number", "none", "decimal"):
                what = "None" if value.kind == "none" else "a number"
                self.report(value_node, scope, "GW911", name=repr(name), what=what, bare=name)

    def SERIALISABLE(self, node: ast.expr, scope: Scope, where: str) -> None:
        """Datetimes, sets, bytearrays anywhere inside a response value: what the
        runtime's encoder cannot write (it writes Decimal and UTF-8 bytes, S1, S3)."""
        value = classify(node, scope)
        if value.kind in RUNTIME_UNSERIALISABLE:
            self.unserialisable(value, where, at=node, scope=scope)
        elif value.kind == "b64bytes":
            self.report(node, scope, "GW909", where=where)
        elif isinstance(node, ast.Dict):
            for key, item in zip(node.keys, node.values, strict=True):
                label = f"{where}[{self.text(key, scope)}]" if key is not None else where
                self.SERIALISABLE(item, scope, label)
        elif isinstance(node, (ast.List, ast.Tuple)):
            for item in node.elts:
                self.SERIALISABLE(item, scope, where)

    def unserialisable(
        self, value: Value, where: str, at: ast.AST | None = None, scope: Scope | None = None
    ) -> None:
        """Report where the value is used (``at``), else where it is made."""
        self.report(
            at or value.node,
            scope or value.scope,
            "GW910",
            what=UNSERIALISABLE[value.kind],
            where=where,
            error=self.serialiser_error,
            fix=SERIALISE_FIX[value.kind],
        )

    # -- json.dumps calls -----------------------------------------------------
    def CALLS(self, scope: Scope) -> None:
        """``json.dumps(x)`` without ``default=`` where x holds what it cannot write."""
        for node in facts(self.handler.node, self.module).calls:
            found = self.undumpable(node, scope)
            if found is not None:
                self.report_dumps(node, scope, found, "json.dumps() without default=")

    def HELPER(self, value: Value) -> None:
        """A helper called with DynamoDB data (or other values json.dumps cannot write)
        that passes them to json.dumps: ``return ok(item)``.  Reported at the call."""
        if value.via is None:
            return
        call, inner = value.via
        if id(inner.function) in self.helpers_seen.get(id(call), set()):
            return
        if not any(_carries_undumpable(expr, scope) for expr, scope in inner.bindings.values()):
            return  # nothing json.dumps cannot write goes in: the helper need not be read
        self.helpers_seen.setdefault(id(call), set()).add(id(inner.function))
        for node in facts(inner.function, inner.module).calls:
            found = self.undumpable(node, inner)
            if found is not None:
                where = f"json.dumps() without default= in {inner.function.name}()"
                at = call if inner.module is self.module and inner.depth == 1 else inner.anchor
                self.report_dumps(at, None, found, where)

    def undumpable(self, node: ast.Call, scope: Scope) -> tuple[str, str] | None:
        """The kind of value json.dumps cannot write that ``node`` (a call) passes it,
        and how to name it."""
        if call_name(node) not in ("json.dumps", "dumps") or not node.args:
            return None
        if any(k.arg in ("default", "cls") for k in node.keywords):
            return None
        if _lenient_json(scope.module):
            return None
        value = classify(node.args[0], scope)
        if value.kind == "helper":  # json.dumps(load_item()): what the helper returns
            candidates = list(value.returns)
        elif value.kind == "dict":
            candidates = [classify(item, item_scope) for _, _, item, item_scope in value.items]
        else:
            candidates = [value]
        for value in candidates:
            if value.kind in UNSERIALISABLE:
                return value.kind, UNSERIALISABLE[value.kind]
            if value.kind in ("aws-response", "aws-part"):
                member = datetime_member(value)
                if member is not None:
                    return "aws-datetime", f"{UNSERIALISABLE['aws-datetime']} ({member})"
        return None

    def report_dumps(
        self, node: ast.AST | None, scope: Scope | None, found: tuple[str, str], where: str
    ) -> None:
        """GW910 for json.dumps; DynamoDB data is an error only where items hold numbers."""
        kind, what = found
        before = len(self.findings)
        self.report(
            node,
            scope,
            "GW910",
            what=what,
            where=where,
            error="TypeError",
            fix=SERIALISE_FIX[kind],
        )
        if kind == "dynamo":
            evidence = self.project.number_evidence()
            last = self.findings[before]
            if evidence is None:
                reason = (
                    "if the items hold numbers: DynamoDB returns them as Decimal, and "
                    "nothing in the project shows numbers are stored (no number written, "
                    "no N attribute in a template)"
                )
                self.findings[before] = replace(last, finding=demoted(last.finding, reason))
            else:
                shown = last.finding._replace(
                    message=f"{last.finding.message} (the items hold numbers: {evidence})"
                )
                self.findings[before] = replace(last, finding=shown)

    # -- exceptions that escape -----------------------------------------------
    def RAISES(self, raises: list[ast.Raise], scope: Scope) -> None:
        known = facts(self.handler.node, self.module)
        guarded = known.guarded_lines
        for statement in raises:
            if statement.lineno not in guarded:
                shown = (
                    f"raise {self.text(statement.exc, scope)}" if statement.exc else "a re-raise"
                )
                self.report(statement, scope, "GW912", what=shown)
        event = scope.event_name
        for node in [*known.subscripts, *known.calls]:
            if node.lineno in guarded:
                continue
            risk = _risky_event_access(node, event)
            if risk:
                self.report(node, scope, "GW912", what=risk)
            null = _null_field(node, event, self.handler.api)
            if null and null["field"] not in tested_fields(self.handler.node):
                self.report(node, scope, "GW916", **null)


_PROXY_KEYS = frozenset(
    {"statusCode", "body", "headers", "multiValueHeaders", "isBase64Encoded", "cookies"}
)


def _builds_response(value: Value, depth: int = 0) -> bool:
    """A returned value that is (or a helper that returns) a well-formed proxy response:
    statusCode with a body or headers, and no other key (``{"statusCode": 400,
    "message": ...}`` is a habit of direct invocations, no evidence of an API)."""
    if value.kind == "dict":
        names = {name for name, *_ in value.items}
        return (
            "statusCode" in names
            and bool(names & {"body", "headers"})
            and None not in names
            and names <= _PROXY_KEYS
        )
    if value.kind == "helper" and depth < 4:
        return any(_builds_response(v, depth + 1) for v in value.returns)
    return False


def _carries_undumpable(node: ast.expr, scope: Scope) -> bool:
    """An argument that is, holds or returns what json.dumps cannot write."""
    value = classify(node, scope)
    if value.kind == "dict":
        return any(_undumpable(classify(item, where)) for _, _, item, where in value.items)
    if value.kind == "helper":
        return any(_undumpable(v) for v in value.returns)
    return _undumpable(value)


def _undumpable(value: Value) -> bool:
    if value.kind in ("aws-response", "aws-part"):
        return datetime_member(value) is not None
    return value.kind in UNSERIALISABLE


def _lenient_json(module: Module) -> bool:
    """``import simplejson as json``: its dumps writes Decimal."""
    return any(
        isinstance(node, ast.Import)
        and any(a.name == "simplejson" and a.asname == "json" for a in node.names)
        for node in module.tree.body
    )


#: event fields that are null when the request lacks them, and what it then lacks:
#: payload 1.0 (REST, HTTP API 1.0) sends them as null, payload 2.0 leaves them out
_NULL_FIELDS = {
    "queryStringParameters": ("query string", "{}"),
    "multiValueQueryStringParameters": ("query string", "{}"),
    "pathParameters": ("path parameters", "{}"),
    "stageVariables": ("stage variables", "{}"),
    "body": ("body", '""'),
}
#: API kinds whose events carry those fields as null
_NULL_KINDS = frozenset({"rest", "http-1.0"})


@functools.lru_cache(maxsize=64)
def tested_fields(function: ast.AST) -> frozenset[str]:
    """Event fields a condition of the function tests (``if event.get("body"):``,
    ``event.get("body") and ...``): reads of them may be guarded, so are not reported."""
    tests = [
        n.test if isinstance(n, (ast.If, ast.IfExp, ast.While)) else n
        for n in ast.walk(function)
        if isinstance(n, (ast.If, ast.IfExp, ast.While, ast.BoolOp))
    ]
    return frozenset(
        str(c.value)
        for test in tests
        for c in ast.walk(test)
        if isinstance(c, ast.Constant) and c.value in _NULL_FIELDS
    )


def _null_field(node: ast.AST, event: str | None, api: str) -> dict[str, str] | None:
    """``event.get("queryStringParameters", {}).get("x")``: the default never applies
    where the field is sent as null, and without one the value is None either way.
    Also ``event.get(...)["x"]`` and ``json.loads(event.get("body", "{}"))``."""
    loads = isinstance(node, ast.Call) and call_name(node) in ("json.loads", "loads")
    if isinstance(node, ast.Subscript):
        got, error = node.value, "a TypeError"
    elif loads and isinstance(node, ast.Call) and node.args:
        got, error = node.args[0], "a TypeError"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        got, error = node.func.value, "an AttributeError"
    else:
        return None
    if not (
        event is not None
        and isinstance(got, ast.Call)
        and isinstance(got.func, ast.Attribute)
        and got.func.attr == "get"
        and dotted_name(got.func.value) == event
        and got.args
        and isinstance(got.args[0], ast.Constant)
        and got.args[0].value in _NULL_FIELDS
    ):
        return None
    field = str(got.args[0].value)
    defaulted = len(got.args) > 1 and not (
        isinstance(got.args[1], ast.Constant) and got.args[1].value is None
    )
    if (field == "body") != loads:
        return None  # the body is text: only json.loads of it is read here
    if defaulted and api not in _NULL_KINDS:
        return None  # payload 2.0 leaves the field out: the default applies
    what, empty = _NULL_FIELDS[field]
    return {
        "expr": ast.unparse(got),
        "what": what,
        "field": field,
        "field_repr": repr(field),
        "kinds": " (REST APIs, payload 1.0)" if defaulted else "",
        "error": error,
        "empty": empty,
    }


def _risky_event_access(node: ast.AST, event: str | None) -> str | None:
    """``event["queryStringParameters"]["x"]`` (None without a query string) and
    ``json.loads(event["body"])`` (None without a body, or not JSON)."""
    if event is None:
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript):
        inner = node.value
        if (
            dotted_name(inner.value) == event
            and isinstance(inner.slice, ast.Constant)
            and inner.slice.value in ("queryStringParameters", "multiValueQueryStringParameters")
        ):
            return (
                f"a TypeError from {ast.unparse(node)} (the field is null when the request "
                "has no query string)"
            )
    if isinstance(node, ast.Call) and call_name(node) in ("json.loads", "loads") and node.args:
        arg = node.args[0]
        if (
            isinstance(arg, ast.Subscript)
            and dotted_name(arg.value) == event
            and isinstance(arg.slice, ast.Constant)
            and arg.slice.value == "body"
        ):
            return (
                f"an exception from {ast.unparse(node)} (body is null without a request "
                "body, and may not be JSON)"
            )
    return None


class NoReturnIndex:
    """Which calls never return: project functions annotated NoReturn/Never, or
    whose every path raises."""

    def __init__(self, project: Project, module: Module) -> None:
        self.project = project
        self.module = module
        self._known: dict[int, bool] = {}

    def check(self, call: ast.Call) -> bool:
        if not isinstance(call.func, ast.Name):
            return False
        found = self.project.function(self.module, call.func.id)
        if found is None:
            return False
        _, function = found
        key = id(function)
        if key not in self._known:
            self._known[key] = False  # a recursive helper: assume it returns
            self._known[key] = _never_returns(function, self.check)
        return self._known[key]


def _never_returns(function: FunctionNode, is_no_return: Callable[[ast.Call], bool]) -> bool:
    annotation = function.returns
    if annotation is not None and (dotted_name(annotation) or "").rpartition(".")[2] in (
        "NoReturn",
        "Never",
    ):
        return True
    if isinstance(annotation, ast.Constant) and annotation.value in ("NoReturn", "Never"):
        return True
    flow = analyse(function, is_no_return)
    return not flow.returns and flow.falls_off_after is None


#: Powertools' event handlers: a route's result is serialised by the resolver
RESOLVERS = frozenset(
    {
        "APIGatewayRestResolver",
        "APIGatewayHttpResolver",
        "ApiGatewayResolver",
        "LambdaFunctionUrlResolver",
        "ALBResolver",
    }
)
ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "patch", "head", "route"})


class RouteChecker(HandlerChecker):
    """A Powertools route: its result is valid by construction, except for values the
    resolver's json.dumps cannot write (its encoder handles Decimal, not datetimes or
    sets): a TypeError, and a 502 for the client."""

    def run(self) -> list[LintFinding]:
        self.serialiser_error = "TypeError in the resolver's json.dumps"
        node = self.handler.node
        for statement in analyse(node, self.is_no_return.check).returns:
            scope = Scope(self.project, self.module, node, anchor=statement)
            if statement.value is not None:
                self.SERIALISABLE(statement.value, scope, "the route's result")
        return [f for f in self.findings if f.code == "GW910"]


def route_functions(module: Module) -> list[FunctionNode]:
    """Functions a Powertools resolver of the module routes to (``@app.get("/x")``)."""
    resolvers = {
        target.id
        for node in module.tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and call_name(node.value).rpartition(".")[2] in RESOLVERS
        # a custom serializer, or validation (which encodes with pydantic), writes more
        and not {k.arg for k in node.value.keywords} & {"serializer", "enable_validation"}
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    if not resolvers:
        return []
    return [
        function
        for function in module.functions.values()
        for decorator in function.decorator_list
        if isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_METHODS
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id in resolvers
    ]
