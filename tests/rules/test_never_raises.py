"""The rules core answers every input with a verdict: it never raises."""

import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apigw_doctor import API_KINDS, evaluate, evaluate_payload

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text()
    | st.integers(min_value=10**4400, max_value=10**4500)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
response_keys = st.sampled_from(
    [
        "statusCode",
        "headers",
        "multiValueHeaders",
        "body",
        "isBase64Encoded",
        "cookies",
        "base64Encoded",
        "other",
    ]
)
responses = st.dictionaries(response_keys, json_values, max_size=6)
apis = st.sampled_from(API_KINDS)
accepts = st.none() | st.sampled_from(["image/png", "*/*", "image/*,text/html", ";;", ""])
media_types = st.lists(
    st.sampled_from(["image/png", "image/*", "*/*", "application/*", ""]), max_size=3
)


def check_verdict(verdict: Any) -> None:
    assert 100 <= verdict.status <= 999
    assert isinstance(verdict.body, bytes)
    assert verdict.failed == bool(verdict.errors)
    assert all(isinstance(n, str) and isinstance(v, str) for n, v in verdict.headers)
    json.dumps(verdict.as_json())


@settings(max_examples=400)
@given(value=json_values | responses, api=apis, accept=accepts, types=media_types)
def test_any_value(value: Any, api: str, accept: str | None, types: list[str]) -> None:
    headers = {"Accept": accept} if accept is not None else None
    check_verdict(evaluate(value, api=api, request_headers=headers, binary_media_types=types))


@settings(max_examples=300)
@given(payload=st.binary(max_size=200), api=apis, error=st.none() | st.just("Unhandled"))
def test_any_bytes(payload: bytes, api: str, error: str | None) -> None:
    check_verdict(evaluate_payload(payload, api=api, function_error=error))


@settings(max_examples=200)
@given(value=responses, api=apis)
def test_any_serialised_response(value: Any, api: str) -> None:
    check_verdict(evaluate_payload(as_text(value), api=api))


def as_text(value: Any) -> bytes:
    """JSON text as any runtime may write it: ints past Python's 4300-digit limit
    included (Node and Java write them; Python refuses to read them back)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value).encode()
    finally:
        sys.set_int_max_str_digits(limit)


HUGE_NUMBERS = ["9" * 5000, "-" + "9" * 5000, "9" * 5000 + ".5", "1E+999999999", "1E-999999999"]
PLACES = [
    '{{"statusCode": {n}, "body": "x"}}',
    '{{"statusCode": 200, "body": {n}, "headers": {{"a": {n}}}, "isBase64Encoded": {n}}}',
    '{{"statusCode": 200, "multiValueHeaders": {{"a": [{n}]}}, "cookies": [{n}]}}',
    '{{"errorMessage": {n}, "errorType": {n}}}',
    '{{"Reason": {n}, "Type": {n}}}',
    "[{n}]",
    "{n}",
]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("number", HUGE_NUMBERS, ids=lambda n: n[:12])
def test_numbers_past_pythons_digit_limit_anywhere(place: str, number: str) -> None:
    """A 5,000-digit statusCode once ended check and logs in a traceback: filling in
    the finding's message formatted the int, past Python's int-to-text limit."""
    payload = place.format(n=number).encode()
    for api in API_KINDS:
        check_verdict(evaluate_payload(payload, api=api))
        check_verdict(evaluate_payload(payload, api=api, function_error="Unhandled"))


def test_deep_nesting_as_a_value() -> None:
    deep: Any = []
    for _ in range(50_000):
        deep = [deep]
    for api in API_KINDS:
        check_verdict(evaluate({"statusCode": 200, "body": deep}, api=api))
        check_verdict(
            evaluate(
                {"statusCode": 200, "body": "x", "headers": {"a": deep}},
                api=api,
                function_error="Unhandled",
            )
        )
