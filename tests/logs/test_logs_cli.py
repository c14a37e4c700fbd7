"""`apigw-doctor logs` as users run it: files, stdin, HTML in a real browser, and
CloudWatch (downloads and Logs Insights) against moto's mock AWS."""

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws

from apigw_doctor.cli import main
from support.secrets import SECRET_LINES, SECRETS

SAMPLES = Path(__file__).parent / "samples"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["logs", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_text_summary_with_sparkline() -> None:
    status, out, _ = run(str(SAMPLES / "execution.log"), str(SAMPLES / "lambda.log"))
    assert status == 1
    assert out.startswith("7 requests, 6 failed (6 5xx)")
    assert "failures per minute: " in out
    assert "GW301" in out and 'fix: "body": json.dumps(' in out
    assert "Authorization=Bearer" not in out


def test_json_from_stdin() -> None:
    status, out, _ = run("-", "--format", "json", stdin=(SAMPLES / "tail.log").read_text())
    report = json.loads(out)
    assert status == 1
    assert report["summary"]["byCause"]["GW301"] == 2
    assert {f["status"] for f in report["failed"]} == {502, 504}


def test_clean_log_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.log"
    path.write_text(
        "(0a1b2c3d-0000) HTTP Method: GET, Resource Path: /\n"
        "(0a1b2c3d-0000) Method completed with status: 200\n"
    )
    status, out, _ = run(str(path))
    assert status == 0
    assert out.startswith("1 requests, 0 failed")


def test_usage_errors(tmp_path: Path) -> None:
    assert run("nope.log")[0] == 2
    status, _, err = run("--rest-api-id", "abc")
    assert status == 2 and "go together" in err
    status, _, err = run(str(SAMPLES / "tail.log"), "--function", "f")
    assert status == 2 and "not both" in err


def chromium() -> str:
    path = shutil.which("chromium")
    assert path, "Chromium is missing: run scripts/install-test-deps"
    return path


def test_html_report_in_a_real_browser(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    status, _, err = run(
        str(SAMPLES / "execution.log"), str(SAMPLES / "access.jsonl"), "--html", str(report)
    )
    assert status == 1 and "wrote" in err
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                f"--user-data-dir={profile}",
                "--dump-dom",
                report.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    assert 'id="timeline"' in dom and dom.count('class="bar"') >= 5
    assert dom.count("<tr>") == 8 + 1  # header + one row per failed request
    assert "GW301" in dom and "gateway-4xx" in dom
    assert "eyJhbGci" not in dom  # the access log's token is redacted


# -- CloudWatch, through moto ---------------------------------------------------------
@pytest.fixture
def cloudwatch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        logs = boto3.client("logs")
        now = int(time.time() * 1000)
        for group, sample in (
            ("API-Gateway-Execution-Logs_a1b2c3/prod", "execution.log"),
            ("/aws/lambda/items", "lambda.log"),
        ):
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName="s1")
            messages = [
                line.split(" ", 1)[1]
                for line in (SAMPLES / sample).read_text().splitlines()
                if line.startswith("2026")
            ]
            logs.put_log_events(
                logGroupName=group,
                logStreamName="s1",
                logEvents=[
                    {"timestamp": now - 60_000 + n, "message": m} for n, m in enumerate(messages)
                ],
            )
        yield


def test_cloudwatch_download(cloudwatch: None) -> None:
    status, out, _ = run(
        "--rest-api-id",
        "a1b2c3",
        "--stage",
        "prod",
        "--function",
        "items",
        "--since",
        "1h",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert status == 1
    assert report["summary"]["requests"] == 7
    assert report["summary"]["sources"] == [
        "API-Gateway-Execution-Logs_a1b2c3/prod",
        "/aws/lambda/items",
    ]
    price = next(f for f in report["failed"] if f["path"] == "/items/1/price")
    assert any("MarshalError" in line for line in price["functionLog"])


def test_cloudwatch_insights_prints_its_query(cloudwatch: None) -> None:
    status, out, err = run(
        "--rest-api-id",
        "a1b2c3",
        "--stage",
        "prod",
        "--insights",
        "--since",
        "2h",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert status == 1
    assert "filter @message like /HTTP Method: |Method completed with status: " in err
    assert report["summary"]["insightsQuery"].startswith("fields @timestamp")
    assert report["summary"]["byCause"]["GW301"] == 2


def test_cloudwatch_errors(cloudwatch: None) -> None:
    status, _, err = run("--rest-api-id", "nope", "--stage", "prod")
    assert status == 2  # could not read: not "failures found"
    assert "reading log group API-Gateway-Execution-Logs_nope/prod: ResourceNotFound" in err
    status, _, err = run("--rest-api-id", "a1b2c3", "--stage", "prod", "--since", "soon")
    assert status == 2 and "30m, 1h, 2d" in err


def test_text_and_html_reports_hold_no_secret(tmp_path: Path) -> None:
    log = tmp_path / "secrets.log"
    log.write_text("\n".join(SECRET_LINES) + "\n")
    page = tmp_path / "report.html"
    status, out, _ = run(str(log), "--html", str(page))
    assert status == 1
    for secret in SECRETS:
        assert secret not in out
        assert secret not in page.read_text()


def test_the_json_report_holds_no_secret_unless_asked(tmp_path: Path) -> None:
    log = tmp_path / "secrets.log"
    log.write_text("\n".join(SECRET_LINES) + "\n")
    shown = run(str(log), "--format", "json")[1]
    unmasked = run(str(log), "--format", "json", "--no-redact")[1]
    assert [s for s in SECRETS if s in shown] == []
    # the report quotes the path, the result and the function log, not request headers
    quoted = ("hunter2", "AKIAQWERTYUIOPASDFGH", "eyJzdWIiOiJwYXRoIn0", "l1stCk", "r3prList")
    assert [s for s in quoted if s not in unmasked] == []


def test_the_help_says_which_engine_runs(logs_engine: str) -> None:
    result = CliRunner().invoke(main, ["logs", "--help"])
    assert result.exit_code == 0
    assert f"Engine: {logs_engine} " in " ".join(result.output.split())
