"""What API Gateway refuses before routing: headers past its quota (Q1), and methods it
does not support (Q2)."""

import pytest

from apigw_doctor.events import Route
from apigw_doctor.server.admission import HEADER_QUOTA_BYTES, header_bytes, oversized_headers


def test_rest_counts_header_lines_http_apis_the_request_line_too() -> None:
    headers = [("host", "x"), ("x-a", "b" * 10)]
    lines = sum(len(f"{n}: {v}\r\n") for n, v in headers)
    assert header_bytes("rest", "GET", "/items?q=1", headers) == lines
    request_line = len("GET /items?q=1 HTTP/1.1\r\n")
    assert header_bytes("http-2.0", "GET", "/items?q=1", headers) == lines + request_line


@pytest.mark.parametrize("api", ["rest", "http-1.0", "http-2.0"])
def test_the_quota_is_10240_bytes(api: str) -> None:
    def request(size: int) -> list[tuple[str, str]]:
        return [("x-big", "a" * size)]

    room = HEADER_QUOTA_BYTES - header_bytes(api, "GET", "/", request(0))
    assert oversized_headers(api, "GET", "/", request(room)) is None
    found = oversized_headers(api, "GET", "/", request(room + 1))
    assert found is not None and found.code == "GW784" and "10,241 bytes" in found.message


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PURGE", "PROPFIND"])
def test_any_is_only_the_methods_api_gateway_supports(method: str) -> None:
    assert Route("/{proxy+}", "ANY").match(method, "/x") is None
    assert Route("/{proxy+}", "ANY").match("PATCH", "/x") == {"proxy": "x"}
