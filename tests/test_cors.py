"""CORS as API Gateway does it (C1-C3), and what the browser makes of each answer."""

import pytest

from apigw_doctor import cors
from apigw_doctor.project import cors as cors_of
from apigw_doctor.project.model import Cors

ORIGIN = "http://app.example"
REST = cors_of.rest(
    (
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
        ("Access-Control-Allow-Headers", "Authorization"),
    ),
    (),
)
HTTP = cors_of.managed(
    {"AllowOrigins": [ORIGIN], "AllowMethods": ["GET"], "AllowHeaders": ["authorization"],
     "MaxAge": 600, "ExposeHeaders": ["x-total"]}
)  # fmt: skip
PREFLIGHT = [("Origin", ORIGIN), ("Access-Control-Request-Method", "GET"), ("Host", "api:3000")]


def test_rest_preflight_is_the_options_mock_whatever_the_origin() -> None:
    status, lines, body = cors.preflight_answer(REST, [("Origin", "http://else")])
    assert status == 200 and body == b""
    assert ("Access-Control-Allow-Origin", ORIGIN) in lines


def test_http_api_preflight_echoes_an_allowed_origin_only() -> None:
    assert HTTP is not None
    status, lines, _ = cors.preflight_answer(HTTP, PREFLIGHT)
    assert status == 204
    assert dict(lines) == {
        "Access-Control-Allow-Origin": ORIGIN,
        "Access-Control-Allow-Headers": "authorization",
        "Access-Control-Allow-Methods": "GET",
        "Access-Control-Max-Age": "600",
    }
    assert cors.preflight_answer(HTTP, [("Origin", "http://evil.example")]) == (204, [], b"")


def test_http_api_adds_headers_to_every_answer_rest_only_with_gateway_responses() -> None:
    assert HTTP is not None
    added = cors.response_headers(HTTP, [("Origin", ORIGIN)], gateway_error=True)
    assert ("Access-Control-Allow-Origin", ORIGIN) in added
    assert ("Access-Control-Expose-Headers", "x-total") in added
    assert cors.response_headers(REST, [("Origin", ORIGIN)], gateway_error=True) == []
    with_5xx = Cors(managed=False, on_errors=(("Access-Control-Allow-Origin", "*"),))
    assert cors.response_headers(with_5xx, [("Origin", ORIGIN)], gateway_error=True) == [
        ("Access-Control-Allow-Origin", "*")
    ]


def codes(**kwargs: object) -> list[str]:
    base: dict[str, object] = {
        "method": "GET",
        "request": [("Origin", ORIGIN), ("Host", "api:3000")],
        "status": 200,
        "response": [],
        "gateway_error": False,
        "cause": "the cause",
        "cors": REST,
    }
    return [f.code for f in cors.findings(**{**base, **kwargs})]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"status": 502, "gateway_error": True}, ["GW771"]),  # the 502 hidden by CORS
        ({}, ["GW772"]),  # a proxy response without the header: blocked
        ({"response": [("access-control-allow-origin", ORIGIN)]}, []),
        ({"response": [("Access-Control-Allow-Origin", "*")]}, []),
        ({"method": "OPTIONS", "request": PREFLIGHT, "status": 403, "cors": None}, ["GW773"]),
        ({"request": [("Origin", "http://api:3000"), ("Host", "api:3000")]}, []),  # same origin
        ({"request": [("Host", "api:3000")]}, []),  # not a browser's cross-origin call
    ],
)
def test_what_the_browser_makes_of_an_answer(
    kwargs: dict[str, object], expected: list[str]
) -> None:
    assert codes(**kwargs) == expected


def test_the_hidden_502_names_its_cause() -> None:
    (item,) = cors.findings(
        method="GET",
        request=[("Origin", ORIGIN)],
        status=502,
        response=[],
        gateway_error=True,
        cause="body is an object",
        cors=REST,
    )
    assert "reports a CORS error" in item.message and "body is an object" in item.message


def test_serverless_cors_true_and_local_cors() -> None:
    rest = cors_of.serverless(True, "rest")
    assert rest is not None and not rest.managed and rest.origins == ("*",)
    http = cors_of.serverless(True, "http")
    assert http is not None and http.managed and http.origins == ("*",)
    assert cors_of.local("http://a,http://b", "http-2.0").origins == ("http://a", "http://b")
    assert not cors_of.local("*", "rest").managed
