"""Small SAM projects written by tests: one function behind one API route."""

from pathlib import Path


def sam_api(
    folder: Path,
    handler: str = "app.handler",
    *,
    runtime: str = "python3.12",
    method: str = "GET",
    path: str = "/",
    properties: str = "      CodeUri: .\n",
) -> Path:
    """``folder/template.yaml`` with function Fn behind ``method path`` of a REST API."""
    template = folder / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        f"      Handler: {handler}\n"
        f"{properties}"
        f"      Runtime: {runtime}\n"
        f"      Events: {{Call: {{Type: Api, Properties: {{Path: {path}, Method: {method}}}}}}}\n"
    )
    return template
