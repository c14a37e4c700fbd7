"""Reading template files: YAML with CloudFormation's short tags, or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    """A template that cannot be read; the message names the file and the problem."""


class NotATemplate(TemplateError):
    """A file named like a template that is something else (a template engine's
    source): noted, never an error."""


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt...) kept as data."""


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


def _load_yaml(text: str) -> Any:
    """The document, read by libyaml; a broken one is read again by PyYAML's own
    parser, whose messages say more ("expected <block end>, but found '-'")."""
    try:
        return yaml.load(text, _FastCfnLoader)
    except yaml.YAMLError:
        if not _LIBYAML:
            raise
    return yaml.load(text, _CfnLoader)


def read_document(path: Path) -> dict[str, Any]:
    """A template as data; a clear error for a file that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else _load_yaml(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc}") from None
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
    return data


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
