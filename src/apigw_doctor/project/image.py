"""Where an image function's handler file is in the project, read from its Dockerfile.

An image's task root (``/var/task``, ``$LAMBDA_TASK_ROOT``) holds what the
Dockerfile's ``COPY``/``ADD`` lines put there, from the build context:
``COPY src/* ${LAMBDA_TASK_ROOT}`` makes ``src/main.py`` the task root's
``main.py``; ``COPY app/ ${LAMBDA_TASK_ROOT}/app/`` keeps the ``app`` package;
``WORKDIR ${LAMBDA_TASK_ROOT}`` then ``COPY . .`` copies the whole context.  The
handler (``CMD ["main.handler"]``, or the template's ``ImageConfig.Command``) names
a module of that task root, so its file is found by following those lines back,
never assumed to be at the context's root.  When it cannot be followed (a file
built in an earlier stage, a ``COPY`` from a URL), the function is not checked
here, with the reason: a guess must not claim that every request would fail.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .discover import project_folders

TASK_ROOT = PurePosixPath("/var/task")
_ROOT = PurePosixPath("/")
#: a Lambda base image names the language and version: public.ecr.aws/lambda/python:3.12
_BASE_IMAGE = re.compile(r"\b(python|nodejs|java|dotnet|go|ruby|provided)[:-]?([\d.]*)", re.I)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Copy:
    """One ``COPY``/``ADD`` line: sources in the build context, an absolute target."""

    sources: tuple[str, ...]
    target: PurePosixPath
    into_folder: bool  # the target is a folder (ends with /, several sources, a root)
    external: bool  # --from another stage or image, or a URL: not from the context


@dataclass
class Layout:
    """What a Dockerfile says about the function: its handler, runtime, task root."""

    handler: str | None = None
    runtime: str | None = None
    copies: tuple[Copy, ...] = ()
    workdir: PurePosixPath = _ROOT
    lambda_base: bool = False  # an AWS Lambda base image: the task root is /var/task
    #: the image's ENV lines, in order (a later line wins)
    environment: dict[str, str] = field(default_factory=dict)


def read(text: str) -> Layout:
    """The final stage of a Dockerfile (with the stages it builds on), as a layout."""
    stages: dict[str, list[tuple[str, str]]] = {}
    preamble: list[tuple[str, str]] = []  # ARGs before the first FROM: global defaults
    current = preamble
    base_of: dict[int, str] = {}
    order: list[list[tuple[str, str]]] = []
    for instruction, argument in _instructions(text):
        if instruction == "FROM":
            parts = [p for p in argument.split() if not p.startswith("--")]
            current = []
            order.append(current)
            base_of[len(order) - 1] = parts[0] if parts else ""
            if len(parts) >= 3 and parts[1].upper() == "AS":
                stages[parts[2].lower()] = current
        current.append((instruction, argument))
    if not order:
        return Layout()
    chain = [order[-1]]
    seen = {id(order[-1])}
    base = base_of[len(order) - 1].lower()
    while base in stages and id(stages[base]) not in seen:
        stage = stages[base]
        seen.add(id(stage))
        chain.insert(0, stage)
        base = next((a.split()[0].lower() for i, a in stage if i == "FROM" and a.split()), "")
    return _layout([*preamble, *(line for stage in chain for line in stage)])


def _layout(lines: list[tuple[str, str]]) -> Layout:
    layout = Layout()
    variables = {"LAMBDA_TASK_ROOT": str(TASK_ROOT), "LAMBDA_RUNTIME_DIR": "/var/runtime"}
    copies: list[Copy] = []
    for instruction, argument in lines:
        argument = _substitute(argument, variables)  # FROM ${BASE} takes a global ARG
        if instruction == "FROM":
            words = [w for w in argument.split() if not w.startswith("--")]
            image = words[0] if words else ""
            found = _BASE_IMAGE.search(image)
            if found and layout.runtime is None:  # the first: the image the chain starts from
                layout.runtime = f"{found.group(1).lower()}{found.group(2) or ''}"
                layout.lambda_base = "lambda" in image.lower()
            continue
        if instruction in ("ARG", "ENV"):
            given = _assignments(argument)
            if instruction == "ARG":  # `ARG NAME` alone takes the global default
                given = {k: v for k, v in given.items() if v or k not in variables}
            variables.update(given)
            if instruction == "ENV":
                layout.environment.update(given)
        elif instruction == "WORKDIR":
            layout.workdir = layout.workdir / argument.strip().strip('"')
        elif instruction in ("COPY", "ADD"):
            copy = _copy(argument, layout.workdir, instruction == "ADD")
            if copy is not None:
                copies.append(copy)
        elif instruction == "CMD":
            command = _words(argument)
            if command and "." in command[0] and "/" not in command[0].split(".")[0]:
                layout.handler = command[0]
    layout.copies = tuple(copies)
    return layout


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, argument) pairs, continuation lines joined, comments left out."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        instruction, _, argument = line.partition(" ")
        found.append((instruction.upper(), argument.strip()))
    return found


def _substitute(text: str, variables: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        return variables.get(name, match.group(2) or "")

    return _VARIABLE.sub(value, text)


def _assignments(argument: str) -> dict[str, str]:
    words = _words(argument)
    if len(words) == 2 and "=" not in words[0]:  # ENV NAME value
        return {words[0]: words[1]}
    return {k: v for k, _, v in (w.partition("=") for w in words) if k}


def _words(argument: str) -> list[str]:
    if argument.startswith("["):
        try:
            value = json.loads(argument)
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []
    try:
        return shlex.split(argument)
    except ValueError:
        return argument.split()


def _copy(argument: str, workdir: PurePosixPath, add: bool) -> Copy | None:
    words = _words(argument)
    external = any(w.startswith("--from") for w in words)
    words = [w for w in words if not w.startswith("--")]
    if len(words) < 2:
        return None
    *sources, target = words
    if add and any(s.startswith(("http://", "https://", "git@")) for s in sources):
        external = True
    absolute = workdir / target  # an absolute target replaces the folder
    into = (
        target.endswith("/")
        or target in (".", "./")
        or len(sources) > 1
        or any(c in s for s in sources for c in "*?[")
        or absolute in (TASK_ROOT, workdir)
    )
    return Copy(tuple(sources), absolute, into, external)


@dataclass(frozen=True)
class Located:
    """Where an image's handler module comes from in the build context."""

    root: Path | None  # the folder that plays the task root for it (None: not found)
    why: str = ""  # why it was not found
    #: other context folders copied into the same task root (``COPY shared/*.py
    #: ${LAMBDA_TASK_ROOT}/``): importable beside the handler, as in the image
    beside: tuple[Path, ...] = ()


