"""The runtime's encoder against AWS's own: awslambdaric's LambdaMarshaller is the oracle."""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import os
from typing import Any

import pytest
from awslambdaric.lambda_runtime_exception import FaultException
from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller
from hypothesis import given, settings
from hypothesis import strategies as st

from apigw_doctor.runtime.encoder import MAX_DEPTH, MarshalError, ensure_ascii_for, marshal

Point = collections.namedtuple("Point", "x y")


class Level(enum.IntEnum):
    LOW = 1


class Colour(enum.StrEnum):
    RED = "red"


class Record:
    def _asdict(self) -> dict[str, Any]:
        return {"kind": "record", "at": [1, 2]}


RUNTIMES = {"python3.11": "AWS_Lambda_python3.11", "python3.12": "AWS_Lambda_python3.12"}


def oracle(value: Any, runtime: str) -> tuple[str, bytes]:
    """What awslambdaric posts for ``value``: ("ok", payload) or ("error", message)."""
    previous = os.environ.get("AWS_EXECUTION_ENV")
    os.environ["AWS_EXECUTION_ENV"] = RUNTIMES[runtime]
    try:
        result, _ = LambdaMarshaller().marshal_response(value)
    except FaultException as exc:
        return exc.exception_type, exc.msg.encode()
    finally:
        if previous is None:
            del os.environ["AWS_EXECUTION_ENV"]
        else:
            os.environ["AWS_EXECUTION_ENV"] = previous
    if isinstance(result, str):
        result = result.encode("utf-8", errors="surrogatepass")
    return "ok", result


def ours(value: Any, runtime: str) -> tuple[str, bytes]:
    try:
        return "ok", marshal(value, runtime=runtime)
    except MarshalError as exc:
        return "Runtime.MarshalError", exc.message.encode()


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def circular() -> Any:
    items: list[Any] = []
    items.append(items)
    return items


EXAMPLES = [
    decimal.Decimal("1.50"),
    decimal.Decimal("1E+2"),
    decimal.Decimal("-0"),
    decimal.Decimal("NaN"),
    decimal.Decimal("-sNaN"),
    decimal.Decimal("Infinity"),
    {"price": decimal.Decimal("-Infinity")},
    float("nan"),
    float("-inf"),
    1e300,
    -0.0,
    b"hello",
    {"raw": b"\x89PNG"},
    {"text": b"caf\xc3\xa9"},
    (1, (2, 3)),
    Point(1, [b"a"]),
    Record(),
    {True: 1, None: 2, 1.5: 3, 7: 4, b"k": 5, float("nan"): 6},
    {(1,): 2},
    {decimal.Decimal(1): 2},
    datetime.datetime(2026, 1, 1),
    datetime.date(2026, 1, 1),
    {1, 2},
    frozenset(),
    bytearray(b"x"),
    memoryview(b"x"),
    object(),
    iter([1]),
    "café\u2028\U0001f600\x7f\x00",
    {"lone": "\ud800"},
    Level.LOW,
    {Level.LOW: Colour.RED},
    10**5000,
    nested(100),
    nested(MAX_DEPTH + 100),
    circular(),
    {"statusCode": 200, "body": '{"a": 1}', "headers": {"X": "é"}},
]


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: type(v).__name__)
def test_examples_match_the_runtime(value: Any, runtime: str) -> None:
    assert ours(value, runtime) == oracle(value, runtime)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.binary(max_size=8)
    | st.decimals()
    | st.dates()
    | st.sampled_from([Level.LOW, Colour.RED])
)
keys = (
    st.text()
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
    | st.binary(max_size=4)
    | st.decimals(allow_nan=False)
    | st.tuples(st.integers())
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.builds(Point, inner, inner)
        | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=3000, deadline=None)
@given(value=values, runtime=st.sampled_from(sorted(RUNTIMES)))
def test_generated_values_match_the_runtime(value: Any, runtime: str) -> None:
    assert ours(value, runtime) == oracle(value, runtime)


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        (None, True),
        ("python3.9", True),
        ("python3.11", True),
        ("python3.12", False),
        ("AWS_Lambda_python3.13", False),
    ],
)
def test_non_ascii_is_raw_from_python_312(runtime: str | None, expected: bool) -> None:
    assert ensure_ascii_for(runtime) is expected
