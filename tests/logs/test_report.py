"""The report's shortcut past redaction: a story is shown as it is only when no text
of it holds anything redaction acts on, whichever engine tests that."""

import importlib

import pytest

from apigw_doctor.redaction import might_hold_secrets, secret_hints

report = importlib.import_module("apigw_doctor.logs._report")

FOLDED, EXACT = secret_hints()
HINTS = [*FOLDED, *EXACT, '"isBase64Encoded"']
#: each hint as logged in every case, inside other text, and texts that hold none,
#: some of them not ASCII (letters whose lower case is an ASCII one: the Kelvin sign,
#: the dotted capital I)
TEXTS = [
    variant
    for hint in HINTS
    for variant in (hint, hint.upper(), hint.title(), hint.swapcase(), f"x{hint}y", hint[:-1])
] + [
    "",
    "Method completed with status: 502",
    '{"statusCode": 200, "body": {"id": 12345}}',
    "AUTHOR\u0130ZATION: x",
    "api\u212aey=1",
    "caf\u00e9 \u2028 token",
    "caf\u00e9 nothing here",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_is_clean_exactly_when_redaction_has_nothing_to_test(text: str) -> None:
    expected = '"isBase64Encoded"' not in text and not might_hold_secrets(text)
    assert report._clean(text) is expected
