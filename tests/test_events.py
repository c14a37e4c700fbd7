"""Events as API Gateway builds them, for payload 1.0 and 2.0."""

import base64

import pytest

from apigw_doctor.events import HttpRequest, Route, build_event


def test_rest_event_shape() -> None:
    request = HttpRequest.from_target(
        "get", "/items/42?tag=a&tag=b&q=", headers=[("Accept", "a/b"), ("X-M", "1"), ("X-M", "2")]
    )
    event = build_event("rest", request, route=Route("/items/{id}"), request_id="r-1", now=0)
    assert event["resource"] == "/items/{id}"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"tag": "b", "q": ""}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
    assert event["headers"]["X-M"] == "2"
    assert event["multiValueHeaders"]["X-M"] == ["1", "2"]
    context = event["requestContext"]
    assert (context["stage"], context["requestId"], context["path"]) == (
        "prod",
        "r-1",
        "/prod/items/42",
    )
    assert context["requestTime"] == "01/Jan/1970:00:00:00 +0000"
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert "version" not in event


def test_http_v1_event_has_version() -> None:
    event = build_event("http-1.0", HttpRequest("GET", "/"))
    assert event["version"] == "1.0"
    assert event["requestContext"]["stage"] == "$default"


def test_v2_event_shape() -> None:
    request = HttpRequest(
        "POST",
        "/a/b/c",
        headers=[("X-A", "1"), ("x-a", "2"), ("Cookie", "s=1; t=2")],
        query=[("k", "1"), ("k", "2")],
        body=b'{"n": 1}',
    )
    event = build_event("http-2.0", request, route=Route("/a/{proxy+}", "POST"))
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /a/{proxy+}"
    assert event["rawPath"] == "/a/b/c" and event["rawQueryString"] == "k=1&k=2"
    assert event["headers"]["x-a"] == "1,2"
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["queryStringParameters"] == {"k": "1,2"}
    assert event["pathParameters"] == {"proxy": "b/c"}
    assert event["requestContext"]["http"]["method"] == "POST"
    # A body without a text Content-Type arrives base64-encoded in HTTP APIs.
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b'{"n": 1}'


@pytest.mark.parametrize(
    ("api", "content_type", "types", "encoded"),
    [
        ("rest", "image/png", ("image/png",), True),
        ("rest", "image/png", (), False),
        ("rest", "application/json", ("image/*",), False),
        ("http-1.0", "application/json", (), False),
        ("http-2.0", "application/octet-stream", (), True),
        ("http-2.0", "text/plain; charset=utf-8", (), False),
    ],
)
def test_request_body_encoding(
    api: str, content_type: str, types: tuple[str, ...], encoded: bool
) -> None:
    request = HttpRequest("POST", "/", headers=[("Content-Type", content_type)], body=b"abc")
    event = build_event(api, request, binary_media_types=types)
    assert event["isBase64Encoded"] is encoded
    assert event["body"] == (base64.b64encode(b"abc").decode() if encoded else "abc")


@pytest.mark.parametrize(
    ("resource", "method", "path", "params"),
    [
        ("/items/{id}", "GET", "/items/7", {"id": "7"}),
        ("/items/{id}", "GET", "/items/7/x", None),
        ("/items", "POST", "/items", {}),
        ("/items", "GET", "/items", None),
        ("/{proxy+}", "ANY", "/a/b", {"proxy": "a/b"}),
        ("/", "ANY", "/", {}),
    ],
)
def test_route_matching(
    resource: str, method: str, path: str, params: dict[str, str] | None
) -> None:
    route = Route(resource, "POST" if resource == "/items" else method)
    assert route.match("GET" if method == "ANY" else method, path) == params


def test_bad_path_parameter_name() -> None:
    with pytest.raises(ValueError, match="plain name"):
        Route("/x/{a-b}").match("GET", "/x/1")


