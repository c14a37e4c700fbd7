"""Reading a whole project once: every template, in the reader its kind needs."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from . import cloudformation, sam, serverless
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
) -> Project:
    """The project under ``paths`` (or the one ``template``).  A template that cannot
    be read is a :class:`TemplateError` naming every such file and line (after all of
    them were tried), since a scan without it would pass for a green one.
    ``progress(done, total)`` is told of each template found as it is read."""
    project = Project()
    templates, cdk_apps = survey(paths) if template is None else ([template.resolve()], [])
    options = _Options(parameters or {}, stage, region)
    ready = _read_ahead(templates, options, progress)
    told = progress if not ready else None  # the workers' progress was told already
    loaded: set[Path] = set()
    for done, path in enumerate(templates, start=1):
        _load(path, project, loaded, options, ready)
        if told:
            told(done, len(templates))
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


#: from this many templates on, worker processes read them (one per core)
PARALLEL_TEMPLATES = 24


def _read_ahead(
    templates: list[Path], options: _Options, progress: Callable[[int, int], None] | None
) -> dict[Path, _Part]:
    """Every template, read by a worker process per core when there are many (SAM's
    translator takes milliseconds a template, all in Python); empty when they are
    few, or when forking is not safe here (not Linux, or other threads running)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (
        len(templates) < PARALLEL_TEMPLATES
        or (cores or 1) < 2
        or not sys.platform.startswith("linux")  # fork is Linux's; macOS warns against it
        or threading.active_count() > 1
    ):
        return {}
    paths = [path.resolve() for path in templates]
    if sam.cache_folder() is None:  # every template is translated: build it once, shared
        sam.prepare()
    ready: dict[Path, _Part] = {}
    context = multiprocessing.get_context("fork")
    # a worker per core, but each with a dozen templates at least (a worker may have
    # to import the translator: half a second)
    workers = min(cores or 1, max(2, len(paths) // 12))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = pool.map(_read, paths, [options] * len(paths), chunksize=4)
        for done, (path, part) in enumerate(zip(paths, parts, strict=True), start=1):
            if progress:
                progress(done, len(paths))
            ready[path] = part
    return ready


class _Options(NamedTuple):
    parameters: dict[str, str]
    stage: str | None
    region: str


#: what one template says itself, and the local templates it nests (not yet read)
_Part = tuple[Project, list[Path]]


def _load(
    path: Path,
    project: Project,
    loaded: set[Path],
    options: _Options,
    ready: dict[Path, _Part],
) -> None:
    """Add a template (read ahead in ``ready``, else now), then what it nests, to the
    project, in the order a depth-first read gives, each template once."""
    path = path.resolve()
    if path in loaded:
        return
    loaded.add(path)
    part = ready.pop(path, None)
    own, children = part if part is not None else _read(path, options)
    project.templates += own.templates
    project.functions += own.functions
    project.notes += own.notes
    project.resources += own.resources
    project.errors += own.errors
    for child in children:
        if child.is_file():
            _load(child, project, loaded, options, ready)
        else:
            project.notes.append(Note(path, f"nested stack {child} is not a local file: not read"))


def _read(path: Path, options: _Options) -> _Part:
    """One template on its own (``path`` resolved)."""
    parameters, stage, region = options
    project = Project()
    project.templates.append(path)
    try:
        data = read_document(path)
    except NotATemplate as exc:
        project.notes.append(Note(path, str(exc).removeprefix(f"{path}: ")))
        return project, []
    except TemplateError as exc:  # a template, broken: every command stops on it
        project.errors.append(str(exc))
        return project, []
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
        return project, []
    nested: dict[str, Path] = {}
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
            return project, []
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
    return project, [*nested.values(), *_nested_stacks(path.parent, data)]


def _restore_metadata(data: dict[str, Any], metadata: dict[str, dict[str, Any]]) -> None:
    for name, values in metadata.items():
        resource = data.get("Resources", {}).get(name)
        if isinstance(resource, dict) and values:
            resource.setdefault("Metadata", values)


def _sam_code_dirs(expanded: sam.Expanded) -> Any:
    def code_dir(name: str, resource: dict[str, Any]) -> Path | None:
        return expanded.folder_of(resource.get("Properties", {}).get("Code"))

    return code_dir


def _sam_layer_dirs(data: dict[str, Any], expanded: sam.Expanded) -> dict[str, Path]:
    layers = {}
    for name, resource in data.get("Resources", {}).items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Lambda::LayerVersion":
            folder = expanded.folder_of(resource.get("Properties", {}).get("Content"))
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
        code = resource.get("Properties", {}).get("Code")
        local = code if isinstance(code, str) else None  # `aws cloudformation package` input
        return base / local if local and not local.startswith("s3://") else None

    return code_dir


def _nested_stacks(base: Path, data: dict[str, Any]) -> list[Path]:
    found = []
    for resource in data.get("Resources", {}).values():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        url = resource.get("Properties", {}).get("TemplateURL")
        if isinstance(url, str) and not url.startswith(("https://", "http://", "s3://")):
            found.append(base / url)
    return found


def _dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
