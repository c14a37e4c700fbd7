"""CORS and authorizers from a SAM template, over real HTTP: a REST API with Cors, a
TOKEN and a REQUEST authorizer; an HTTP API with CorsConfiguration, a JWT and a simple
Lambda authorizer (tests/project/projects/secured)."""

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apigw_doctor.server import RouteTable
from support.server import running
from support.serving import serve

TEMPLATE = Path(__file__).parents[1] / "project" / "projects" / "secured" / "template.yaml"
ORIGIN = "http://app.example"


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with running(RouteTable.from_template(TEMPLATE), workers=2) as base:
        yield base


def part(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def jwt(claims: dict[str, object], alg: str = "RS256") -> str:
    """A token as the template's issuer would sign it (the signature is not checked)."""
    claims = {"iss": "https://issuer.example", "exp": time.time() + 600, **claims}
    return f"Bearer {part({'alg': alg, 'kid': 'k1'})}.{part(claims)}.signature"


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


@pytest.mark.parametrize(
    ("claims", "alg", "path", "status", "challenge"),
    [
        ({"sub": "u1", "aud": "app"}, "RS256", "/orders", 200, None),
        ({"sub": "u1", "aud": "other"}, "RS256", "/orders", 401, "valid audience"),
        ({"sub": "u1", "aud": "app"}, "none", "/orders", 401, "'none'"),
        ({"aud": "app", "iss": "https://evil.example"}, "RS256", "/orders", 401, "issuer"),
        ({"aud": "app", "exp": 1}, "RS256", "/orders", 401, "expired"),
        ({"aud": "app", "nbf": time.time() + 3600}, "RS256", "/orders", 401, "not valid yet"),
        ({"aud": "app", "scope": "openid"}, "RS256", "/orders/admin", 403, "insufficient_scope"),
        ({"sub": "u2", "aud": "app", "scope": "orders/all"}, "RS256", "/orders/admin", 200, None),
    ],
)
def test_http_api_jwt_checks_as_aws_checks_them(
    api: str,
    claims: dict[str, object],
    alg: str,
    path: str,
    status: int,
    challenge: str | None,
) -> None:
    response = httpx.get(api + path, headers={"Authorization": jwt(claims, alg)})
    assert response.status_code == status
    codes = findings(api, response)
    if challenge is None:
        assert response.json() == {"sub": claims["sub"]}
        assert "www-authenticate" not in response.headers
        assert codes[0] == "GW783"  # let through: its signature was not checked
    else:
        assert response.json() == {"message": "Unauthorized" if status == 401 else "Forbidden"}
        assert challenge in response.headers["www-authenticate"]
        assert codes == ["GW781"]


def test_each_unverified_token_is_said_in_the_log() -> None:
    """GW783 is a finding of the request itself: its inspector record and its log line."""
    process, base = serve(cwd=TEMPLATE.parent)
    try:
        token = jwt({"sub": "u1", "aud": "app"})
        response = httpx.get(base + "/orders", headers={"Authorization": token})
        assert response.status_code == 200
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    request_id = response.headers["apigw-requestid"]
    said = [line for line in stderr.splitlines() if "GW783" in line]
    assert len(said) == 1 and said[0].startswith(f"({request_id}")
    assert "signature was NOT checked" in said[0]
