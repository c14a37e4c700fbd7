"""No secret reaches the inspector or the server's logs, whatever form it takes:
every output of ``serve`` fed one request of each kind, over real HTTP."""

import base64
import json
from typing import Any

import httpx
import pytest

from apigw_doctor.server import RouteTable
from support.server import endpoint, running

ROUTES = RouteTable(
    [
        endpoint("/echo", "echo", "http-2.0"),
        endpoint("/printed", "prints_event", "http-2.0"),
        endpoint("/rest", "prints_event", "rest"),
    ]
)
#: one secret per place it can hide
RESULT_COOKIE, SET_COOKIE, LOGIN_TOKEN, ECHOED = "r3sCookie", "s3tCookie", "l0ginTok", "ech0Tok"
EVENT_COOKIE, FORM_PASSWORD, PRINTED = "ev3ntCookie", "f0rmPass", "pr1ntedTok"
QUERY = ("q1Bracket", "q2Brace", "q3Slash", "q4Comma")
SECRETS = (RESULT_COOKIE, SET_COOKIE, LOGIN_TOKEN, ECHOED, EVENT_COOKIE, FORM_PASSWORD, PRINTED,
           *QUERY)  # fmt: skip


def send_every_kind(base: str) -> None:
    result = {
        "statusCode": 200,
        "cookies": [f"sid={RESULT_COOKIE}"],
        "headers": {"Set-Cookie": f"auth={SET_COOKIE}; Path=/"},
        "body": json.dumps({"access_token": LOGIN_TOKEN, "echo": {"authorization": ECHOED}}),
    }
    httpx.post(f"{base}/echo", json=result, headers={"Cookie": f"theme=dark; sess={EVENT_COOKIE}"})
    httpx.post(
        f"{base}/printed",
        content=f"user=al&password={FORM_PASSWORD}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    httpx.get(f"{base}/printed", headers={"Authorization": f"Token {PRINTED}"})
    query = f"token=[{QUERY[0]}]&api_key={{{QUERY[1]}}}&password=\\{QUERY[2]}&secret=a,{QUERY[3]}"
    httpx.get(f"{base}/rest?{query}")


def visible(value: Any) -> str:
    """All the text a reader of this JSON can see, base64 bodies decoded."""
    if isinstance(value, dict):
        texts = [visible(v) for v in value.values()]
        for key in ("body", "body_base64"):
            if isinstance(value.get(key), str) and (
                key == "body_base64" or value.get("isBase64Encoded")
            ):
                texts.append(base64.b64decode(value[key]).decode("utf-8", "replace"))
        return "\n".join(texts)
    if isinstance(value, list):
        return "\n".join(visible(v) for v in value)
    return str(value)


def inspector_text(base: str) -> str:
    listing = httpx.get(f"{base}/__apigw-doctor/api/requests").json()
    details = [httpx.get(f"{base}/__apigw-doctor/api/requests/{r['id']}").json() for r in listing]
    assert len(details) == 4
    return visible(listing) + visible(details)


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("show_secrets", [False, True])
def test_no_output_of_serve_shows_a_secret(
    capfd: pytest.CaptureFixture[str], show_secrets: bool, log_format: str
) -> None:
    with running(ROUTES, workers=1, show_secrets=show_secrets, log_format=log_format) as base:
        send_every_kind(base)
        inspector = inspector_text(base)
    stderr = capfd.readouterr().err
    in_inspector = {s for s in SECRETS if s in inspector}
    in_stderr = {s for s in SECRETS if s in stderr}
    if show_secrets:  # they all reach the outputs: the test looks where they are
        assert (in_inspector, in_stderr >= set(QUERY)) == (set(SECRETS), True)
    else:
        assert (in_inspector, in_stderr) == (set(), set())
