"""`apigw-doctor logs` on log lines written to break it: numbers past Python's digit
limit and JSON nested past its parser. Each is a finding, never a traceback."""

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

REQUEST = "11111111-aaaa-4aaa-8aaa-000000000001"
DEEP = "[" * 100_000 + "]" * 100_000


def execution_log(result: str) -> str:
    """A REST execution log of one request whose logged result is ``result``."""
    lines = [
        f"Starting execution for request: {REQUEST}",
        "HTTP Method: GET, Resource Path: /items",
        f"Endpoint response body before transformations: {result}",
        "Execution failed due to configuration error: Malformed Lambda proxy response",
        "Method completed with status: 502",
    ]
    return "".join(
        f"2026-11-20T10:00:01.00{i}Z ({REQUEST}) {line}\n" for i, line in enumerate(lines)
    )


CASES = {
    "5000-digit statusCode": (
        execution_log('{"statusCode": ' + "9" * 5000 + ', "body": "x"}'),
        "GW206",
    ),
    "deep body": (execution_log('{"statusCode": 200, "body": ' + DEEP + "}"), "GW106"),
    "deep error": (execution_log('{"errorMessage": ' + DEEP + ', "errorType": "E"}'), "GW106"),
    "deep JSON record": (execution_log("{}") + '{"message": ' + DEEP + "}\n", "GW"),
}


@pytest.mark.parametrize(("text", "code"), CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("output", ["text", "json"])
def test_a_hostile_line_is_read_as_a_finding(text: str, code: str, output: str) -> None:
    result = CliRunner().invoke(main, ["logs", "-", "--format", output], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and code in result.stdout
