"""Whether a project's DynamoDB items hold numbers.

The Table resource returns every number as a ``Decimal``, which ``json.dumps``
cannot write; items of strings only serialise fine.  So ``json.dumps(items)`` is
an error only when something shows numbers are stored: a number written with
``put_item``/``update_item``, a ``Decimal`` made, a typed ``{"N": ...}`` value,
or an ``N`` attribute in a template's table (a numeric key).  Read once per run,
only when a finding needs it.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from ..project.discover import project_folders

_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".tf")
#: text that shows numbers in a table, with what to call it
_TEXT_SIGNS = (
    (re.compile(r"""AttributeType["']?\s*:\s*["']?N\b"""), "a table attribute of type N"),
    (re.compile(r"AttributeType\.NUMBER\b"), "a table attribute of type NUMBER (CDK)"),
    (re.compile(r"""["']N["']\s*:\s*(?:str\(|["'][\d.-])"""), 'a typed number {"N": ...}'),
    (re.compile(r'\btype\s*=\s*"N"'), "a table attribute of type N (Terraform)"),
)
_PY_SIGNS = (
    (re.compile(r"\bDecimal\s*\("), "a Decimal value"),
    (re.compile(r"^\s*(?:from\s+decimal\s+import|import\s+decimal\b)", re.M), "decimal imported"),
    (
        re.compile(r"""UpdateExpression\s*=\s*f?["'][^"']*(?:\bADD\s|[+-]\s*:)"""),
        "a counter update",
    ),
)
_WRITES = ("put_item", "update_item", "batch_writer", "put")
_NUMBER_CALLS = frozenset({"int", "float", "Decimal", "len", "time", "time_ns", "timestamp"})
MAX_FILES = 2000


def number_evidence(roots: list[Path]) -> str | None:
    """Where the project shows its items hold numbers ("file:line: what"), else None."""
    return _evidence(tuple(root.resolve() for root in roots))


@functools.lru_cache(maxsize=16)
def _evidence(roots: tuple[Path, ...]) -> str | None:
    """Once per set of roots and process (flake8 lints file by file in one process)."""
    seen = 0
    for path in _files(list(roots)):
        seen += 1
        if seen > MAX_FILES:
            return None
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        signs = _TEXT_SIGNS + (_PY_SIGNS if path.suffix == ".py" else ())
        for pattern, what in signs:
            match = pattern.search(text)
            if match:
                return f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}: {what}"
        if path.suffix == ".py" and any(w in text for w in _WRITES):
            line = _numeric_write(text)
            if line is not None:
                return f"{path.name}:{line}: a number written to the table"
    return None


def _files(roots: list[Path]) -> list[Path]:
    """Python files and templates under ``roots``, build output and caches left out
    (the walk does not enter node_modules or a virtualenv at all)."""
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        for folder, files in project_folders(root):
            found += (folder / n for n in sorted(files) if n.endswith((".py", *_TEMPLATE_SUFFIXES)))
    return found


def _numeric_write(text: str) -> int | None:
    """The line of a ``put_item``/``update_item`` that writes a number."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    dicts: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    dicts.setdefault(target.id, []).append(node.value)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in ("put_item", "update_item"):
            continue
        for keyword in node.keywords:
            if keyword.arg not in ("Item", "ExpressionAttributeValues", "Key"):
                continue
            values = [keyword.value]
            if isinstance(keyword.value, ast.Name):  # Item=item, built before the call
                values = dicts.get(keyword.value.id, [])
            if any(_has_number(value) for value in values):
                return node.lineno
    return None


def _has_number(node: ast.expr) -> bool:
    if not isinstance(node, ast.Dict):
        return False
    for value in node.values:
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, (int, float))
            and not isinstance(value.value, bool)
        ):
            return True
        if isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _NUMBER_CALLS:
                return True
        if isinstance(value, ast.Dict) and _has_number(value):
            return True
    return False
