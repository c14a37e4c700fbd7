"""The pytest plugin, run as users run it: in a pytest session of their own."""

import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
import json

def broken(event, context):
    return {"statusCode": 200, "body": {"a": 1}}

def test_status_only(apigw):
    response = apigw(broken).get("/")
    assert response.status_code in (200, 502)
"""


def test_without_strict_the_test_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TEST_FILE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_strict_fails_the_test_with_finding_and_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest("--apigw-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*GW301*body is an object*", '*fix: "body": json.dumps*'])
