"""The local gateway against careless handlers and hostile clients, over real HTTP."""

import logging

import httpx
import pytest

from apigw_doctor.cli.serve import OncePerSecond
from apigw_doctor.server import RouteTable
from support.server import endpoint, running

ROUTES = RouteTable(
    [
        endpoint("/echo", "echo"),
        endpoint("/bad", "bad_header_name"),
        endpoint("/http", "echo", "http-2.0"),
    ]
)
SECRET_HEADERS = {"Authorization": "Bearer t0ken-value", "X-Api-Key": "k3y-value"}


def detail(base: str, response: httpx.Response) -> dict:  # type: ignore[type-arg]
    listing = httpx.get(f"{base}/__apigw-doctor/api/requests").json()
    request_id = response.headers.get("x-amzn-requestid") or response.headers["apigw-requestid"]
    record = next(r for r in listing if r["requestId"].startswith(request_id))
    return httpx.get(f"{base}/__apigw-doctor/api/requests/{record['id']}").json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("show_secrets", [False, True])
def test_the_inspector_masks_credentials(show_secrets: bool) -> None:
    with running(ROUTES, workers=1, show_secrets=show_secrets) as base:
        response = httpx.post(
            f"{base}/echo?password=hunter2", headers=SECRET_HEADERS, json={"statusCode": 200}
        )
        text = str(detail(base, response))
    for secret in ("t0ken-value", "k3y-value", "hunter2"):
        assert (secret in text) is show_secrets


def test_the_inspector_answers_loopback_host_names_only() -> None:
    with running(ROUTES, workers=1) as base:
        assert httpx.get(f"{base}/__apigw-doctor/api/requests").status_code == 200
        evil = httpx.get(f"{base}/__apigw-doctor/api/requests", headers={"Host": "evil.example"})
        assert evil.status_code == 403
    with running(ROUTES, workers=1, allow_hosts=("dev.local",)) as base:
        allowed = httpx.get(f"{base}/__apigw-doctor/api/metrics", headers={"Host": "dev.local"})
        assert allowed.status_code == 200


def test_a_query_string_cannot_forge_log_lines(capfd: pytest.CaptureFixture[str]) -> None:
    with running(ROUTES, workers=1) as base:
        httpx.post(
            f"{base}/echo?q=x%0A(forged)%20Method%20completed%20with%20status:%20200",
            json={"statusCode": 200},
        )
    lines = capfd.readouterr().err.splitlines()
    assert not any(line.startswith("(forged)") for line in lines)


def test_an_invalid_header_name_is_a_502_with_a_finding() -> None:
    with running(ROUTES, workers=1) as base:
        response = httpx.get(f"{base}/bad")
        assert response.status_code == 502
        assert detail(base, response)["errors"] == ["GW412"]


def test_repeated_log_messages_pass_once_a_second() -> None:
    once = OncePerSecond()
    record = logging.LogRecord("asyncio", logging.ERROR, "x", 1, "accept failed", None, None)
    assert [once.filter(record) for _ in range(1000)].count(True) == 1
    assert once.dropped == 999


def test_the_history_is_bounded_in_bytes() -> None:
    from apigw_doctor.rules import Verdict
    from apigw_doctor.server.inspector import KEEP_BYTES, History

    history = History(size=200, budget=4 * 1024 * 1024)
    big = b"x" * (9 * 1024 * 1024)
    for _ in range(50):
        history.add(
            request_id="r",
            method="POST",
            path="/",
            api="rest",
            function="f",
            duration_ms=1.0,
            verdict=Verdict("rest", 200, [], big, False, payload=big),
            event={"body": "y" * (9 * 1024 * 1024)},
        )
    assert history.held <= 4 * 1024 * 1024
    record = history.recent()[0]
    detail = record.detail()
    assert detail["cut"] and detail["sizes"]["result"] == len(big)
    assert len(record.verdict.body) == KEEP_BYTES
    assert detail["event"]["bodyBytesInRequest"] == 9 * 1024 * 1024


#: results no HTTP response can carry as written: the rules core reads each as malformed
#: (unknown what AWS does: nothing recorded), and client and inspector say the same
UNSENDABLE = [
    ({"statusCode": 100}, "GW207"),
    ({"statusCode": 101}, "GW207"),
    ({"statusCode": "103"}, "GW207"),
    ({"statusCode": 600}, "GW205"),
    ({"statusCode": 999}, "GW205"),
    ({"statusCode": 200, "headers": {"X-A": "a\x00b"}}, "GW414"),
    ({"statusCode": 200, "headers": {"X-A": "a\r\nSet-Cookie: admin=1"}}, "GW414"),
    ({"statusCode": 200, "headers": {"X-A": "a\x01b"}}, "GW414"),
    ({"statusCode": 200, "headers": {"X-A": "a\x7fb"}}, "GW414"),
    ({"statusCode": 200, "multiValueHeaders": {"X-A": ["ok", "a\nb"]}}, "GW414"),
]


@pytest.mark.parametrize(("path", "failure"), [("/echo", 502), ("/http", 500)])
def test_what_http_cannot_carry_gets_the_same_answer_in_client_and_inspector(
    path: str, failure: int
) -> None:
    with running(ROUTES, workers=1) as base:
        for result, code in UNSENDABLE:
            if path == "/http" and "multiValueHeaders" in result:
                result = {**result, "cookies": ["a=1\x00"]}  # payload 2.0's own list
                del result["multiValueHeaders"]
            response = httpx.post(base + path, json=result)  # never an empty reply
            assert response.status_code == failure, result
            assert "x-a" not in response.headers and "admin=1" not in str(response.headers)
            record = detail(base, response)
            assert (record["status"], record["failed"]) == (failure, True)
            assert record["errors"] == [code], result
        sent = httpx.post(base + path, json={"statusCode": 299, "headers": {"X-A": "a\tb"}})
        assert (sent.status_code, sent.headers["x-a"]) == (299, "a\tb")  # a tab is fine
        text = httpx.post(base + path, json={"statusCode": 200, "headers": {"X-A": "snow\u2603"}})
        raw = dict(text.headers.raw)[b"x-a"]  # the bytes the verdict's text is, as UTF-8
        shown = detail(base, text)["response"]
        assert [raw.decode("utf-8")] == [v for n, v in shown["headers"] if n == "X-A"]
        assert "GW415" in [f["code"] for f in shown["findings"]]
