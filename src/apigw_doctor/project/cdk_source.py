"""Handlers a CDK app's own source names, for an app nobody has synthesized yet.

Without ``cdk.out`` there is no template to read, but the app's code says
``handler="hitcounter.handler"`` beside ``Code.from_asset("lambda")``: the file
``lambda/hitcounter.py`` and its function ``handler`` are a Lambda handler. Which
API (if any) invokes it is not known from this; the lint and scan decide with what
the function reads (see ``lint._project.find_handlers``).
"""

from __future__ import annotations

import re
from pathlib import Path

_SOURCES = ("*.py", "*.ts", "*.js")
_SKIP = frozenset({"node_modules", "cdk.out", ".venv", "venv", ".git", "__pycache__"})
_HANDLER = re.compile(r"""\bhandler\s*[=:]\s*["']([A-Za-z_][\w.]*)\.([A-Za-z_]\w*)["']""")
_ASSET = re.compile(
    r"""(?:from_asset|fromAsset|\basset)\(\s*(?:path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?"""
    r"""["']([^"']+)["']"""
)


def cdk_named_handlers(apps: list[Path]) -> dict[Path, frozenset[str]]:
    """Module path -> the functions the CDK apps (folders of ``cdk.json`` without a
    synthesized ``cdk.out``) name as handlers; a pair counts only when the asset
    folder holds the module (so unrelated strings never name a handler)."""
    found: dict[Path, set[str]] = {}
    for app in apps:
        for source in _app_sources(app):
            try:
                text = source.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            handlers = _HANDLER.findall(text)
            assets = _ASSET.findall(text)
            for module, function in handlers:
                for asset in assets:
                    for base in (app, source.parent):
                        candidate = (base / asset / (module.replace(".", "/") + ".py")).resolve()
                        if candidate.is_file():
                            found.setdefault(candidate, set()).add(function)
    return {path: frozenset(names) for path, names in found.items()}


def _app_sources(app: Path) -> list[Path]:
    sources = []
    for pattern in _SOURCES:
        for path in app.rglob(pattern):
            relative = path.relative_to(app).parts
            if not _SKIP.intersection(relative) and path.stat().st_size < 200_000:
                sources.append(path)
    return sources
