"""A SAM template made safe to translate without the network.

SAM's translator resolves an ``AWS::Serverless::Application`` whose ``Location``
names a Serverless Application Repository app (``ApplicationId`` and
``SemanticVersion``) by calling SAR: without credentials that prints a library's
traceback and fails the whole translation; with them, reading a project would
touch an AWS account.  Such a ``Location`` is swapped, before translation, for a
placeholder template URL (what the translator would put there once SAR answered),
so the rest of the template translates as SAM CLI translates it; the app itself is
not read, and a note says so.
"""

from __future__ import annotations

from typing import Any

#: where the swapped applications point (never fetched: nested stacks are read only
#: from local files)
_PLACEHOLDER = "https://s3.amazonaws.com/apigw-doctor-offline/{name}.yaml"


def without_repository_calls(template: dict[str, Any]) -> list[str]:
    """Swaps, in ``template``, every SAR application's Location for a placeholder URL;
    returns a note for each."""
    notes = []
    resources = template.get("Resources")
    for name, resource in resources.items() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Application":
            continue
        props = resource.get("Properties")
        if not isinstance(props, dict) or not isinstance(props.get("Location"), dict):
            continue
        location = props["Location"]
        app = location.get("ApplicationId")
        shown = app if isinstance(app, str) else "an application"
        props["Location"] = _PLACEHOLDER.format(name=name)
        notes.append(
            f"{name}: {shown} comes from the Serverless Application Repository; its "
            "functions are not in this project and are not read (nothing here calls AWS)"
        )
    return notes
