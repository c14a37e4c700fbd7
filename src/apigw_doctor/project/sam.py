"""SAM templates, expanded by AWS's own translator (``aws-sam-translator``).

SAM's semantics (Globals, ``Cors``, ``Auth``, ``FunctionUrlConfig``, implicit
APIs, payload versions) are the translator's, not ours: it is what SAM CLI and
CloudFormation run.  It needs no network, but wants S3 locations for code, so
local paths are swapped for placeholders first and mapped back afterwards.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import marshal
import os
from pathlib import Path
from typing import Any

from .cloudformation import Resolver
from .files import TemplateError, read_document
from .model import Binding, Function, Trigger
from .offline import without_repository_calls

BUCKET = "apigw-doctor-local"
_PLACEHOLDER = f"s3://{BUCKET}/"


class _PolicyNames(dict[str, str]):
    """Managed policy names as ARNs, without asking IAM (the policies do not matter here)."""

    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"

    def __contains__(self, name: object) -> bool:
        return True


class Expanded:
    """A SAM template as plain CloudFormation, with its local folders."""

    def __init__(self) -> None:
        self.template: dict[str, Any] | None = None
        self.folders: dict[str, Path] = {}  # placeholder S3 key -> local folder
        self.metadata: dict[str, dict[str, Any]] = {}  # function logical id -> Metadata
        self.nested: dict[str, Path] = {}  # application logical id -> local template
        self.notes: list[str] = []

    def folder_of(self, code: Any) -> Path | None:
        key = code.get("S3Key") if isinstance(code, dict) else None
        return self.folders.get(str(key)) if key else None


def is_sam(data: dict[str, Any]) -> bool:
    transform = data.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return any(isinstance(n, str) and n.startswith("AWS::Serverless") for n in names)


def expand(path: Path, data: dict[str, Any], parameters: dict[str, str], region: str) -> Expanded:
    """The translator's output for ``data``; on failure, ``template`` is None and the
    translator's messages are the notes."""
    result = Expanded()
    template = copy.deepcopy(data)
    _swap_local_paths(path.parent, template, result)
    result.notes.extend(without_repository_calls(template))
    key = _cache_key(template, parameters, region)
    result.template = _cached(key)
    if result.template is not None:
        return result
    translate = _translator()
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator builds ARNs with it
    try:
        result.template = translate(template, dict(parameters), region)
        _keep(key, result.template)
    except translate.invalid as exc:
        causes = getattr(exc, "causes", [])
        result.notes.extend(f"SAM cannot expand the template: {c.message}" for c in causes)
    except Exception as exc:  # the translator has more failure modes than it documents
        result.notes.append(f"SAM cannot expand the template: {type(exc).__name__}: {exc}")
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous
    return result


class _Region:
    """What the translator reads of a boto3 session: its region.  Given, so it never
    builds a boto3 session per template to ask the environment."""

    def __init__(self, region_name: str) -> None:
        self.region_name = region_name


class _Translate:
    """``samtranslator.translator.transform.transform``, with what does not depend on
    the template built once per process: the translator validates its bundled policy
    templates against their JSON schema whenever it builds its plugins (about 90 ms,
    every template), so the plugin is built once and handed out again."""

    def __init__(self) -> None:
        from samtranslator.parser.parser import Parser
        from samtranslator.plugins.policies.policy_templates_plugin import (
            PolicyTemplatesForResourcePlugin,
        )
        from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor
        from samtranslator.public.exceptions import InvalidDocumentException
        from samtranslator.translator import translator
        from samtranslator.utils.py27hash_fix import (
            to_py27_compatible_template,
            undo_mark_unicode_str_in_template,
        )

        # the translator logs its own bookkeeping (metrics, feature toggles) as warnings
        logging.getLogger("samtranslator").setLevel(logging.CRITICAL)
        self.invalid: type[Exception] = InvalidDocumentException
        self._module = translator
        self._parser = Parser
        self._before = to_py27_compatible_template
        self._after = undo_mark_unicode_str_in_template
        processor = PolicyTemplatesProcessor(
            PolicyTemplatesProcessor.get_default_policy_templates_json()
        )
        factory = getattr(translator, "make_policy_template_for_function_plugin", None)
        if callable(factory):  # the hook this translator version builds the plugin with
            translator.make_policy_template_for_function_plugin = lambda: (
                PolicyTemplatesForResourcePlugin(processor)
            )

    def __call__(
        self, template: dict[str, Any], parameters: dict[str, Any], region: str
    ) -> dict[str, Any]:
        self._before(template, parameters)
        translator = self._module.Translator(None, self._parser(), boto_session=_Region(region))
        policies: dict[str, str] = _PolicyNames()
        result = translator.translate(
            template, parameter_values=parameters, get_managed_policy_map=lambda: policies
        )
        expanded: dict[str, Any] = self._after(result)
        return expanded


