"""The local gateway under misbehaving handlers and load, over real HTTP."""

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest

from apigw_doctor.server import Endpoint, RouteTable
from support.server import endpoint, running

ROUTES = RouteTable(
    [
        endpoint("/ok", "ok"),
        endpoint("/counter", "counter"),
        endpoint("/hang", "hang", timeout=1.0),
        endpoint("/exits", "exits"),
        endpoint("/hard-exit", "hard_exit"),
        endpoint("/segfault", "segfault"),
        endpoint("/slow", "slow", timeout=5.0),
        endpoint("/http/{proxy+}", "ok", "http-2.0"),
        endpoint("/spawns", "spawns_and_hangs", timeout=1.0),
        endpoint("/prints", "prints"),
        endpoint("/closes", "closes_its_pipe", timeout=30.0),
    ]
)


@pytest.fixture(scope="module")
def url() -> object:
    with running(ROUTES, workers=4, integration_timeout=1.5) as base:
        yield base


def codes(response: httpx.Response, base: str) -> list[str]:
    inspector = httpx.get(f"{base}/__apigw-doctor/api/requests").json()
    request_id = response.headers["x-amzn-requestid"]
    record = next(r for r in inspector if r["requestId"] == request_id)
    return list(record["errors"])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/exits", "Runtime exited with error: exit status 2"),
        ("/hard-exit", "Runtime exited with error: exit status 7"),
        ("/segfault", "Runtime exited with error: signal 11"),
        ("/hang", "Task timed out after 1.00 seconds"),
    ],
)
def test_a_dying_handler_costs_only_its_request(url: str, path: str, message: str) -> None:
    response = httpx.get(url + path, timeout=30)
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    detail_id = httpx.get(f"{url}/__apigw-doctor/api/requests").json()[0]["id"]
    detail = httpx.get(f"{url}/__apigw-doctor/api/requests/{detail_id}").json()
    assert message in detail["response"]["findings"][0]["message"]
    assert httpx.get(url + "/ok").status_code == 200  # and the server goes on


def test_integration_timeout_is_504(url: str) -> None:
    response = httpx.get(url + "/slow", timeout=30)
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}
    assert codes(response, url) == ["GW603"]


def test_module_state_persists_in_a_warm_worker(url: str) -> None:
    seen: dict[int, list[int]] = {}
    for _ in range(12):
        data = httpx.get(url + "/counter").json()
        seen.setdefault(data["pid"], []).append(data["count"])
    assert any(counts[-1] > 1 for counts in seen.values())
    for counts in seen.values():
        assert counts == sorted(counts)


def test_200_concurrent_requests_with_one_hanging_none_lost() -> None:
    """AWS's 29 s integration timeout: queueing on a busy machine is not a loss."""

    async def load(url: str) -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            paths = ["/hang"] + ["/ok"] * 199
            responses = await asyncio.gather(*(client.get(p) for p in paths))
            return [r.status_code for r in responses]

    with running(ROUTES, workers=4, integration_timeout=29.0) as url:
        statuses = asyncio.run(load(url))
    assert statuses[0] == 502
    assert statuses[1:] == [200] * 199


def test_unknown_route(url: str) -> None:
    response = httpx.get(url + "/nowhere")
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


def test_request_over_10_mb_is_413(url: str) -> None:
    response = httpx.post(url + "/ok", content=b"x" * (10 * 1024 * 1024 + 1), timeout=60)
    assert response.status_code == 413


def test_http_api_headers_and_metrics(url: str) -> None:
    response = httpx.get(url + "/http/a/b")
    assert response.status_code == 200
    assert "apigw-requestid" in response.headers
    metrics = httpx.get(f"{url}/__apigw-doctor/api/metrics").json()
    assert metrics["Count"] >= 1 and metrics["5XXError"] >= 0 and "4XXError" in metrics


def test_inspector_detail_holds_event_result_findings_and_log(url: str) -> None:
    httpx.get(url + "/exits")
    record = httpx.get(f"{url}/__apigw-doctor/api/requests").json()[0]
    detail = httpx.get(f"{url}/__apigw-doctor/api/requests/{record['id']}").json()
    assert detail["event"]["path"] == "/exits"
    assert "Runtime.ExitError" in detail["result"]
    assert detail["response"]["status"] == 502
    assert any("Method completed with status: 502" in line for line in detail["log"])
    assert httpx.get(f"{url}/__apigw-doctor/api/requests/999999").status_code == 404


def test_json_logs(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    routes = RouteTable([endpoint("/ok", "ok")])
    with running(routes, workers=1, log_format="json") as base:
        httpx.get(base + "/ok")
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    assert {line["type"] for line in lines} == {"execution", "access"}
    assert any(line.get("message") == "Method completed with status: 200" for line in lines)


def test_reload_restarts_workers_on_change(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text("def handler(event, context):\n    return {'statusCode': 201}\n")
    routes = RouteTable([Endpoint.of(f"{source}:handler", "/x")])
    with running(routes, workers=1, reload=True, base=tmp_path) as base:
        assert httpx.get(base + "/x").status_code == 201
        time.sleep(1.1)
        source.write_text("def handler(event, context):\n    return {'statusCode': 202}\n")
        deadline = time.monotonic() + 15
        while httpx.get(base + "/x").status_code != 202:
            assert time.monotonic() < deadline, "workers were not reloaded"
            time.sleep(0.3)


def test_a_handlers_child_processes_end_with_its_worker(url: str, tmp_path: Path) -> None:
    import os

    pidfile = tmp_path / "pid"
    response = httpx.get(f"{url}/spawns", params={"pidfile": str(pidfile)}, timeout=30)
    assert response.status_code == 502  # the function timed out
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the handler's child {child} outlived its worker")


def test_what_a_handler_prints_is_its_function_log(url: str) -> None:
    response = httpx.get(f"{url}/prints", timeout=30)
    assert response.text == "printed"
    inspector = httpx.get(f"{url}/__apigw-doctor/api/requests").json()
    record = next(r for r in inspector if r["requestId"] == response.headers["x-amzn-requestid"])
    detail = httpx.get(f"{url}/__apigw-doctor/api/requests/{record['id']}").json()
    assert "hello from the handler" in detail["functionLog"]


def test_a_handler_that_cuts_its_pipe_freezes_nothing(url: str) -> None:
    """While the worker that closed its descriptors is dealt with, the other routes
    and the inspector keep answering."""

    async def both() -> tuple[httpx.Response, float]:
        async with httpx.AsyncClient(timeout=30) as client:
            cut = asyncio.create_task(client.get(f"{url}/closes"))
            await asyncio.sleep(0.3)
            start = time.monotonic()
            ok = await client.get(f"{url}/__apigw-doctor/api/metrics")
            assert ok.status_code == 200
            await client.get(f"{url}/ok")
            return await cut, time.monotonic() - start

    response, others = asyncio.run(both())
    assert response.status_code in (502, 504)  # whichever of EOF and the integration timeout
    assert others < 2.0
    assert httpx.get(f"{url}/ok", timeout=30).status_code == 200  # the pool recovered


def test_rest_events_carry_header_names_as_clients_write_them(tmp_path: Path) -> None:
    (tmp_path / "reads.py").write_text(
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': event['headers']['Content-Type'] + ' '"
        " + event['headers']['X-Api-Key']}\n"
    )
    rest = Endpoint.of(f"{tmp_path / 'reads.py'}:handler", "/r")
    with running(RouteTable([rest]), workers=1) as base:
        response = httpx.post(base + "/r", content=b"{}", headers={
            "content-type": "application/json", "x-api-key": "k"})  # fmt: skip
        assert response.text == "application/json k"