@pytest.mark.parametrize("api", ["rest", "http-1.0", "http-2.0", "function-url"])
def test_events_carry_the_headers_the_gateway_adds(api: str) -> None:
    event = build_event(api, HttpRequest("GET", "/", headers=[("User-Agent", "curl/8")]))
    headers = {name.lower(): value for name, value in event["headers"].items()}
    assert headers["user-agent"] == "curl/8"
    assert headers["x-forwarded-proto"] == "https" and headers["x-forwarded-port"] == "443"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-amzn-trace-id"].startswith("Root=1-")
    assert headers["host"] == event["requestContext"]["domainName"]


@pytest.mark.parametrize("api", ["rest", "http-1.0", "http-2.0"])
def test_a_client_x_forwarded_for_gets_the_caller_appended(api: str) -> None:
    """API Gateway appends the TCP peer to X-Forwarded-For (its last entry is the one to
    trust) and takes sourceIp from the peer, never from what the client wrote."""
    request = HttpRequest(
        "GET",
        "/",
        headers=[("X-Forwarded-For", "6.6.6.6"), ("x-forwarded-for", "7.7.7.7")],
        source_ip="10.0.0.9",
    )
    event = build_event(api, request)
    headers = {name.lower(): value for name, value in event["headers"].items()}
    assert headers["x-forwarded-for"] == "6.6.6.6, 7.7.7.7, 10.0.0.9"
    context = event["requestContext"]
    source = context["http"]["sourceIp"] if api == "http-2.0" else context["identity"]["sourceIp"]
    assert source == "10.0.0.9"


def test_a_client_host_header_is_kept() -> None:
    event = build_event("rest", HttpRequest("GET", "/", headers=[("Host", "127.0.0.1:3000")]))
    assert event["headers"]["Host"] == "127.0.0.1:3000"


def test_function_url_event() -> None:
    event = build_event("function-url", HttpRequest("GET", "/any/path"), route=Route("/{p+}"))
    context = event["requestContext"]
    assert (event["routeKey"], context["stage"]) == ("$default", "$default")
    assert context["domainName"].endswith(".lambda-url.us-east-1.on.aws")
    assert "pathParameters" not in event and "stageVariables" not in event


@pytest.mark.parametrize(
    ("api", "names"),
    [
        ("rest", ["Content-Type", "X-Api-Key"]),  # as the client wrote them
        ("http-1.0", ["content-type", "x-api-key"]),  # HTTP APIs lowercase every name
        ("http-2.0", ["content-type", "x-api-key"]),
    ],
)
def test_header_names_as_each_api_kind_passes_them(api: str, names: list[str]) -> None:
    request = HttpRequest("GET", "/x", headers=[("Content-Type", "a/b"), ("X-Api-Key", "k")])
    assert list(build_event(api, request)["headers"])[:2] == names


def test_request_ids_are_distinct_version_4_uuids() -> None:
    import uuid

    from apigw_doctor.events import new_request_id

    ids = [new_request_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for given in ids[:500]:
        parsed = uuid.UUID(given)
        assert (str(parsed), parsed.version, parsed.variant) == (given, 4, uuid.RFC_4122)


@pytest.mark.parametrize(
    ("api", "stage", "path", "context_path"),
    [
        ("http-2.0", "dev", "/dev/items/1", "/dev/items/1"),
        ("http-2.0", None, "/items/1", "/items/1"),  # $default: served at the root
        ("http-1.0", "dev", "/dev/items/1", "/dev/items/1"),
        ("http-1.0", None, "/items/1", "/items/1"),
        ("rest", "dev", "/items/1", "/dev/items/1"),  # REST strips the stage from path
    ],
)
def test_a_named_http_api_stage_stays_in_the_path(
    api: str, stage: str | None, path: str, context_path: str
) -> None:
    """An HTTP API on a named stage is called at ``/dev/items/1`` and passes that path
    on, as Powertools (which strips it again), serverless-wsgi and Mangum users find."""
    request = HttpRequest("GET", "/items/1")
    event = build_event(api, request, route=Route("/items/{id}"), stage=stage)
    if api == "http-2.0":
        shown = (event["rawPath"], event["requestContext"]["http"]["path"])
    else:
        shown = (event["path"], event["requestContext"]["path"])
    assert shown == (path, context_path)
    assert event["pathParameters"] == {"id": "1"}
