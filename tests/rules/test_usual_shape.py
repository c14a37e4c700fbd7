"""The usual result (status, text headers with a Content-Type, text body) gets the
verdict every other spelling of the same response gets: an empty
``multiValueHeaders`` or ``cookies`` beside it changes nothing the client sees."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apigw_doctor import API_KINDS, evaluate_payload

names = st.sampled_from(
    ["Content-Type", "content-type", "X-Request-Id", "Cache-Control", "x-a1", "X_Under",
     "Bad Name", "", "Ünicode", "X-Dup", "x-dup"]
)  # fmt: skip
values = st.text(max_size=12) | st.integers() | st.booleans() | st.none()
results = st.fixed_dictionaries(
    {
        "statusCode": st.integers(min_value=-5, max_value=1000) | st.sampled_from(["200", 200.0]),
        # names that differ only in case merge differently beside multiValueHeaders
        "headers": st.dictionaries(names, values, max_size=4).filter(
            lambda h: len({n.lower() for n in h}) == len(h)
        )
        | st.none(),
        "body": st.text(max_size=30) | st.none() | st.just({"a": 1}),
    },
    optional={"isBase64Encoded": st.sampled_from([False, True, None, "false"])},
)


def _same_response(api: str, result: dict[str, Any]) -> None:
    """The verdict on ``result`` equals the one on the same response with an empty
    key the API accepts added (which the usual-shape path never takes)."""
    extra = "multiValueHeaders" if api in ("rest", "http-1.0") else "cookies"
    empty: dict[str, Any] = {extra: {} if extra == "multiValueHeaders" else []}
    payload = json.dumps(result).encode()
    padded = json.dumps({**result, **empty}).encode()
    usual = evaluate_payload(payload, api=api)
    other = evaluate_payload(padded, api=api)
    assert usual._replace(payload=None) == other._replace(payload=None)
    assert usual.payload == payload


@pytest.mark.parametrize("api", API_KINDS)
@settings(max_examples=300, deadline=None)
@given(result=results)
def test_the_usual_shape_gets_the_verdict_of_any_other_spelling(
    api: str, result: dict[str, Any]
) -> None:
    _same_response(api, result)


@pytest.mark.parametrize("api", API_KINDS)
@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"},
        {"statusCode": 599, "headers": {"content-type": "text/plain"}, "body": "é"},
        {"statusCode": 100, "headers": {"Content-Type": "a/b"}, "body": "",
         "isBase64Encoded": False},
        {"statusCode": 404, "headers": {"X-A": "1", "Content-Type": "a/b"}, "body": "\ud800"},
    ],
)  # fmt: skip
def test_usual_results(api: str, result: dict[str, Any]) -> None:
    _same_response(api, result)
