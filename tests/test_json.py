"""`apigw_doctor._json`: JSON from outside, where "too deep" is a ValueError like any
other bad JSON (json.loads raises RecursionError for it)."""

import pytest

from apigw_doctor._json import TooDeep, loads

DEEP = {
    "list": "[" * 100_000 + "]" * 100_000,
    "object": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "bytes": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_nesting_past_the_parser_is_a_value_error(text: str | bytes) -> None:
    with pytest.raises(ValueError, match="nested too deeply") as raised:
        loads(text)
    assert isinstance(raised.value, TooDeep)


def test_anything_else_reads_as_json_loads_does() -> None:
    assert loads('{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    with pytest.raises(ValueError, match="Expecting property name"):
        loads("{")
