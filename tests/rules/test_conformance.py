"""Every fact in shared/conformance/cases.json, through the rules core."""

from typing import Any

import pytest

from apigw_doctor import evaluate
from support.conformance import assert_matches_case, load_cases, returned_value

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_through_evaluate(case: dict[str, Any]) -> None:
    verdict = evaluate(
        returned_value(case),
        api=case["api"],
        request_headers=case.get("request_headers"),
        binary_media_types=case.get("binary_media_types", ()),
        function_error=case.get("function_error"),
    )
    assert_matches_case(case, verdict.status, verdict.failed, verdict.headers, verdict.body)
    # A generated failure always carries the error that explains it, and back.
    assert verdict.failed == bool(verdict.errors)


def test_cases_file_is_not_empty() -> None:
    assert len(CASES) >= 30
