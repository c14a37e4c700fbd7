"""Who may read the inspector: exact Host names with this server's port (no DNS
rebinding through a name that merely starts like an address), and the per-run token
when one is set (serve sets one when it listens beyond loopback)."""

import httpx
import pytest

from apigw_doctor.server import RouteTable
from support.server import endpoint, running

ROUTES = RouteTable([endpoint("/echo", "echo")])
API = "/__apigw-doctor/api/requests"


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def base() -> object:
    with running(ROUTES, workers=1, allow_hosts=("dev.local", "proxy.local:8443")) as url:
        yield url


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "[::1]:{port}",
        "127.0.0.2:{port}",
        "LOCALHOST:{port}",
        "dev.local",  # allowed by name: any port (a proxy in front)
        "dev.local:{port}",
        "proxy.local:8443",  # allowed with its port
    ],
)
def test_the_inspector_answers_its_own_host_names(base: str, host: str) -> None:
    headers = {"Host": host.format(port=port_of(base))}
    assert httpx.get(base + API, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1.evil.example:{port}",  # starts like loopback: a name, not an address
        "127.evil.example:{port}",
        "localhost.evil.example:{port}",
        "evil.example:{port}",
        "127.0.0.1:{other}",  # another port: another server's page
        "127.0.0.1",  # port 80 implied
        "[::1].evil.example:{port}",
        "127.0.0.1:{port}.evil.example",
        "dev.local.evil.example",
        "proxy.local:9999",
        "10.0.0.1:{port}",  # an address of another machine, with no token asked
        "",
    ],
)
def test_the_inspector_refuses_other_host_names(base: str, host: str) -> None:
    port = port_of(base)
    headers = {"Host": host.format(port=port, other=port + 1)}
    for path in (API, "/__apigw-doctor/", "/__apigw-doctor/api/metrics"):
        assert httpx.get(base + path, headers=headers).status_code == 403


def test_with_a_token_the_inspector_needs_it() -> None:
    with running(ROUTES, workers=1, inspector_token="per-run-t0ken") as url:
        assert httpx.get(url + API).status_code == 401
        assert httpx.get(url + API, params={"token": "guess"}).status_code == 401
        assert httpx.get(url + API, params={"token": "per-run-t0ken"}).status_code == 200
        with httpx.Client() as browser:  # the page keeps the token for its own calls
            page = browser.get(url + "/__apigw-doctor/", params={"token": "per-run-t0ken"})
            assert page.status_code == 200 and "httponly" in page.headers["set-cookie"].lower()
            assert browser.get(url + API).status_code == 200
        # an address literal cannot come from DNS rebinding: another machine may use it
        lan = {"Host": f"192.168.1.20:{port_of(url)}"}
        assert httpx.get(url + API, headers=lan, params={"token": "per-run-t0ken"}).is_success
        evil = {"Host": f"127.0.0.1.evil.example:{port_of(url)}"}
        assert (
            httpx.get(url + API, headers=evil, params={"token": "per-run-t0ken"}).status_code == 403
        )
