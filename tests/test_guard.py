"""The runtime guard: whatever the handler returns, API Gateway accepts it."""

import datetime
import decimal
import json
import logging
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apigw_doctor import evaluate
from apigw_doctor.guard import GuardError, _plainly_valid, guard
from apigw_doctor.runtime.invocation import LambdaContext
from support.conformance import load_cases, returned_value
from support.imports import third_party_imports

CASES = [c for c in load_cases() if not c.get("function_error")]
CONTEXT = LambdaContext("fn", request_id="req-42")


def guarded(value: Any, api: str = "rest", **kwargs: Any) -> Any:
    @guard(api=api, **kwargs)
    def handler(event: Any, context: Any) -> Any:
        return value

    return handler


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_guard_repairs_every_conformance_case(case: dict[str, Any]) -> None:
    types = tuple(case.get("binary_media_types", ()))
    event = {"headers": case.get("request_headers")}
    original = returned_value(case)
    result = guarded(original, case["api"], binary_media_types=types)(event, CONTEXT)
    verdict = evaluate(
        result,
        api=case["api"],
        request_headers=case.get("request_headers"),
        binary_media_types=types,
    )
    assert verdict.ok, verdict.findings
    if not case["expect"]["failed"]:
        assert result is original  # a valid result passes through untouched


@pytest.mark.parametrize(
    ("value", "status", "body"),
    [
        (
            {"statusCode": 200, "body": {"a": decimal.Decimal("1.5"), "n": decimal.Decimal(2)}},
            200,
            {"a": 1.5, "n": 2},
        ),
        ({"statusCode": 201, "body": {"at": datetime.date(2026, 1, 2)}}, 201, {"at": "2026-01-02"}),
        ({"items": [1, 2]}, 200, {"items": [1, 2]}),
        ([1, 2, 3], 200, [1, 2, 3]),
        ("text", 200, "text"),
        ({"statusCode": "oops", "body": "x"}, 500, None),
        (None, 500, {"message": "Internal server error", "requestId": "req-42"}),
    ],
)
def test_repairs(value: Any, status: int, body: Any) -> None:
    result = guarded(value)({}, CONTEXT)
    assert result["statusCode"] == status
    if body is not None:
        assert json.loads(result["body"]) == body
    assert evaluate(result, api="rest").ok


def test_control_characters_and_unsendable_statuses_are_repaired() -> None:
    result = guarded({"statusCode": 103, "headers": {"X-A": "a\r\nb\x00"}, "body": "x"})(
        {}, CONTEXT
    )
    assert result["statusCode"] == 500 and result["headers"] == {"X-A": "a  b "}
    assert evaluate(result, api="rest").ok


def test_bytes_body_becomes_base64() -> None:
    result = guarded({"statusCode": 200, "body": b"\x89PNG", "headers": {"X-N": 3}})({}, CONTEXT)
    assert result["isBase64Encoded"] is True
    assert result["body"] == "iVBORw=="
    assert result["headers"] == {"X-N": "3"}


def test_exception_becomes_clean_500_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    @guard()
    def handler(event: Any, context: Any) -> Any:
        raise RuntimeError("db down")

    with caplog.at_level(logging.ERROR, logger="apigw_doctor.guard"):
        result = handler({}, CONTEXT)
    assert result["statusCode"] == 500
    assert "db down" not in result["body"] and "Traceback" not in result["body"]
    assert json.loads(result["body"])["requestId"] == "req-42"
    record = json.loads(caplog.records[0].getMessage())
    assert record["code"] == "GW701" and record["requestId"] == "req-42"


def test_one_json_log_line_per_problem(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="apigw_doctor.guard"):
        guarded({"statusCode": 200, "body": {"a": 1}, "headers": {"X": 1}})({}, CONTEXT)
    records = [json.loads(r.getMessage()) for r in caplog.records]
    assert {r["code"] for r in records} == {"GW301", "GW402"}
    assert all({"rule", "fix", "confidence", "requestId"} <= r.keys() for r in records)


def test_report_mode_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    value = {"statusCode": 200, "body": {"a": 1}}
    with caplog.at_level(logging.WARNING, logger="apigw_doctor.guard"):
        assert guarded(value, mode="report")({}, CONTEXT) is value
    assert "GW301" in caplog.text


def test_strict_mode_raises() -> None:
    with pytest.raises(GuardError, match="GW301"):
        guarded({"body": {"a": 1}}, mode="strict")({}, CONTEXT)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown guard mode"):
        guard(mode="fix")
    with pytest.raises(ValueError, match="unknown API kind"):
        guard(api="soap")


def test_guard_imports_only_the_standard_library() -> None:
    assert third_party_imports("apigw_doctor.guard") == ""


def test_a_valid_result_never_loads_the_rules_core() -> None:
    """The guard runs on every cold start: the happy path stays on the standard library."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from apigw_doctor.guard import guard\n"
        "h = guard(api='rest')(lambda e, c: {'statusCode': 200, 'body': 'ok'})\n"
        "assert h({}, None) == {'statusCode': 200, 'body': 'ok'}\n"
        "print(sorted(m for m in sys.modules if m.startswith('apigw_doctor')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout
    assert "apigw_doctor.rules._evaluate" not in loaded
    assert "apigw_doctor.catalogue" not in loaded


results = st.dictionaries(
    st.sampled_from(["statusCode", "body", "headers", "isBase64Encoded", "cookies", "extra"]),
    st.none()
    | st.integers(-5, 700)
    | st.text(max_size=5)
    | st.booleans()
    | st.dictionaries(st.text(max_size=3), st.text(max_size=3) | st.integers(), max_size=2),
    max_size=5,
)


@settings(max_examples=2000, deadline=None)
@given(result=results, api=st.sampled_from(["rest", "http-1.0", "http-2.0", "function-url"]))
@example(result={"headers": {"": ""}, "statusCode": 100}, api="rest")  # found by a CI run
def test_the_shortcut_never_passes_what_the_rules_question(result: Any, api: str) -> None:
    if _plainly_valid(result, api):
        verdict = evaluate(result, api=api)
        assert verdict.ok
        assert not [f for f in verdict.findings if f.severity != "info"]
