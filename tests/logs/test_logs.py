"""Reading realistic logs in every supported format, and explaining each failure."""

import gzip
import json
from pathlib import Path

import pytest

from apigw_doctor.logs import analyse, analyse_lines, as_json
from apigw_doctor.logs._partial import close_json
from apigw_doctor.redaction import redact_text as redact
from support.secrets import SECRET_LINES, SECRETS

SAMPLES = Path(__file__).parent / "samples"
EXECUTION_CAUSES = {
    "11111111-aaaa-4aaa-8aaa-000000000001": "GW301",  # dict body, data trace on
    "33333333-cccc-4ccc-8ccc-000000000003": "GW702",  # Decimal: marshal error
    "44444444-dddd-4ddd-8ddd-000000000004": "GW301",  # truncated body, still proven
    "55555555-eeee-4eee-8eee-000000000005": "no-data-trace",
    "66666666-ffff-4fff-8fff-000000000006": "GW603",  # integration timeout, 504
    "77777777-aaaa-4aaa-8aaa-000000000007": "GW703",  # function timeout
}


def causes(names: list[str]) -> dict[str, str]:
    report = analyse([str(SAMPLES / n) for n in names])
    return {s.request_id: s.cause for s in report.stories}


@pytest.mark.parametrize(
    "name",
    ["execution.log", "filter-log-events.json", "tail.log", "export-000001.gz"],
)
def test_every_execution_log_format_tells_the_same_story(name: str) -> None:
    assert causes([name]) == EXECUTION_CAUSES


def test_summary_counts_and_garbage_lines() -> None:
    report = analyse([str(SAMPLES / "execution.log")])
    summary = report.summary()
    assert summary["requests"] == 7
    assert summary["status5xx"] == 6
    assert summary["byCause"]["GW301"] == 2
    assert summary["firstSeen"] == "2026-11-20T10:00:01Z"
    assert summary["linesSkipped"] >= 2  # the garbage line and the broken JSON line


def test_story_details() -> None:
    report = analyse([str(SAMPLES / "execution.log")])
    first = report.stories[0]
    assert (first.method, first.path, first.status) == ("GET", "/items", 502)
    assert first.integration_latency_ms == 17
    assert first.lambda_request_id == "aaaaaaaa-1111-4111-8111-000000000001"
    truncated = next(s for s in report.stories if s.truncated)
    assert "visible part" in truncated.explanation
    missing = next(s for s in report.stories if s.cause == "no-data-trace")
    assert "--data-trace" in missing.explanation


def test_function_logs_are_correlated_by_lambda_request_id() -> None:
    report = analyse([str(SAMPLES / "execution.log"), str(SAMPLES / "lambda.log")])
    story = next(s for s in report.stories if s.path == "/items/1/price")
    assert any("Runtime.MarshalError" in line for line in story.function_log)
    assert story.cause == "GW702"


def test_access_logs() -> None:
    report = analyse([str(SAMPLES / "access.jsonl")])
    by_id = {s.request_id: s for s in report.stories}
    assert set(by_id) == {"Xa1=", "Xa3="}
    assert by_id["Xa1="].status == 500 and by_id["Xa1="].api == "http-2.0"
    assert "Malformed Lambda proxy response" in (by_id["Xa1="].gateway_error or "")
    assert by_id["Xa3="].cause == "gateway-4xx"
    assert report.summary()["requestsByLog"]["access"] == 3


def test_interleaved_requests_in_reverse_file_order() -> None:
    lines = (SAMPLES / "execution.log").read_text().splitlines()
    shuffled = [line for line in lines if "1111" in line] + [
        line for line in lines if "1111" not in line
    ]
    report = analyse_lines(shuffled)
    assert {s.request_id: s.cause for s in report.stories} == EXECUTION_CAUSES


def test_redaction() -> None:
    text = (
        "Method request headers: {Authorization=Bearer abc.def, Cookie=session=42, "
        "X-Api-Key=k123} token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij "
        "key AKIAABCDEFGHIJKLMNOP"
    )
    clean = redact(text)
    for secret in ("abc.def", "session=42", "k123", "eyJhbGci", "AKIAABCDEFGHIJKLMNOP"):
        assert secret not in clean
    assert "Authorization=[REDACTED]" in clean


def test_json_report_is_redacted_unless_asked() -> None:
    lines = [
        "(0a1b2c3d-0000) HTTP Method: GET, Resource Path: /x",
        '(0a1b2c3d-0000) Endpoint response body before transformations: {"statusCode": 200, '
        '"headers": {"Authorization": "Bearer s3cret"}, "body": {}}',
        "(0a1b2c3d-0000) Method completed with status: 502",
    ]
    report = analyse_lines(lines)
    assert "s3cret" not in as_json(report, redacted=True)
    assert "s3cret" in as_json(report, redacted=False)


@pytest.mark.parametrize(
    ("prefix", "closed"),
    [
        (
            '{"statusCode": 200, "body": {"a": [1, {"b',
            '{"statusCode": 200, "body": {"a": [1, {}]}}',
        ),
        ('{"a": "tex', '{"a": "tex"}'),
        ('{"a": 1, "bo', '{"a": 1}'),
        ('{"a":', '{"a":null}'),
        ("[1, tr", "[1, null]"),
    ],
)
def test_close_json(prefix: str, closed: str) -> None:
    assert close_json(prefix) == closed


