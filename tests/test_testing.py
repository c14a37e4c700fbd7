"""The in-process test client: events in, API Gateway's rules out."""

from typing import Any

import pytest

from apigw_doctor.testing import Gateway, MalformedResponse
from handlers import samples
from support.conformance import assert_matches_case, load_cases, returned_value


def test_ok_response_and_context() -> None:
    api = Gateway(samples.ok, resource="/items/{id}")
    response = api.get("/items/42")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"path": "/items/42", "params": {"id": "42"}, "remaining": True}
    assert response.event["httpMethod"] == "GET"
    assert api.responses == [response]


@pytest.mark.parametrize(
    ("handler", "api", "status", "code"),
    [
        (samples.dict_body, "rest", 502, "GW301"),
        (samples.returns_none, "rest", 502, "GW101"),
        (samples.decimal_value, "rest", 502, "GW402"),  # the runtime writes a number
        (samples.datetime_body, "rest", 502, "GW702"),
        (samples.raises, "rest", 502, "GW701"),
        (samples.raises, "http-2.0", 500, "GW701"),
        (samples.number_header, "rest", 502, "GW402"),
        (samples.dict_body, "http-1.0", 500, "GW301"),
    ],
)
def test_malformed_results(handler: object, api: str, status: int, code: str) -> None:
    response = Gateway(handler, api).post("/x", json={"a": 1})  # type: ignore[arg-type]
    assert response.status_code == status
    assert code in {f.code for f in response.findings}


def test_function_error_keeps_the_traceback_for_the_developer() -> None:
    response = Gateway(samples.raises).get("/")
    assert "KeyError" in response.invocation.log
    assert response.verdict.log_lines[0].startswith(
        "Lambda execution failed with status 200 due to customer function error: 'id'"
    )


def test_strict_mode_raises_with_the_fix() -> None:
    with pytest.raises(MalformedResponse, match=r"GW301.*\n    fix: \"body\": json.dumps"):
        Gateway(samples.dict_body, strict=True).get("/")


def test_echo_sends_any_result_through_the_rules() -> None:
    api = Gateway(samples.echo, "http-2.0")
    response = api.post("/", json={"statusCode": 201, "cookies": ["a=1", "b=2"], "body": "x"})
    assert response.status_code == 201
    assert response.headers.get_list("Set-Cookie") == ["a=1", "b=2"]
    assert response.text == "x"


def test_query_and_headers_inputs() -> None:
    api = Gateway(samples.echo)
    response = api.request("GET", "/p?a=1", query=[("a", "2")], headers={"X-A": "b"})
    assert response.event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert response.event["headers"]["X-A"] == "b"


def test_unknown_api_kind() -> None:
    with pytest.raises(ValueError, match="unknown API kind"):
        Gateway(samples.ok, "graphql")


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_conformance_case_through_the_test_client(case: dict[str, Any]) -> None:
    returned = returned_value(case)

    def handler(event: dict[str, Any], context: Any) -> Any:
        if case.get("function_error"):
            raise RuntimeError(returned.get("errorMessage", "error"))
        return returned

    api = Gateway(handler, case["api"], binary_media_types=case.get("binary_media_types", ()))
    response = api.get("/", headers=case.get("request_headers") or {})
    assert_matches_case(
        case,
        response.status_code,
        response.verdict.failed,
        response.headers.lines,
        response.content,
    )