def locate(layout: Layout, context: Path, module: PurePosixPath) -> Located:
    """The folder of the build context that plays the task root for ``module``
    (``pkg/main.py``), or why it cannot be found."""
    roots = [TASK_ROOT] if layout.lambda_base else [layout.workdir, TASK_ROOT]
    external = False
    for root in dict.fromkeys(roots):
        wanted = root / module
        for copy in reversed(layout.copies):  # a later COPY overwrites an earlier one
            if copy.external:
                external = external or _under(wanted, copy.target)
                continue
            local = _local_file(copy, context, wanted)
            if local is None:
                continue
            root_folder = _task_root(local, module)
            if not (root_folder / module).is_file():
                return Located(None, f"it copies {local} into the image as {module} (renamed)")
            others = _copied_into(layout, context, root)
            return Located(root_folder, beside=tuple(f for f in others if f != root_folder))
    if external:
        return Located(
            None,
            f"it puts {module} in the image from another stage or a download "
            "(COPY --from, ADD URL), not from this folder",
        )
    return Located(
        None,
        f"no COPY or ADD line puts {module} in the image's task root "
        f"({TASK_ROOT if layout.lambda_base else layout.workdir}) from {context}",
    )


def _copied_into(layout: Layout, context: Path, root: PurePosixPath) -> list[Path]:
    """The context folders whose files the COPY lines put straight into ``root``."""
    folders: dict[Path, None] = {}
    for copy in layout.copies:
        if copy.external or copy.target != root:
            continue
        for source in copy.sources:
            pattern = source.lstrip("/")
            for match in _matches(context, pattern):
                folder = match if match.is_dir() else match.parent
                if folder.is_dir() and folder.resolve().is_relative_to(context.resolve()):
                    folders[folder] = None
    return list(folders)


def _matches(context: Path, pattern: str) -> list[Path]:
    if any(c in pattern for c in "*?["):
        return sorted(context.glob(pattern))
    return [context / pattern]


def _under(path: PurePosixPath, folder: PurePosixPath) -> bool:
    return path == folder or folder in path.parents


