"""One row per rule of the spec: a result, and what the client must get."""

from typing import Any

import pytest

from apigw_doctor import evaluate

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/wIAAgkBAyMAlYwAAAAASUVORK5CYII="

# (id, api, returned, extra evaluate() arguments, status, failed, codes that must appear)
ROWS: list[tuple[str, str, Any, dict[str, Any], int, bool, set[str]]] = [
    # R1: the result must be an object
    ("R1-number", "rest", 42, {}, 502, True, {"GW101"}),
    ("R1-true", "rest", True, {}, 502, True, {"GW101"}),
    ("R1-http1-string", "http-1.0", "x", {}, 500, True, {"GW101"}),
    # R2: unknown keys fail REST, are ignored by HTTP APIs (H3)
    ("R2-extra-key", "rest", {"statusCode": 200, "body": "", "data": 1}, {}, 502, True, {"GW102"}),
    (
        "R2-base64Encoded-peer",
        "rest",
        {"statusCode": 200, "body": "aGk=", "base64Encoded": True},
        {},
        200,
        False,
        {"GW105", "GW501"},
    ),
    ("H3-extra-key", "http-1.0", {"statusCode": 200, "x": 1}, {}, 200, False, {"GW103"}),
    ("V1-extra-key", "http-2.0", {"statusCode": 200, "x": 1}, {}, 200, False, {"GW104"}),
    # R3 / H2: statusCode optional for REST, required for HTTP 1.0
    ("R3-null-status", "rest", {"statusCode": None, "body": "x"}, {}, 200, False, {"GW203"}),
    ("H2-null-status", "http-1.0", {"statusCode": None, "body": "x"}, {}, 500, True, {"GW202"}),
    # R4: ints and digit strings; anything else fails or is unverified
    ("R4-int", "rest", {"statusCode": 404}, {}, 404, False, set()),
    ("R4-digit-string", "http-1.0", {"statusCode": "418"}, {}, 418, False, set()),
    ("R4-signed-string", "rest", {"statusCode": "+201"}, {}, 502, True, {"GW201"}),
    ("R4-empty-string", "rest", {"statusCode": ""}, {}, 502, True, {"GW201"}),
    ("R4-float", "rest", {"statusCode": 201.0}, {}, 201, False, {"GW204"}),
    ("R4-bool", "rest", {"statusCode": True}, {}, 502, True, {"GW206"}),
    ("R4-list", "rest", {"statusCode": [200]}, {}, 502, True, {"GW206"}),
    ("R4-too-small", "rest", {"statusCode": 42}, {}, 502, True, {"GW206"}),
    ("R4-600s", "rest", {"statusCode": 799}, {}, 502, True, {"GW205"}),
    ("R4-600s-http", "http-2.0", {"statusCode": 600}, {}, 500, True, {"GW205"}),
    ("R4-999-text", "rest", {"statusCode": "999"}, {}, 502, True, {"GW205"}),
    ("R4-100", "rest", {"statusCode": 100}, {}, 502, True, {"GW207"}),
    ("R4-101", "http-1.0", {"statusCode": 101}, {}, 500, True, {"GW207"}),
    ("R4-103-text", "function-url", {"statusCode": "103"}, {}, 500, True, {"GW207"}),
    ("R4-199", "http-2.0", {"statusCode": 199}, {}, 500, True, {"GW207"}),
    ("R4-200", "rest", {"statusCode": 200}, {}, 200, False, {"GW409"}),
    ("R6-nul", "rest", {"statusCode": 200, "headers": {"X-A": "a\x00b"}}, {}, 502, True, {"GW414"}),
    (
        "R6-crlf",
        "http-2.0",
        {"statusCode": 200, "headers": {"X-A": "a\r\nSet-Cookie: x=1"}},
        {},
        500,
        True,
        {"GW414"},
    ),
    (
        "R6-ctl-multi",
        "rest",
        {"statusCode": 200, "multiValueHeaders": {"X-A": ["ok", "\x01"]}},
        {},
        502,
        True,
        {"GW414"},
    ),
    (
        "R6-del-cookie",
        "http-2.0",
        {"statusCode": 200, "cookies": ["a=1\x7f"]},
        {},
        500,
        True,
        {"GW414"},
    ),
    (
        "R6-utf8",
        "rest",
        {"statusCode": 200, "headers": {"X-A": "snow\u2603"}},
        {},
        200,
        False,
        {"GW415"},
    ),
    (
        "R6-latin1",
        "http-2.0",
        {"statusCode": 200, "headers": {"X-A": "caf\u00e9"}},
        {},
        200,
        False,
        {"GW415"},
    ),
    (
        "R6-tab-ok",
        "rest",
        {"statusCode": 200, "headers": {"X-A": "a\tb"}},
        {},
        200,
        False,
        {"GW409"},
    ),
    ("R4-huge-digits", "rest", {"statusCode": "9" * 40}, {}, 502, True, {"GW206"}),
    # R5: body absent/null is empty; a string is sent as is; anything else fails
    ("R5-null-body", "rest", {"statusCode": 200, "body": None}, {}, 200, False, set()),
    ("R5-list-body", "rest", {"statusCode": 200, "body": [1]}, {}, 502, True, {"GW301"}),
    ("R5-bool-body", "rest", {"statusCode": 200, "body": False}, {}, 502, True, {"GW301"}),
    ("R5-http1-list-body", "http-1.0", {"statusCode": 200, "body": []}, {}, 500, True, {"GW301"}),
    ("V3-object-body", "http-2.0", {"statusCode": 200, "body": {"a": 1}}, {}, 500, True, {"GW302"}),
    # R6: header values are strings (booleans become text); others fail (peer)
    (
        "R6-number-header",
        "rest",
        {"statusCode": 200, "headers": {"X-Count": 3}},
        {},
        502,
        True,
        {"GW402"},
    ),
    (
        "R6-null-header",
        "rest",
        {"statusCode": 200, "headers": {"X-A": None}},
        {},
        502,
        True,
        {"GW402"},
    ),
    ("R6-headers-list", "rest", {"statusCode": 200, "headers": ["X-A"]}, {}, 502, True, {"GW401"}),
    ("R6-bool-false", "rest", {"headers": {"X-B": False}}, {}, 200, False, {"GW403"}),
    # R7: multiValueHeaders values are lists
    ("R7-mvh-null", "rest", {"statusCode": 200, "multiValueHeaders": None}, {}, 200, False, set()),
    ("R7-mvh-number-item", "rest", {"multiValueHeaders": {"X-A": [1]}}, {}, 502, True, {"GW405"}),
    ("R7-mvh-object", "rest", {"multiValueHeaders": {"X-A": {"a": "b"}}}, {}, 502, True, {"GW404"}),
    # V1: payload 2.0 cookies and multiValueHeaders
    (
        "V1-cookies-string",
        "http-2.0",
        {"statusCode": 200, "cookies": "a=1"},
        {},
        500,
        True,
        {"GW408"},
    ),
    (
        "V1-mvh-ignored",
        "http-2.0",
        {"statusCode": 200, "multiValueHeaders": {"X-A": ["1"]}},
        {},
        200,
        False,
        {"GW407"},
    ),
    # V2: inference
    ("V2-number", "http-2.0", 7, {}, 200, False, {"GW801"}),
    (
        "V2-looks-structured",
        "function-url",
        {"body": "x", "headers": {}},
        {},
        200,
        False,
        {"GW802"},
    ),
    ("V3-string", "http-2.0", "hello", {}, 200, False, {"GW803"}),
    ("V3-null", "http-2.0", None, {}, 200, False, {"GW803"}),
    # R10-R12 / H4: base64 bodies
    (
        "R10-flag-string",
        "rest",
        {"body": "aGk=", "isBase64Encoded": "true"},
        {},
        200,
        False,
        {"GW505", "GW501"},
    ),
    (
        "R11-star-config",
        "rest",
        {"body": PNG, "isBase64Encoded": True},
        {"binary_media_types": ["*/*"], "request_headers": {"Accept": "image/png"}},
        200,
        False,
        {"GW507", "GW502"},
    ),
    (
        "R11-accept-star",
        "rest",
        {"body": PNG, "isBase64Encoded": True},
        {"binary_media_types": ["image/png"], "request_headers": {"Accept": "*/*"}},
        200,
        False,
        {"GW502"},
    ),
    (
        "R11-accept-params",
        "rest",
        {"body": PNG, "isBase64Encoded": True},
        {"binary_media_types": ["image/png"], "request_headers": {"accept": "image/png;q=0.9"}},
        200,
        False,
        set(),
    ),
    (
        "R11-malformed-accept",
        "rest",
        {"body": PNG, "isBase64Encoded": True},
        {"binary_media_types": ["image/png"], "request_headers": {"Accept": "png"}},
        200,
        False,
        {"GW508"},
    ),
    (
        "R12-bad-length",
        "rest",
        {"body": "abcde", "isBase64Encoded": True},
        {"binary_media_types": ["image/png"], "request_headers": [("Accept", "image/png")]},
        500,
        True,
        {"GW503"},
    ),
    (
        "R12-url-safe",
        "rest",
        {"body": "ab-_", "isBase64Encoded": True},
        {"binary_media_types": ["image/png"], "request_headers": {"Accept": "image/png"}},
        500,
        True,
        {"GW503"},
    ),
    (
        "R12-unpadded",
        "rest",
        {"body": "aGk", "isBase64Encoded": True},
        {"binary_media_types": ["text/*"], "request_headers": {"Accept": "text/plain"}},
        200,
        False,
        {"GW506"},
    ),
    (
        "H4-bad-base64",
        "http-2.0",
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
        {},
        500,
        True,
        {"GW504"},
    ),
    # R13 precedence: a malformed result fails before base64 is looked at
    (
        "R13-malformed-wins",
        "rest",
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True, "extra": 1},
        {"binary_media_types": ["image/png"], "request_headers": {"Accept": "image/png"}},
        502,
        True,
        {"GW102"},
    ),
]


