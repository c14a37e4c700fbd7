"""Which templates govern which folders.

A repository may hold several projects; each template governs its own folder.
Build output (``.aws-sam``, ``cdk.out`` copies of assets, ``node_modules``...)
is not a project; CDK's synthesized ``cdk.out/*.template.json`` is read when
no other template governs the folder.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from .files import TemplateError, read_document

TEMPLATE_NAMES = (
    "template.yaml",
    "template.yml",
    "template.json",
    "serverless.yml",
    "serverless.yaml",
)
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
        ".aws-sam",
        ".serverless",
        "site-packages",
        ".eggs",
        "cdk.out",
    }
)


def find_template(start: Path) -> Path | None:
    """The nearest template in ``start`` or a folder above it."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        found = _in_folder(candidate)
        if found:
            return found[0]
    return None


def discover(paths: list[Path]) -> list[Path]:
    """Every template under ``paths``, outermost first; the nearest one above a path
    that has none under it."""
    return survey(paths)[0]


def survey(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """:func:`discover` and :func:`unsynthesized_cdk` from one walk of the tree."""
    found: dict[Path, None] = {}
    cdk: list[Path] = []
    for path in paths:
        below: list[Path] = []
        if path.is_dir():
            for folder, files in project_folders(path):
                below += _in_folder(folder, files)
                if _unsynthesized(folder, files):
                    cdk.append(folder)
        if below:
            found.update(dict.fromkeys(below))
            continue
        above = find_template(path)
        if above is not None:
            found[above] = None
    return sorted(found, key=lambda p: (len(p.parts), str(p))), cdk


def project_folders(root: Path) -> Iterator[tuple[Path, frozenset[str]]]:
    """Each folder of a project under ``root`` (build output, caches and hidden
    folders left out), with the names of its files."""
    for folder, names, files in _walk(root.resolve()):
        names[:] = [n for n in names if n not in SKIP_DIRS and not n.startswith(".")]
        yield folder, frozenset(files)


def _unsynthesized(folder: Path, files: frozenset[str]) -> bool:
    return (
        "cdk.json" in files
        and (folder / "cdk.json").is_file()
        and not any((folder / "cdk.out").glob("*.template.json"))
    )


def _walk(root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    import os

    for folder, names, files in os.walk(root):
        names.sort()
        yield Path(folder), names, files


def _in_folder(folder: Path, files: frozenset[str] | None = None) -> list[Path]:
    """The templates of one folder: SAM/CloudFormation, serverless, samconfig's, CDK's,
    else any YAML/JSON file that says it is a CloudFormation or SAM template.

    ``files``: the names of the folder's files when a walk has listed them already
    (a tree of thousands of folders is then not asked again, name by name)."""
    names = files if files is not None else frozenset(p.name for p in folder.iterdir())
    found = [folder / n for n in TEMPLATE_NAMES if n in names and (folder / n).is_file()]
    configured = _samconfig_template(folder) if "samconfig.toml" in names else None
    if configured is not None and configured not in found:
        found.insert(0, configured)
    if not found and "cdk.json" in names and (folder / "cdk.json").is_file():
        found = sorted((folder / "cdk.out").glob("*.template.json"))
    if found:
        return found
    candidates = sorted(folder / n for n in names if n.endswith(_TEMPLATE_SUFFIXES))
    return [p for p in candidates if _says_it_is_a_template(p)]


_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
#: what a CloudFormation or SAM template says near its top
_TEMPLATE_MARKERS = (b"AWSTemplateFormatVersion", b"AWS::Serverless-2016-10-31")
#: outputs of `sam package` / `aws cloudformation package`: copies with S3 code locations
_PACKAGED = ("packaged", "package", "output", "out.", "build")


def _says_it_is_a_template(path: Path) -> bool:
    if path.suffix not in _TEMPLATE_SUFFIXES or not path.is_file():
        return False
    if path.name.lower().startswith(_PACKAGED):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    return any(marker in head for marker in _TEMPLATE_MARKERS)


def _samconfig_template(folder: Path) -> Path | None:
    config = folder / "samconfig.toml"
    if not config.is_file():
        return None
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, RecursionError):  # deep nesting: RecursionError
        return None
    for environment in data.values():
        for command in environment.values() if isinstance(environment, dict) else []:
            parameters = command.get("parameters") if isinstance(command, dict) else None
            name = (
                parameters.get("template_file") or parameters.get("template")
                if isinstance(parameters, dict)
                else None
            )
            if isinstance(name, str) and (folder / name).is_file():
                return (folder / name).resolve()
    return None


def unsynthesized_cdk(paths: list[Path]) -> list[Path]:
    """CDK apps under ``paths`` without a synthesized cdk.out to read."""
    return [
        folder
        for path in paths
        if path.is_dir()
        for folder, files in project_folders(path)
        if _unsynthesized(folder, files)
    ]


def declared_runtimes(root: Path, template: Path | None) -> list[str]:
    """The ``Runtime`` values the template (or those beside ``root``) write, read
    plainly (no translator, no walk of the tree): enough to ask the likely Python
    for its version while the project loads."""
    near = [root / name for name in TEMPLATE_NAMES if (root / name).is_file()]
    found: list[str] = []
    for path in [template] if template is not None else near:
        try:
            data = read_document(path)
        except TemplateError:
            continue
        globals_ = data.get("Globals")
        function = globals_.get("Function") if isinstance(globals_, dict) else None
        blocks = [function, *_values(data.get("Resources"))]
        for block in blocks:
            props = block.get("Properties", block) if isinstance(block, dict) else None
            runtime = props.get("Runtime") if isinstance(props, dict) else None
            if isinstance(runtime, str):
                found.append(runtime)
    return found


def _values(value: object) -> list[object]:
    return list(value.values()) if isinstance(value, dict) else []
