"""Every conformance case through `apigw-doctor check --format json`."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from support.conformance import assert_matches_case, load_cases, returned_value

CASES = load_cases()


def check_args(case: dict[str, Any], path: Path) -> list[str]:
    args = ["check", str(path), "--api", case["api"], "--format", "json"]
    for name, value in (case.get("request_headers") or {}).items():
        args += ["--header", f"{name}: {value}"]
    if case.get("binary_media_types"):
        args += ["--binary-media-types", ",".join(case["binary_media_types"])]
    if case.get("function_error"):
        args.append("--function-error")
    return args


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_through_check(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(returned_value(case)), encoding="utf-8")
    result = CliRunner().invoke(main, check_args(case, path))
    out = json.loads(result.stdout)
    assert result.exit_code == (1 if out["failed"] else 0), result.output
    headers = [(name, value) for name, value in out["headers"]]
    body = base64.b64decode(out["body_base64"])
    assert_matches_case(case, out["status"], out["failed"], headers, body)
    assert out["api"] == case["api"]
