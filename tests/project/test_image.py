"""Image functions: the handler file is where the Dockerfile's COPY lines put it in the
task root (SAM's DockerContext, CDK's asset folder), checked through `apigw-doctor scan`."""

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

PROJECTS = Path(__file__).parent / "projects"


def scan(folder: Path) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["scan", str(folder), "--format", "json"])
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def images() -> dict:  # type: ignore[type-arg]
    return scan(PROJECTS / "images")


@pytest.mark.parametrize(
    ("name", "file"),
    [
        ("Glob", "glob/src/main.py"),  # COPY src/* ${LAMBDA_TASK_ROOT}
        ("Package", "package/app/main.py"),  # COPY app/ ${LAMBDA_TASK_ROOT}/app/
        ("Workdir", "workdir/handler.py"),  # WORKDIR ${LAMBDA_TASK_ROOT} + COPY . .
        ("Override", "override/src/api.py"),  # ImageConfig.Command over CMD; COPY src/ ./
        ("Ric", "ric/app/app.py"),  # awslambdaric on python:3.12-slim: the WORKDIR
    ],
)
def test_the_handler_file_is_found_through_the_copy_lines(
    images: dict,  # type: ignore[type-arg]
    name: str,
    file: str,
) -> None:
    handler = next(h for h in images["handlers"] if h["name"] == name)
    assert handler["target"].split(":")[0].endswith(f"images/{file}")
    assert [c["status"] for c in handler["calls"]] == [200]


def test_the_images_env_reaches_the_function_under_its_own_variables() -> None:
    """ENV lines are the image's environment; a path under the task root names the
    project's copy; the template's variables win; PATH stays this machine's."""
    template = str(PROJECTS / "images" / "template.yaml")
    command = ["invoke", "Env", "GET", "/env", "--template", template, "--format", "json"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    body = json.loads(base64.b64decode(json.loads(result.stdout)["body_base64"]))
    assert body == {
        "greeting": "hello",
        "key": "secret-free test key",
        "overridden": "from the template",
        "path_kept": True,
    }


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Built", "from another stage"),  # COPY --from=build
        ("Unknown", "no COPY or ADD line puts missing.py"),
    ],
)
def test_a_handler_the_dockerfile_does_not_show_is_not_checked_here(
    images: dict,  # type: ignore[type-arg]
    name: str,
    reason: str,
) -> None:
    skipped = next(s for s in images["skipped"] if s["name"] == name)
    assert not skipped["checkedHere"]
    assert reason in skipped["reason"]
    assert "every request fails" not in skipped["reason"]


def test_cdk_docker_image_functions_from_their_asset_folder() -> None:
    report = scan(PROJECTS / "cdk-image")
    targets = {h["name"]: h["target"] for h in report["handlers"]}
    assert set(targets) == {"ApiFn1A2B3C4D", "CmdFn9F8E7D6C"}  # CMD; ImageConfig.Command
    assert all(t.endswith("cdk.out/asset.5e1f/src/main.py:handler") for t in targets.values())
    assert not report["skipped"]


def test_serverless_framework_images_built_from_this_folder() -> None:
    report = scan(PROJECTS / "sls-image")
    targets = {h["name"]: h["target"] for h in report["handlers"]}
    assert targets["fromCmd"].endswith("sls-image/image/app/main.py:handler")  # CMD
    assert targets["fromCommand"].endswith("sls-image/image/app/other.py:handler")  # command
    assert all(c["status"] == 200 for h in report["handlers"] for c in h["calls"])
    (prebuilt,) = report["skipped"]
    assert prebuilt["name"] == "prebuilt" and not prebuilt["checkedHere"]
    assert any("prebuilt image" in n["note"] for n in report["notes"])


def test_invoke_says_why_an_image_handler_is_not_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECTS / "images")
    result = CliRunner().invoke(main, ["invoke", "Unknown", "GET", "/unknown"])
    assert result.exit_code == 2
    assert "no COPY or ADD line puts missing.py" in " ".join(result.output.split())