def _local_file(copy: Copy, context: Path, wanted: PurePosixPath) -> Path | None:
    """The context file this COPY puts at ``wanted``, if it puts one there."""
    for source in copy.sources:
        for match in _matches(context, source.lstrip("/")):
            if copy.into_folder or match.is_dir():
                folder = copy.target
                if match.is_dir():  # a folder's content goes into the target
                    if not _under(wanted, folder):
                        continue
                    candidate = match / wanted.relative_to(folder)
                else:
                    if wanted != folder / match.name:
                        continue
                    candidate = match
            elif wanted == copy.target:
                candidate = match
            else:
                continue
            if candidate.is_file():
                return candidate
    return None


def _task_root(file: Path, module: PurePosixPath) -> Path:
    """The folder ``file`` is ``module`` of: main.py -> its folder; app/main.py -> two up."""
    folder = file.parent
    for _ in range(len(module.parts) - 1):
        folder = folder.parent
    return folder


@dataclass(frozen=True)
class ImageFunction:
    """What an image function's Dockerfile and command say, for the project model."""

    handler: str | None
    code_dir: Path  # the task root's folder in the project (the context if not found)
    runtime: str | None = None
    unknown: str = ""  # why the handler's file is not found here, if it is not
    beside: tuple[Path, ...] = ()  # more folders copied into the task root
    note: str = ""  # why no handler could be read, if none could
    #: what the image's ENV lines give the function (the template's variables win)
    environment: tuple[tuple[str, str], ...] = ()


def function(context: Path, dockerfile: Path, command: str | None) -> ImageFunction:
    """An image function built from ``dockerfile`` with ``context``, its handler the
    ``command`` the deployment gives (ImageConfig.Command) or the Dockerfile's CMD."""
    try:
        text = dockerfile.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    layout = read(text)
    handler = command or layout.handler
    if handler is None:
        where = f"in {dockerfile}" if text else f"and no Dockerfile at {dockerfile}"
        return ImageFunction(
            None,
            context,
            layout.runtime,
            note=f'no command given, no CMD ["module.handler"] {where}',
        )
    if not text:
        return ImageFunction(handler, context, layout.runtime)  # the context, as given
    module = PurePosixPath(handler.rpartition(".")[0].replace(".", "/") + ".py")
    located = locate(layout, context, module)
    if located.root is None:
        why = f"an image built from {dockerfile}: {located.why}"
        return ImageFunction(handler, context, layout.runtime, unknown=why)
    return ImageFunction(
        handler,
        located.root,
        layout.runtime,
        beside=located.beside,
        environment=_environment(layout, located.root),
    )


#: variables the image's ENV may set but the sandbox keeps as Lambda and this machine
#: give them: the search paths (an image's PATH names its own folders) and Lambda's own
_KEPT = frozenset({"PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "LANG", "TZ", "HOME"})


def _environment(layout: Layout, root: Path) -> tuple[tuple[str, str], ...]:
    """The image's ENV as the function sees it here: a value under the task root
    (``${LAMBDA_TASK_ROOT}/key.json``) names the same file in the project's folder."""
    task_root = str(TASK_ROOT)
    return tuple(
        (name, str(root) + value[len(task_root) :] if _under_task_root(value) else value)
        for name, value in layout.environment.items()
        if name not in _KEPT and not name.startswith(("AWS_", "LAMBDA_", "_"))
    )


def _under_task_root(value: str) -> bool:
    return value == str(TASK_ROOT) or value.startswith(f"{TASK_ROOT}/")


def without_template(root: Path) -> dict[tuple[Path, str], ImageFunction]:
    """Lambda images under ``root`` that no template describes (a Dockerfile from a
    Lambda base image, built and pushed by hand or by CI): (handler file, function)
    -> what its Dockerfile says, so the handler runs with the image's ENV and task
    root.  Build output, caches and hidden folders are not read."""
    found = {}
    for folder, files in project_folders(root.resolve()):  # ENV paths name absolute files
        if "Dockerfile" not in files:
            continue
        dockerfile = folder / "Dockerfile"
        try:
            layout = read(dockerfile.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if not layout.lambda_base or not layout.handler:
            continue
        image = function(folder, dockerfile, None)
        if image.handler is None or image.unknown:
            continue
        module, _, name = image.handler.rpartition(".")
        file = image.code_dir / (module.replace(".", "/") + ".py")
        found[(file.resolve(), name)] = image
    return found
