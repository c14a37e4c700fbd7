"""Reading a whole project once: every template, in the reader its kind needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cloudformation, include, sam, serverless
from .discover import survey
from .files import NotATemplate, TemplateError, read_document
from .model import Note, Project

DEFAULT_REGION = "us-east-1"


def load_project(
    paths: list[Path],
    *,
    template: Path | None = None,
    parameters: dict[str, str] | None = None,
    stage: str | None = None,
    region: str = DEFAULT_REGION,
    progress: Callable[[int, int], None] | None = None,
    python_only: bool = False,
) -> Project:
    """The project under ``paths`` (or the one ``template``).  A template that cannot
    be read is a :class:`TemplateError` naming every such file and line (after all of
    them were tried), since a scan without it would pass for a green one.
    ``progress(done, total)`` is told as the templates found are read.

    ``python_only``: the caller reads Python functions alone (lint), so a SAM
    template whose functions all run other languages is listed as written instead
    of expanded by SAM's translator, which is most of a first lint of a monorepo."""
    project = Project()
    templates, cdk_apps = survey(paths) if template is None else ([template.resolve()], [])
    loaded: set[Path] = set()
    for done, path in enumerate(templates, start=1):
        _load(path, project, loaded, _Options(parameters or {}, stage, region, python_only))
        if progress:
            progress(done, len(templates))
    project.cdk_apps = list(cdk_apps)
    for folder in cdk_apps:
        project.notes.append(
            Note(
                folder / "cdk.json",
                "a CDK app without cdk.out: run `cdk synth` so its template can be read; "
                "until then its handlers are guessed from their code",
            )
        )
    if project.errors:
        raise TemplateError("\n".join(project.errors))
    return project


def load_template(path: Path, **options: Any) -> Project:
    """One template and what it nests; a :class:`TemplateError` if it cannot be read."""
    read_document(path)  # fail loudly on the one file the user named
    return load_project([], template=path, **options)


@dataclass(frozen=True)
class _Options:
    """How every template of one project is read."""

    parameters: dict[str, str]
    stage: str | None
    region: str
    python_only: bool


def _load(path: Path, project: Project, loaded: set[Path], options: _Options) -> None:
    path = path.resolve()
    if path in loaded:
        return
    loaded.add(path)
    project.templates.append(path)
    try:
        data = read_document(path)
    except NotATemplate as exc:
        project.notes.append(Note(path, str(exc).removeprefix(f"{path}: ")))
        return
    except TemplateError as exc:  # a template, broken: every command stops on it
        project.errors.append(str(exc))
        return
    try:
        _read(path, data, project, loaded, options)
    except TemplateError as exc:  # found while reading it: a ${self:} cycle...
        project.errors.append(str(exc))