@functools.cache
def _translator() -> _Translate:
    return _Translate()


# Translations kept between runs.  The edit-lint-scan loop translates the same
# templates again and again, and the translator costs half a second to import
# and milliseconds a template: a template translated before is read back instead
# (its key: the template as handed to the translator, with the API definitions
# it reads from files, the parameters, the region, the translator's version and
# this file).  APIGW_DOCTOR_CACHE names the folder; "off" turns it off.
_CACHE_FORMAT = 1
#: entries kept at most (the oldest go first)
CACHE_ENTRIES = 4_000


def cache_folder() -> Path | None:
    """Where translations are kept (``None``: not kept)."""
    setting = os.environ.get("APIGW_DOCTOR_CACHE")
    if setting is not None:
        return None if setting.strip().lower() in ("", "0", "off", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "apigw-doctor" / "sam"


@functools.cache
def _code_version() -> bytes:
    import samtranslator

    own = hashlib.sha256(Path(__file__).read_bytes()).digest()
    return own + str(getattr(samtranslator, "__version__", "")).encode()


def _cache_key(template: dict[str, Any], parameters: dict[str, str], region: str) -> str | None:
    try:
        blob = marshal.dumps((_CACHE_FORMAT, _code_version(), template, parameters, region))
    except ValueError:  # a value marshal cannot keep exactly: translate every time
        return None
    return hashlib.sha256(blob).hexdigest()


def _cached(key: str | None) -> dict[str, Any] | None:
    folder = cache_folder()
    if key is None or folder is None:
        return None
    try:
        value = marshal.loads((folder / key).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return value if isinstance(value, dict) else None


_pruned = False


def _keep(key: str | None, template: dict[str, Any]) -> None:
    """Keep a translation (marshal: exactly the types the translator gave, and a file
    that can only hold data); nothing is lost but time if it cannot be written."""
    global _pruned
    folder = cache_folder()
    if key is None or folder is None:
        return
    try:
        blob = marshal.dumps(template)
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{key}.{os.getpid()}"
        partial.write_bytes(blob)
        os.replace(partial, folder / key)
        if not _pruned:
            _pruned = True
            _prune(folder)
    except (OSError, ValueError):
        return


def _prune(folder: Path) -> None:
    entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)
    for old in entries[: max(0, len(entries) - CACHE_ENTRIES)]:
        old.unlink(missing_ok=True)


def _local(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith(("s3://", "https://", "http://"))


def _swap_local_paths(base: Path, template: dict[str, Any], result: Expanded) -> None:
    globals_ = _dict(_dict(template.get("Globals")).get("Function"))
    default_code = globals_.pop("CodeUri", None)
    for name, resource in _dict(template.get("Resources")).items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        props = resource.setdefault("Properties", {})
        if not isinstance(props, dict):
            continue
        if kind == "AWS::Serverless::Function":
            result.metadata[name] = _dict(resource.get("Metadata"))
            if props.get("PackageType") == "Image":
                props.setdefault("ImageUri", f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}")
                continue
            if "InlineCode" in props:
                continue
            code = props.get("CodeUri", default_code)
            if code is None or _local(code):
                props["CodeUri"] = _placeholder(result, name, base / str(code or "."))
        elif kind == "AWS::Serverless::LayerVersion" and _local(props.get("ContentUri")):
            props["ContentUri"] = _placeholder(result, f"layer-{name}", base / props["ContentUri"])
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            uri = props.get("DefinitionUri")
            if _local(uri) and "DefinitionBody" not in props:
                props.pop("DefinitionUri")
                props["DefinitionBody"] = _definition(base / str(uri), result)
        elif kind == "AWS::Serverless::Application" and _local(props.get("Location")):
            result.nested[name] = base / props["Location"]
            props["Location"] = f"https://s3.amazonaws.com/{BUCKET}/{name}.yaml"
        elif kind == "AWS::Serverless::StateMachine" and _local(props.get("DefinitionUri")):
            props["DefinitionUri"] = f"{_PLACEHOLDER}statemachine-{name}"


def _placeholder(result: Expanded, key: str, folder: Path) -> str:
    result.folders[key] = folder
    return _PLACEHOLDER + key


def _definition(path: Path, result: Expanded) -> dict[str, Any]:
    """A local OpenAPI file, read as the API's body (SAM would upload it)."""
    try:
        return read_document(path)
    except TemplateError as exc:
        result.notes.append(f"cannot read the API definition: {exc}")
        return {"swagger": "2.0", "paths": {}}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


#: resources that send :func:`only_other_languages` to the translator all the same:
#: nested templates (which may hold Python functions) and plain Lambda functions
#: (which :func:`read_without_translator` does not list)
_EXPAND_ANYWAY = frozenset(
    {"AWS::Serverless::Application", "AWS::CloudFormation::Stack", "AWS::Lambda::Function"}
)


def only_other_languages(data: dict[str, Any]) -> bool:
    """Every function of the template surely runs a language other than Python (a
    literal ``Runtime`` such as ``nodejs20.x``).  A runtime from a parameter, an
    image or a missing one may be Python: not surely."""
    globals_ = _dict(_dict(data.get("Globals")).get("Function"))
    for resource in _dict(data.get("Resources")).values():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind in _EXPAND_ANYWAY:
            return False
        if kind == "AWS::Serverless::Function":
            runtime = {**globals_, **_dict(resource.get("Properties"))}.get("Runtime")
            if not isinstance(runtime, str) or runtime.startswith("python"):
                return False
    return True


def read_without_translator(
    path: Path, data: dict[str, Any], parameters: dict[str, str]
) -> list[Function]:
    """When the translator rejects a template (as SAM CLI would), still list its
    functions and events the plain way, so the user sees them beside the note."""
    base = path.parent
    globals_ = _dict(_dict(data.get("Globals")).get("Function"))
    resolver = Resolver(_dict(data.get("Resources")), parameters, "us-east-1")
    functions = []
    for name, resource in _dict(data.get("Resources")).items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**globals_, **_dict(resource.get("Properties"))}
        bindings, triggers = [], []
        for event_name, event in _dict(props.get("Events")).items():
            event = _dict(event)
            kind, details = event.get("Type"), _dict(event.get("Properties"))
            method = str(details.get("Method", "ANY")).upper()
            route = str(details.get("Path", "/{proxy+}"))
            if kind == "Api":
                bindings.append(Binding("rest", method, route, stage="Prod"))
            elif kind == "HttpApi":
                version = str(details.get("PayloadFormatVersion", "2.0"))
                bindings.append(
                    Binding("http-1.0" if version == "1.0" else "http-2.0", method, route)
                )
            else:
                triggers.append(Trigger(str(kind), str(event_name)))
        if "FunctionUrlConfig" in props:
            bindings.append(Binding("function-url", "ANY", "/{proxy+}", api="url"))
        handler = props.get("Handler")
        timeout = props.get("Timeout", 3)
        variables = _dict(_dict(props.get("Environment")).get("Variables"))
        functions.append(
            Function(
                name=str(name),
                template=path,
                handler=handler if isinstance(handler, str) and "." in handler else None,
                code_dir=base / str(props.get("CodeUri") or "."),
                runtime=str(props["Runtime"]) if isinstance(props.get("Runtime"), str) else None,
                timeout=float(timeout) if isinstance(timeout, (int, float)) else 3.0,
                environment={str(k): resolver.text(v) for k, v in variables.items()},
                bindings=tuple(bindings),
                triggers=tuple(triggers),
                package_type=str(props.get("PackageType") or "Zip"),
            )
        )
    return functions