def test_large_gzip_stream_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.gz"
    block = (SAMPLES / "execution.log").read_text()
    with gzip.open(path, "wt") as out:
        for n in range(300):
            out.write(block.replace("-0000000000", f"-{n:010d}"))
    report = analyse([str(path)])
    assert report.summary()["requests"] == 7 * 300
    assert len(report.stories) == 6 * 300


def test_events_document_split_across_chunks(tmp_path: Path) -> None:
    events = json.loads((SAMPLES / "filter-log-events.json").read_text())["events"]
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": events * 500}, indent=2))
    report = analyse([str(path)])
    assert report.summary()["requests"] == 7 * 500
    assert len(report.stories) == 6  # the same request ids: one story each
    assert report.lines == len(events) * 500


def clean_log(requests: int) -> list[str]:
    """An execution log without stray lines, requests interleaved two by two."""
    lines: list[str] = []
    for n in range(0, requests, 2):
        pair = [f"{n:08d}-0000-4000-8000-{n:012d}", f"{n + 1:08d}-0000-4000-8000-{n + 1:012d}"]
        for rid in pair:
            lines.append(
                f"2026-11-20T10:{n // 60 % 60:02d}:00.000Z ({rid}) HTTP Method: GET, "
                f"Resource Path: /r/{n}"
            )
        for rid, status, body in zip(
            pair,
            (502, 200),
            ('{"statusCode": 200, "body": {}}', '{"statusCode": 200, "body": "x"}'),
            strict=True,
        ):
            lines.append(
                f"2026-11-20T10:00:01.000Z ({rid}) Endpoint response body before "
                f"transformations: {body}"
            )
            lines.append(f"2026-11-20T10:00:01.000Z ({rid}) Method completed with status: {status}")
    return lines


def test_fast_path_matches_the_line_parser(tmp_path: Path) -> None:
    lines = clean_log(40_000)
    path = tmp_path / "clean.log"
    path.write_text("\n".join(lines) + "\n")
    fast = analyse([str(path)])
    slow = analyse_lines(lines)
    assert fast.summary()["requests"] == slow.summary()["requests"] == 40_000
    assert fast.summary()["status5xx"] == slow.summary()["status5xx"] == 20_000
    assert [(s.request_id, s.path, s.cause) for s in fast.stories] == [
        (s.request_id, s.path, s.cause) for s in slow.stories
    ]
    assert fast.summary()["firstSeen"] == slow.summary()["firstSeen"]


def test_no_secret_reaches_any_output_even_through_findings() -> None:
    """Findings quote the logged result: their messages and fixes are redacted too,
    and a quoted value with escapes never breaks the JSON report."""
    report = analyse_lines(SECRET_LINES)
    assert all(story.findings for story in report.stories)  # GW301 quotes the body
    text = as_json(report, redacted=True)
    json.loads(text)
    for secret in SECRETS:
        assert secret not in text
    assert "hunter2" in as_json(report, redacted=False)


def test_a_huge_line_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    lines = (SAMPLES / "execution.log").read_bytes()
    path.write_bytes(b"x" * (20 * 1024 * 1024) + b"\n" + lines)
    report = analyse([str(path)])
    assert report.summary()["requests"] == 7  # everything after it is still read
    assert report.skipped >= 1


def test_line_separators_inside_a_logged_body_do_not_split_it() -> None:
    lines = [
        "(u2028-req-0001) HTTP Method: GET, Resource Path: /x",
        '(u2028-req-0001) Endpoint response body before transformations: {"statusCode": 200, '
        '"body": {"a": "x\u2028y"}}',
        "(u2028-req-0001) Method completed with status: 502",
    ]
    path_text = "\n".join(lines) + "\n"
    report = analyse_lines(path_text.split("\n"))
    (story,) = report.stories
    assert story.cause == "GW301"


def test_odd_cloudwatch_timestamps_are_no_crash(tmp_path: Path) -> None:
    events = [
        {"timestamp": float("nan"), "message": "(odd-ts-0001) Method completed with status: 502"},
        {"timestamp": -1e18, "message": "(odd-ts-0002) Method completed with status: 502"},
        {"timestamp": 1e20, "message": "(odd-ts-0003) Method completed with status: 502"},
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"events": events}))
    report = analyse([str(path)])
    assert len(report.stories) == 3


def test_a_decompression_bomb_stops_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apigw_doctor.logs import SourceError, _read

    monkeypatch.setattr(_read, "BOMB_BYTES", 4 * 1024 * 1024)
    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb") as handle:
        for _ in range(16):  # text: NUL bytes would be refused sooner, as binary
            handle.write(b"a" * (1024 * 1024))
    with pytest.raises(SourceError, match="expands more than 1000:1"):
        analyse([str(path)])


def test_a_failure_far_below_its_start_keeps_its_method_and_path(tmp_path: Path) -> None:
    """Busy logs: 3 MB of other requests between a request's start and its failure."""
    rid = "far-0000-0000-0000-000000000001"
    filler = "".join(
        f"(busy-{n:08d}) HTTP Method: GET, Resource Path: /ok\n"
        f"(busy-{n:08d}) Method completed with status: 200\n"
        for n in range(40_000)
    )
    text = (
        f"({rid}) HTTP Method: POST, Resource Path: /far\n"
        + filler
        + f"({rid}) Execution failed due to configuration error: Malformed Lambda proxy response\n"
        f"({rid}) Method completed with status: 502\n"
    )
    path = tmp_path / "busy.log"
    path.write_text(text)
    (story,) = analyse([str(path)]).stories
    assert (story.method, story.path, story.status) == ("POST", "/far", 502)
