"""Every conformance case over real HTTP: client -> local gateway -> worker -> echo."""

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from apigw_doctor.server import RouteTable
from support.conformance import assert_matches_case, load_cases, returned_value
from support.server import endpoint, running

CASES = load_cases()
CONFIGS = sorted({(c["api"], tuple(c.get("binary_media_types", ()))) for c in CASES})


def prefix(case: dict[str, Any]) -> str:
    return f"/c{CONFIGS.index((case['api'], tuple(case.get('binary_media_types', ()))))}"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    routes = RouteTable(
        [
            endpoint(f"/c{n}/{{proxy+}}", "echo", api, binary_media_types=types)
            for n, (api, types) in enumerate(CONFIGS)
        ]
    )
    with running(routes, workers=2) as url:
        yield url


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_over_http(case: dict[str, Any], base_url: str) -> None:
    returned = returned_value(case)
    if case.get("function_error"):
        returned = {"__raise__": returned.get("errorMessage", "error")}
    body = json.dumps(returned).encode()
    headers = {"Content-Type": "application/json", **(case.get("request_headers") or {})}
    location = urlsplit(base_url)
    connection = http.client.HTTPConnection(location.hostname, location.port, timeout=60)
    try:
        connection.request("POST", f"{prefix(case)}/echo", body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        assert_matches_case(case, response.status, None, response.getheaders(), content)
    finally:
        connection.close()
