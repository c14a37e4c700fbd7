"""The request inspector, rendered by a real headless Chromium (Debian's package,
installed by scripts/install-test-deps)."""

from collections.abc import Iterator

import httpx
import pytest

from apigw_doctor.server import RouteTable
from support.browser import render
from support.server import endpoint, running


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    routes = RouteTable([endpoint("/echo", "echo"), endpoint("/ok", "ok")])
    with running(routes, workers=1) as base:
        yield base


def test_list_and_detail_render(server: str) -> None:
    httpx.post(server + "/echo", json={"statusCode": 200, "body": {"forgot": "dumps"}})
    httpx.get(server + "/ok")
    failing = httpx.get(f"{server}/__apigw-doctor/api/requests").json()[-1]
    dom = render(f"{server}/__apigw-doctor/#{failing['id']}", "--dump-dom")
    assert 'id="request-1"' in dom and 'id="request-2"' in dom
    assert "GW301" in dom  # the finding
    assert 'fix: "body": json.dumps(' in dom.replace("&quot;", '"')  # and its fix
    assert "Malformed Lambda proxy response" in dom  # the execution log
    assert "&quot;httpMethod&quot;: &quot;POST&quot;" in dom or '"httpMethod": "POST"' in dom
    assert 'data-loaded="1"' in dom


def test_screenshot(server: str, tmp_path: object) -> None:
    shot = f"{tmp_path}/inspector.png"
    render(f"{server}/__apigw-doctor/", f"--screenshot={shot}", "--window-size=1200,800")
    with open(shot, "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