@pytest.mark.parametrize(
    ("api", "returned", "extra", "status", "failed", "codes"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_rule(
    api: str, returned: Any, extra: dict[str, Any], status: int, failed: bool, codes: set[str]
) -> None:
    verdict = evaluate(returned, api=api, **extra)
    found = {f.code for f in verdict.findings}
    assert (verdict.status, verdict.failed) == (status, failed), verdict.findings
    assert codes <= found, f"expected {codes}, found {found}"
    assert verdict.failed == bool(verdict.errors)


def test_merge_order_and_spelling() -> None:
    """R8: multi values then the single value, under the multiValueHeaders spelling."""
    verdict = evaluate(
        {"multiValueHeaders": {"X-Tag": ["a", "b"]}, "headers": {"x-tag": "c", "Y": "1"}},
        api="rest",
    )
    assert verdict.headers[:4] == [("X-Tag", "a"), ("X-Tag", "b"), ("X-Tag", "c"), ("Y", "1")]
    assert verdict.header("x-tag") == "a, b, c"
    assert "GW406" in {f.code for f in verdict.findings}


def test_set_cookie_lines_stay_separate() -> None:
    verdict = evaluate({"multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}}, api="rest")
    assert [v for n, v in verdict.headers if n == "Set-Cookie"] == ["a=1", "b=2"]


def test_function_content_type_is_kept() -> None:
    verdict = evaluate({"headers": {"content-type": "text/html"}, "body": "<p>"}, api="rest")
    assert verdict.headers == [("content-type", "text/html")]
    assert "GW409" not in {f.code for f in verdict.findings}


def test_http_default_content_type_is_unverified() -> None:
    verdict = evaluate({"statusCode": 200, "body": "x"}, api="http-2.0")
    (item,) = [f for f in verdict.findings if f.code == "GW410"]
    assert item.confidence == "unknown" and "unverified" in item.message


def test_v2_cookies_become_set_cookie_lines() -> None:
    verdict = evaluate(
        {"statusCode": 200, "cookies": ["a=1", "b=2"], "headers": {"Set-Cookie": "c=3"}},
        api="http-2.0",
    )
    assert [v for n, v in verdict.headers if n.lower() == "set-cookie"] == ["c=3", "a=1", "b=2"]


def test_v2_inferred_body_is_the_payload_text() -> None:
    verdict = evaluate({"message": "hi", "n": [1, 2]}, api="http-2.0")
    assert verdict.body == b'{"message": "hi", "n": [1, 2]}'
    assert verdict.header("content-type") == "application/json"


def test_v3_string_reading_is_warned_with_the_other() -> None:
    verdict = evaluate("hello", api="http-2.0")
    assert verdict.body == b"hello"
    (item,) = verdict.findings
    assert item.severity == "warning" and item.confidence == "unknown"
    assert '"hello"' in item.message


def test_unicode_body_is_utf8() -> None:
    verdict = evaluate({"body": "héllo ☃"}, api="rest")
    assert verdict.body == "héllo ☃".encode()


def test_lone_surrogate_body_never_raises() -> None:
    verdict = evaluate({"body": "\ud800x"}, api="rest")
    assert verdict.status == 200 and verdict.body.endswith(b"x")


# U1-U5: where function URLs differ from HTTP API payload 2.0
@pytest.mark.parametrize(
    ("returned", "body"),
    [
        ({"a": [1, 2], "b": "é"}, '{"a":[1,2],"b":"é"}'.encode()),
        ([1, {"x": None}], b'[1,{"x":null}]'),
        ("hello", b"hello"),
        (3.1, b"3.1"),
        (True, b"true"),
    ],
)
def test_u1_function_url_infers_compact_bodies(returned: Any, body: bytes) -> None:
    verdict = evaluate(returned, api="function-url")
    assert (verdict.status, verdict.body, verdict.header("content-type")) == (
        200,
        body,
        "application/json",
    )
    assert verdict.ok and all(f.confidence != "unknown" for f in verdict.findings)


def test_u2_function_url_defaults_to_json_content_type() -> None:
    verdict = evaluate({"statusCode": 200, "body": "x"}, api="function-url")
    assert verdict.header("content-type") == "application/json"
    assert [f.code for f in verdict.findings] == ["GW411"]


def test_u3_function_url_sends_an_object_body_as_json_with_a_warning() -> None:
    verdict = evaluate({"statusCode": 400, "body": {"error": "bad"}}, api="function-url")
    assert (verdict.status, verdict.body, verdict.failed) == (400, b'{"error":"bad"}', False)
    assert "GW303" in {f.code for f in verdict.findings}
    assert evaluate({"statusCode": 400, "body": {"e": 1}}, api="http-2.0").failed


def test_u4_function_url_function_error_is_a_plain_text_502() -> None:
    error = {"errorMessage": "boom", "errorType": "ValueError"}
    verdict = evaluate(error, api="function-url", function_error="Unhandled")
    assert (verdict.status, verdict.body, verdict.failed) == (502, b"Internal Server Error", True)
    http = evaluate(error, api="http-2.0", function_error="Unhandled")
    assert (http.status, http.body) == (500, b'{"message":"Internal Server Error"}')


# G1-G6: bodies the function never returned are named for what they are
@pytest.mark.parametrize(
    ("api", "returned", "status", "code"),
    [
        (
            "rest",
            {
                "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
                "Type": "User",
                "message": "Rate Exceeded.",
            },
            500,
            "GW762",
        ),
        (
            "http-2.0",
            {"Type": "User", "message": "Lambda was not able to create an ENI in the VPC"},
            500,
            "GW764",
        ),
        (
            "rest",
            {"errorMessage": "RequestId: 1 Process exited before completing request"},
            502,
            "GW765",
        ),
        (
            "http-1.0",
            {
                "errorMessage": "Unable to import module 'app': No module named 'requests'",
                "errorType": "Runtime.ImportModuleError",
                "requestId": "1",
                "stackTrace": [],
            },
            500,
            "GW766",
        ),
        (
            "rest",
            {"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []},
            502,
            "GW701",
        ),
    ],
)
def test_service_and_runtime_error_bodies(api: str, returned: Any, status: int, code: str) -> None:
    verdict = evaluate(returned, api=api)
    codes = [f.code for f in verdict.findings]
    assert (verdict.status, verdict.failed) == (status, True)
    assert code in codes
    assert not {"GW102", "GW103", "GW202", "GW203"} & set(codes), "no 'remove the key' advice"


def test_a_failing_result_has_no_finding_that_says_200() -> None:
    verdict = evaluate({"body": {"a": 1}}, api="rest")
    assert verdict.status == 502
    assert [f.code for f in verdict.findings] == ["GW301"]
