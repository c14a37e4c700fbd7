"""CORS and authorizers from a SAM template, over real HTTP: a REST API with Cors, a
TOKEN and a REQUEST authorizer; an HTTP API with CorsConfiguration, a JWT and a simple
Lambda authorizer (tests/project/projects/secured)."""

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apigw_doctor.server import RouteTable
from support.server import running

TEMPLATE = Path(__file__).parents[1] / "project" / "projects" / "secured" / "template.yaml"
ORIGIN = "http://app.example"


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with running(RouteTable.from_template(TEMPLATE), workers=2) as base:
        yield base


def jwt(claims: dict[str, object]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"Bearer e30.{payload}.signature"


def findings(base: str, response: httpx.Response) -> list[str]:
    request_id = response.headers.get("x-amzn-requestid") or response.headers["apigw-requestid"]
    records = httpx.get(f"{base}/__apigw-doctor/api/requests").json()
    record = next(r for r in records if r["requestId"].startswith(request_id))
    detail = httpx.get(f"{base}/__apigw-doctor/api/requests/{record['id']}").json()
    return [f["code"] for f in detail["response"]["findings"]]


@pytest.mark.parametrize(
    ("token", "status", "body"),
    [
        (None, 401, {"message": "Unauthorized"}),
        ("allow", 200, {"path": "/items", "user": "alice"}),
        ("deny", 403, {"Message": "User is not authorized to access this resource"}),
        ("bogus", 401, {"message": "Unauthorized"}),  # raise Exception("Unauthorized")
        ("broken", 500, {"message": None}),  # no principalId: AuthorizerConfigurationException
    ],
)
def test_rest_token_authorizer(api: str, token: str | None, status: int, body: object) -> None:
    headers = {"Authorization": token} if token else {}
    response = httpx.get(api + "/items", headers=headers)
    assert (response.status_code, response.json()) == (status, body)
    if status == 500:
        assert response.headers["x-amzn-errortype"] == "AuthorizerConfigurationException"
        assert "GW782" in findings(api, response)


def test_rest_request_authorizer_and_an_open_route(api: str) -> None:
    assert httpx.get(api + "/keyed", headers={"X-Api-Key": "key-1"}).json()["user"] == "keyholder"
    assert httpx.get(api + "/keyed", headers={"X-Api-Key": "nope"}).status_code == 403
    assert httpx.get(api + "/keyed").status_code == 401
    assert httpx.get(api + "/open").status_code == 200  # Auth: {Authorizer: NONE}


def test_http_api_jwt_and_simple_authorizers(api: str) -> None:
    token = jwt({"sub": "u1", "aud": "app"})
    assert httpx.get(api + "/orders", headers={"Authorization": token}).json() == {"sub": "u1"}
    assert httpx.get(api + "/orders").status_code == 401
    assert (
        httpx.get(api + "/orders", headers={"Authorization": jwt({"aud": "x"})}).status_code == 401
    )
    assert httpx.get(api + "/simple", headers={"X-Token": "yes"}).json() == {
        "sub": None,
        "tier": "gold",
    }
    refused = httpx.get(api + "/simple", headers={"X-Token": "no"})
    assert (refused.status_code, refused.json()) == (403, {"message": "Forbidden"})


PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}


def test_preflights_are_answered_as_each_api_kind_does(api: str) -> None:
    rest = httpx.options(api + "/items", headers=PREFLIGHT)  # the OPTIONS mock, no authorizer
    assert rest.status_code == 200
    assert rest.headers["access-control-allow-origin"] == ORIGIN
    assert rest.headers["access-control-allow-headers"] == "Content-Type,Authorization"
    http = httpx.options(api + "/orders", headers=PREFLIGHT)  # the HTTP API itself
    assert http.status_code == 204 and http.headers["access-control-max-age"] == "600"
    assert "x-amzn-requestid" not in http.headers
    other = httpx.options(api + "/orders", headers={**PREFLIGHT, "Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_http_api_adds_cors_headers_rest_does_not(api: str) -> None:
    token = jwt({"sub": "u1", "aud": "app"})
    http = httpx.get(api + "/orders", headers={"Origin": ORIGIN, "Authorization": token})
    assert http.headers["access-control-allow-origin"] == ORIGIN
    rest = httpx.get(api + "/open", headers={"Origin": "http://elsewhere.example"})
    assert rest.headers.get("access-control-allow-origin") == ORIGIN  # the function's own
    assert "GW772" in findings(api, rest)  # the function allows another origin


def test_a_502_behind_cors_is_explained(api: str) -> None:
    response = httpx.get(api + "/broken", headers={"Origin": ORIGIN, "Authorization": "allow"})
    assert response.status_code == 502
    assert "access-control-allow-origin" not in response.headers
    assert "GW771" in findings(api, response)


def test_no_auth_opens_every_route(tmp_path: Path) -> None:
    with running(RouteTable.from_template(TEMPLATE).without_auth(), workers=1) as base:
        assert httpx.get(base + "/items").json() == {"path": "/items", "user": None}
