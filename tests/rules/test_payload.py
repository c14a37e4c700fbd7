"""Raw invocation payloads, Lambda's own failures, limits and log lines."""

import datetime
import decimal
import json

import pytest

from apigw_doctor import Limits, evaluate, evaluate_payload
from apigw_doctor.rules import integration_timeout

MALFORMED = "Execution failed due to configuration error: Malformed Lambda proxy response"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "GW106"),
        (b"   \n", "GW106"),
        (b"<html>oops</html>", "GW106"),
        (b'{"statusCode": 200', "GW106"),
        (b'\xff\xfe{"a": 1}', "GW106"),
        (b'{"statusCode": 200, "body": NaN}', "GW107"),
        (b'{"statusCode": -Infinity}', "GW107"),
        (b"[" * 100_000 + b"]" * 100_000, "GW106"),
    ],
    ids=["empty", "blank", "html", "truncated", "not-utf8", "nan", "infinity", "deep"],
)
@pytest.mark.parametrize("api", ["rest", "http-1.0", "http-2.0"])
def test_unreadable_payload_fails(payload: bytes, code: str, api: str) -> None:
    verdict = evaluate_payload(payload, api=api)
    assert verdict.failed and verdict.status == (502 if api == "rest" else 500)
    assert [f.code for f in verdict.findings] == [code]


def test_integers_past_pythons_digit_limit_are_read() -> None:
    payload = b'{"statusCode": 200, "body": "x", "headers": {"X": ' + b"9" * 5000 + b"}}"
    verdict = evaluate_payload(payload, api="rest")
    assert verdict.failed and {f.code for f in verdict.findings} == {"GW402"}


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ({"price": decimal.Decimal("1.50")}, b'{"price": 1.50}'),
        ({"name": b"caf\xc3\xa9"}, b'{"name": "caf\\u00e9"}'),
    ],
    ids=["decimal", "utf8-bytes"],
)
def test_values_the_runtime_serialises_reach_the_client(value: object, body: bytes) -> None:
    """S1, S3: the runtime's encoder writes Decimal and UTF-8 bytes; json.dumps would not."""
    verdict = evaluate(value, api="http-2.0")
    assert (verdict.status, verdict.body) == (200, body)


def test_bytes_returned_whole_are_the_payload() -> None:
    """S4: a bytes return value is posted unchanged, and API Gateway parses it."""
    verdict = evaluate(b'{"statusCode": 201, "body": "made"}', api="rest")
    assert (verdict.status, verdict.body) == (201, b"made")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            b"\x89PNG",
            "'utf-8' codec can't decode byte 0x89 in position 0: invalid start byte",
        ),
        (datetime.date(2026, 1, 1), "Object of type date is not JSON serializable"),
        ({1, 2}, "Object of type set is not JSON serializable"),
        ({(1, 2): "x"}, "keys must be str, int, float, bool or None, not tuple"),
    ],
    ids=["bytes-not-utf8", "date", "set", "tuple-key"],
)
def test_values_the_runtime_cannot_serialise_are_function_errors(value: object, text: str) -> None:
    verdict = evaluate({"statusCode": 200, "body": value}, api="rest", lambda_request_id="req-1")
    (item,) = verdict.findings
    assert (verdict.status, item.code, item.rule) == (502, "GW702", "F2")
    assert text in item.message
    assert verdict.log_lines[0] == (
        "Lambda execution failed with status 200 due to customer function error: "
        f"Unable to marshal response: {text}. Lambda request id: req-1"
    )
    assert verdict.log_lines[-1] == "Method completed with status: 502"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ({"errorMessage": "boom", "errorType": "ValueError"}, "GW701"),
        ({"errorMessage": "2026-11-24T10:00:00Z abc Task timed out after 3.00 seconds"}, "GW703"),
        ({"errorMessage": "x", "errorType": "Runtime.MarshalError"}, "GW702"),
        (
            {
                "errorMessage": "Response payload size exceeded maximum allowed payload size "
                "(6291556 bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            },
            "GW601",
        ),
        ("not an object", "GW701"),
    ],
)
@pytest.mark.parametrize("api", ["rest", "http-2.0"])
def test_function_errors(error: object, code: str, api: str) -> None:
    verdict = evaluate(error, api=api, function_error="Unhandled")
    assert verdict.failed and [f.code for f in verdict.findings] == [code]
    assert verdict.status == (502 if api == "rest" else 500)
    assert bool(verdict.log_lines) == (api == "rest")


