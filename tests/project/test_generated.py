"""serverless-wsgi: the WSGI app behind the handler its plugin generates at package
time runs through serverless_wsgi.handle_request, as on Lambda (`apigw-doctor scan`)."""

import base64
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from support.venvs import project_venv

PROJECTS = Path(__file__).parent / "projects"


def scan(folder: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["scan", str(folder), "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "wsgi"
    shutil.copytree(PROJECTS / "wsgi", folder)
    return folder


def test_the_wsgi_app_answers_through_serverless_wsgi() -> None:
    status, report = scan(PROJECTS / "wsgi")
    assert status == 0
    (handler,) = report["handlers"]
    assert "generated at package time" in handler["target"]
    answers = {
        (c["method"], c["api"]): json.loads(base64.b64decode(c["body_base64"]))
        for c in handler["calls"]
    }
    assert answers == {
        ("GET", "rest"): {"path": "/items/example-id", "item": "an item"},
        ("POST", "http-2.0"): {"path": "/orders", "item": "an item"},
    }


def test_the_older_wsgi_handler_layout(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    text = (folder / "serverless.yml").read_text()
    (folder / "serverless.yml").write_text(text.replace("wsgi_handler.handler", "wsgi.handler"))
    status, report = scan(folder)
    assert status == 0 and [h["name"] for h in report["handlers"]] == ["api"]


def test_an_app_that_does_not_import_fails(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    (folder / "api" / "shop_data.py").write_text("raise RuntimeError('broken at import')\n")
    status, report = scan(folder)
    assert status == 1 and report["handlers"][0]["failing"]


def test_without_serverless_wsgi_installed_it_is_not_checked_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy(tmp_path)
    python = project_venv(folder, "unrelated", "X = 1\n")  # the project's Python lacks it
    monkeypatch.delenv("APIGW_DOCTOR_PYTHON", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    status, report = scan(folder)
    (handler,) = report["handlers"]
    assert status == 0 and not handler["failing"]
    assert f"{python} -m pip install serverless-wsgi" in handler["notCheckedHere"]


def test_an_app_that_is_not_named_is_a_note(tmp_path: Path) -> None:
    folder = copy(tmp_path)
    text = (folder / "serverless.yml").read_text()
    (folder / "serverless.yml").write_text(text.replace("app: api/app.application", "x: 1"))
    result = CliRunner().invoke(main, ["scan", str(folder), "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 2 and report["skipped"][0]["name"] == "api"
    assert any("custom.wsgi.app" in n["note"] for n in report["notes"])


def test_custom_wsgi_without_the_plugin_listed_here(tmp_path: Path) -> None:
    """plugins can live in another file (${file(...)}): custom.wsgi says enough."""
    folder = copy(tmp_path)
    text = (folder / "serverless.yml").read_text()
    (folder / "serverless.yml").write_text(text.replace("  - serverless-wsgi\n", ""))
    status, report = scan(folder)
    assert status == 0 and [h["name"] for h in report["handlers"]] == ["api"]


def test_the_generated_handler_stands_over_a_file_of_the_same_name(tmp_path: Path) -> None:
    """The plugin writes its wsgi_handler.py into the package: a local one is not deployed."""
    folder = copy(tmp_path)
    (folder / "wsgi_handler.py").write_text("raise RuntimeError('not what is deployed')\n")
    status, report = scan(folder)
    assert status == 0 and report["handlers"][0]["calls"][0]["status"] == 200