def _read(
    path: Path, data: dict[str, Any], project: Project, loaded: set[Path], options: _Options
) -> None:
    parameters, stage, region = options.parameters, options.stage, options.region
    if path.name.startswith("serverless."):
        framework = serverless.Reader(path, data, stage=stage, region=region)
        project.functions.extend(framework.read())
        project.notes.extend(framework.notes)
        extra = framework.resolved(_dict_of(_dict_of(data.get("resources")).get("Resources")))
        if extra:  # the CloudFormation it adds: tables, buckets, queues for --mock-aws
            added = cloudformation.Reader(
                path,
                {"Resources": extra},
                parameters={},
                region=region,
                code_dirs=_code_dirs(path.parent),
            )
            added.read()
            project.resources.extend(added.data_resources)
        return
    empty = None if path.name.startswith("serverless.") else _no_resources(data)
    if empty:
        project.notes.append(Note(path, f"{empty}: nothing to read"))
        return
    included: list[str] = []
    data = include.resolve(path, data, included)
    project.notes.extend(Note(path, text) for text in included)
    nested: dict[str, Path] = {}
    if sam.is_sam(data) and options.python_only and sam.only_other_languages(data):
        project.functions.extend(sam.read_without_translator(path, data, parameters))
        return
    if sam.is_sam(data):
        expanded = sam.expand(path, data, parameters, region)
        project.notes.extend(Note(path, text) for text in expanded.notes)
        if expanded.template is None:
            project.functions.extend(sam.read_without_translator(path, data, parameters))
            project.notes.append(
                Note(
                    path,
                    "functions and events read without SAM's translator: settings of explicit "
                    "APIs, Cors and Auth are not applied",
                )
            )
            return
        data, nested = expanded.template, expanded.nested
        _restore_metadata(data, expanded.metadata)
        code_dirs = _sam_code_dirs(expanded)
        layers = _sam_layer_dirs(data, expanded)
    else:
        code_dirs, layers = _code_dirs(path.parent), {}
    reader = cloudformation.Reader(
        path, data, parameters=parameters, region=region, code_dirs=code_dirs, layer_dirs=layers
    )
    functions = reader.read()
    project.functions.extend(functions)
    project.resources.extend(reader.data_resources)
    project.notes.extend(reader.notes)
    if reader.resolver.unresolved:
        shown = ", ".join(sorted(reader.resolver.unresolved)[:8])
        project.notes.append(
            Note(path, f"values only known once deployed, shown as <...>: {shown}")
        )
    for child in (*nested.values(), *_nested_stacks(path.parent, data)):
        if child.is_file():
            _load(child, project, loaded, options)
        else:
            project.notes.append(Note(path, f"nested stack {child} is not a local file: not read"))


def _restore_metadata(data: dict[str, Any], metadata: dict[str, dict[str, Any]]) -> None:
    for name, values in metadata.items():
        resource = _dict_of(data.get("Resources")).get(name)
        if isinstance(resource, dict) and values:
            resource.setdefault("Metadata", values)


def _sam_code_dirs(expanded: sam.Expanded) -> Any:
    def code_dir(name: str, resource: dict[str, Any]) -> Path | None:
        return expanded.folder_of(_dict_of(resource.get("Properties")).get("Code"))

    return code_dir


def _sam_layer_dirs(data: dict[str, Any], expanded: sam.Expanded) -> dict[str, Path]:
    layers = {}
    for name, resource in _dict_of(data.get("Resources")).items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Lambda::LayerVersion":
            folder = expanded.folder_of(_dict_of(resource.get("Properties")).get("Content"))
            if folder is not None:
                layers[name] = folder
    return layers


def _code_dirs(base: Path) -> Any:
    """Plain CloudFormation: CDK names each function's asset folder in its metadata."""

    def code_dir(name: str, resource: dict[str, Any]) -> Path | None:
        metadata = resource.get("Metadata")
        asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        if isinstance(asset, str):
            return base / asset
        code = _dict_of(resource.get("Properties")).get("Code")
        local = code if isinstance(code, str) else None  # `aws cloudformation package` input
        return base / local if local and not local.startswith("s3://") else None

    return code_dir


def _nested_stacks(base: Path, data: dict[str, Any]) -> list[Path]:
    found = []
    for resource in _dict_of(data.get("Resources")).values():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        url = _dict_of(resource.get("Properties")).get("TemplateURL")
        if isinstance(url, str) and not url.startswith(("https://", "http://", "s3://")):
            found.append(base / url)
    return found


def _no_resources(data: dict[str, Any]) -> str | None:
    """Why a template has no resources to read, if it has none (CloudFormation rejects
    it; a scan of it must say so rather than crash or pass for a checked project)."""
    if "Resources" not in data:
        return "no Resources section"
    resources = data["Resources"]
    if isinstance(resources, dict):
        return None if resources else "its Resources section is empty"
    if resources is None:
        return "its Resources section is empty"
    kind = {"str": "a string", "list": "a list", "bool": "true/false"}.get(
        type(resources).__name__, "a number"
    )
    return f"its Resources section is {kind}, not a mapping of resources"


def _dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
