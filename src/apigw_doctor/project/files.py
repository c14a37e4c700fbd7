"""Reading template files: YAML with CloudFormation's short tags, or JSON."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    """A template that cannot be read; the message names the file and the problem."""


class NotATemplate(TemplateError):
    """A file named like a template that is something else (a template engine's
    source): noted, never an error."""


#: how deep a template may nest: real ones stay under 30 (a Step Functions definition
#: written inline); every reader after this one (SAM's translator, our resolvers) recurses
DEEPEST = 100
#: values aliases may add beyond the file's own (a YAML alias copies a whole subtree,
#: so nine lines of nine aliases each make 387 million values: "billion laughs")
ALIAS_ALLOWANCE = 100_000
_TOO_DEEP = f"nested deeper than {DEEPEST} levels: not read (no template needs it)"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt...) kept as data,
    composed no deeper than :data:`DEEPEST` (PyYAML's composer recurses per level)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > DEEPEST:
                raise yaml.composer.ComposerError(None, None, _TOO_DEEP, self.get_mark())
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        """``[[[[...`` stops here: the scanner's look-ahead costs as much as the
        levels open, so a line of 5,000 brackets took seconds before composing."""
        if self.flow_level >= DEEPEST:
            raise yaml.scanner.ScannerError(None, None, _TOO_DEEP, self.get_mark())
        super().fetch_flow_collection_start(TokenClass)


_LIBYAML = hasattr(yaml, "CSafeLoader")


class _FastCfnLoader(yaml.CSafeLoader if _LIBYAML else yaml.SafeLoader):  # type: ignore[misc]
    """The same, on libyaml's parser when PyYAML has it (several times faster); the
    constructors, hence the data, are the same Python ones."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}" if suffix != "Ref" else "Ref": value}


# CloudFormation reads `Version: 2012-10-17` as text, not as a date
def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


for _loader in (_CfnLoader, _FastCfnLoader):
    _loader.add_multi_constructor("!", _tag)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


#: a bracket's change of the flow depth
_FLOW = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_FLOW = re.compile(r"[^\[\]{}]+")
#: block collections nested on one line (``- - - - x``), or indented past any template
_DEEP_BLOCKS = re.compile(rf"(?:[-?:][ \t]+){{{DEEPEST},}}|^[ \t]{{{DEEPEST * 10},}}", re.M)


def _load_yaml(text: str) -> Any:
    """The document, read by libyaml; a broken one is read again by PyYAML's own
    parser, whose messages say more ("expected <block end>, but found '-'").  A
    document that may nest past :data:`DEEPEST` goes to PyYAML's parser alone:
    libyaml's composer recurses in C and crashes the process (a segfault) some
    thousands of levels down, before any limit of ours could answer."""
    if _LIBYAML and not _may_nest_deep(text):
        try:
            return yaml.load(text, _FastCfnLoader)
        except yaml.YAMLError:
            pass
    return yaml.load(text, _CfnLoader)


def _may_nest_deep(text: str) -> bool:
    """An upper bound, in one pass: brackets anywhere (quoted ones too) count."""
    brackets = _NOT_FLOW.sub("", text)
    if (
        len(brackets) > DEEPEST
        and max(itertools.accumulate(map(_FLOW.__getitem__, brackets))) > DEEPEST
    ):
        return True
    return _DEEP_BLOCKS.search(text) is not None


def read_document(path: Path) -> dict[str, Any]:
    """A template as data; a clear error for a file that is not one, and for one
    built to exhaust its readers (alias bombs, nesting thousands deep)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else _load_yaml(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc}") from None
    except (RecursionError, MemoryError):
        raise TemplateError(f"{path}: {_TOO_DEEP}") from None
    except (ValueError, yaml.YAMLError) as exc:
        if "{{" in text or "{%" in text:
            raise NotATemplate(
                f"{path}: a file for a template engine (cookiecutter/Jinja {{{{ ... }}}}), "
                "not a deployable template: not read"
            ) from None
        raise TemplateError(
            f"{path}:{_where(exc)} not valid {_format(path)}: {_problem(exc)}"
        ) from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: a template must be a mapping at the top level")
    if "&" in text and path.suffix != ".json":  # a YAML anchor, hence maybe aliases
        _check_size(path, data, len(text) + ALIAS_ALLOWANCE)
    elif _nests_deeper(data, DEEPEST - 1):
        raise TemplateError(f"{path}: {_TOO_DEEP}")
    return data


def _nests_deeper(node: dict[str, Any] | list[Any], room: int) -> bool:
    """Containers below ``node`` more than ``room`` levels down.  Without aliases
    nothing is shared, nothing holds itself and the values are no more than the
    file's characters, so depth is all :func:`_check_size` would find; this walk
    is a third of its time (a first lint of a monorepo reads hundreds of
    templates).  It recurses at most :data:`DEEPEST` levels."""
    for child in node.values() if isinstance(node, dict) else node:
        if isinstance(child, (dict, list)) and (room == 0 or _nests_deeper(child, room - 1)):
            return True
    return False


def _check_size(path: Path, data: Any, budget: int) -> None:
    """Refuse data that nests deeper than :data:`DEEPEST`, holds itself (a recursive
    YAML alias), or expands to over ``budget`` values once aliases are followed.

    Aliases load as shared objects, so the walk counts each object once and adds up
    sizes from the bottom (memoised by identity): linear in the file, not in what
    it expands to, and iterative, so it cannot overflow the stack itself."""
    sizes: dict[int, int] = {}
    path_ids: set[int] = set()
    stack: list[tuple[Any, list[Any]]] = [(data, _children(data))]
    path_ids.add(id(data))
    while stack:
        node, pending = stack[-1]
        while pending and not isinstance(pending[-1], (dict, list)):
            pending.pop()  # a scalar: one value, counted below
        if pending:
            child = pending.pop()
            if id(child) in path_ids:
                raise TemplateError(f"{path}: a YAML alias refers to itself: not read")
            if id(child) not in sizes:
                if len(stack) >= DEEPEST:
                    raise TemplateError(f"{path}: {_TOO_DEEP}")
                path_ids.add(id(child))
                stack.append((child, _children(child)))
            continue
        stack.pop()
        path_ids.discard(id(node))
        size = 1 + sum(sizes.get(id(c), 1) for c in _children(node))
        if size > budget:
            raise TemplateError(
                f"{path}: YAML aliases expand to over {budget:,} values (an alias bomb): not read"
            )
        sizes[id(node)] = size


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [*node.keys(), *node.values()]
    return list(node) if isinstance(node, list) else []


def _format(path: Path) -> str:
    return "JSON" if path.suffix == ".json" else "YAML"


def _where(exc: Exception) -> str:
    """``line:column:`` of a parse error (1-based, as editors count), if known."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f"{mark.line + 1}:{mark.column + 1}:"
    line = getattr(exc, "lineno", None)
    return f"{line}:{getattr(exc, 'colno', 1)}:" if line else ""


def _problem(exc: Exception) -> str:
    """The parser's own words, without its copy of the position."""
    if isinstance(exc, yaml.MarkedYAMLError):
        return " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    return str(exc)