def test_function_error_from_a_raw_payload() -> None:
    verdict = evaluate_payload(
        b'{"errorMessage": "boom", "errorType": "KeyError"}', api="rest", function_error="Unhandled"
    )
    assert "KeyError: boom" in verdict.findings[0].message


def test_lambda_limit_is_inclusive_and_overridable() -> None:
    small = Limits(lambda_response_bytes=100)
    fits = json.dumps({"body": "a" * (100 - len('{"body": ""}'))}).encode()
    assert len(fits) == 100
    assert not evaluate_payload(fits, api="rest", limits=small).failed
    over = evaluate_payload(fits + b" ", api="rest", limits=small)
    assert over.failed and over.findings[0].code == "GW601"
    assert "101 bytes" in over.findings[0].message


def test_gateway_limit_applies_when_lambda_limit_is_raised() -> None:
    limits = Limits(lambda_response_bytes=1000, gateway_payload_bytes=50)
    verdict = evaluate({"body": "a" * 100}, api="http-1.0", limits=limits)
    assert verdict.status == 500 and verdict.findings[0].code == "GW602"


def test_near_limit_warning() -> None:
    verdict = evaluate({"body": "a" * 80}, api="rest", limits=Limits(lambda_response_bytes=100))
    assert not verdict.failed and "GW604" in {f.code for f in verdict.findings}


def test_integration_timeout() -> None:
    verdict = integration_timeout("rest", Limits(integration_timeout_seconds=50))
    assert (verdict.status, verdict.failed) == (504, True)
    assert json.loads(verdict.body) == {"message": "Endpoint request timed out"}
    assert "50 s" in verdict.findings[0].message


@pytest.mark.parametrize(
    ("returned", "log"),
    [
        (
            {"statusCode": 201},
            ("Successfully completed execution", "Method completed with status: 201"),
        ),
        ({"statusCode": 200, "x": 1}, (MALFORMED, "Method completed with status: 502")),
    ],
)
def test_rest_execution_log(returned: object, log: tuple[str, ...]) -> None:
    assert evaluate(returned, api="rest").log_lines == log


@pytest.mark.parametrize("api", ["http-1.0", "http-2.0", "function-url"])
def test_http_apis_write_no_execution_log(api: str) -> None:
    assert evaluate({"statusCode": 200, "x": []}, api=api).log_lines == ()


def test_unknown_api_kind_names_the_kinds() -> None:
    with pytest.raises(ValueError, match=r"expected one of rest, http-1\.0"):
        evaluate({}, api="soap")


def test_verdict_json_shape() -> None:
    out = evaluate({"statusCode": 200, "body": {"a": 1}}, api="rest").as_json()
    assert set(out) == {"api", "status", "failed", "headers", "body_base64", "findings", "log"}
    assert set(out["findings"][0]) == {"code", "severity", "rule", "confidence", "message", "fix"}
    json.dumps(out)


def test_a_result_nested_past_pythons_recursion_limit_is_read() -> None:
    """Other runtimes write JSON 3,000 deep; API Gateway reads it, so must we."""
    deep = b"[" * 3000 + b"]" * 3000
    verdict = evaluate_payload(b'{"statusCode": 200, "body": "x", "x": ' + deep + b"}", api="rest")
    assert [f.code for f in verdict.findings] == ["GW102"]  # the key, not "not JSON"
