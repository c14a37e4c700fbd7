"""SAM templates through AWS's translator, and translations kept between runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties:
            Path: {path}
            Method: get
"""

#: a fresh interpreter loads the project: its routes, and whether it needed the translator
PROBE = """
import json, sys
from pathlib import Path
from apigw_doctor.project import load_project
project = load_project([Path(sys.argv[1])])
routes = [b.path for f in project.functions for b in f.bindings]
translated = "samtranslator.translator.translator" in sys.modules
print(json.dumps({"routes": routes, "translated": translated}))
"""


def write_project(folder: Path, path: str = "/hello") -> Path:
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "template.yaml").write_text(TEMPLATE.format(path=path))
    (folder / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    return folder


def load(folder: Path, **environment: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **environment},
    )
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_a_template_translated_before_is_read_back_without_the_translator(
    tmp_path: Path,
) -> None:
    folder = write_project(tmp_path / "project")
    cache = str(tmp_path / "cache")
    assert load(folder, APIGW_DOCTOR_CACHE=cache) == {"routes": ["/hello"], "translated": True}
    assert load(folder, APIGW_DOCTOR_CACHE=cache) == {"routes": ["/hello"], "translated": False}


def test_an_edited_template_is_translated_again(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    cache = str(tmp_path / "cache")
    load(folder, APIGW_DOCTOR_CACHE=cache)
    write_project(folder, "/goodbye")
    assert load(folder, APIGW_DOCTOR_CACHE=cache) == {"routes": ["/goodbye"], "translated": True}


def test_an_edited_api_definition_file_is_translated_again(tmp_path: Path) -> None:
    """The translator reads a local DefinitionUri's content: it is part of the key."""
    folder = write_project(tmp_path / "project")
    template = (folder / "template.yaml").read_text()
    api = "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n"
    api += "      StageName: dev\n      DefinitionUri: api.yaml\n"
    wired = template.replace("Method: get\n", "Method: get\n            RestApiId: !Ref Api\n")
    (folder / "template.yaml").write_text(wired + api)
    cache = str(tmp_path / "cache")
    for title in ("one", "two"):
        (folder / "api.yaml").write_text(f"swagger: '2.0'\ninfo: {{title: {title}}}\npaths: {{}}\n")
        assert load(folder, APIGW_DOCTOR_CACHE=cache)["translated"] is True


def test_off_keeps_nothing(tmp_path: Path) -> None:
    folder = write_project(tmp_path / "project")
    home = tmp_path / "xdg"
    for _ in range(2):
        answer = load(folder, APIGW_DOCTOR_CACHE="off", XDG_CACHE_HOME=str(home))
        assert answer["translated"] is True
    assert not home.exists()
