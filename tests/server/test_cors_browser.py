"""CORS in a real browser: a page of http://app.example (Chromium maps the name to a
page server on loopback) calls the local gateway on another origin with fetch."""

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apigw_doctor.server import RouteTable
from support.browser import render
from support.server import running

TEMPLATE = Path(__file__).parents[1] / "project" / "projects" / "secured" / "template.yaml"
PAGE = """<!doctype html><body>waiting<script>
const api = %s;
async function call(path, headers) {
  try {
    const response = await fetch(api + path, {headers});
    return response.status + " " + await response.text();
  } catch (error) {
    return "browser error: " + error.name;
  }
}
(async () => {
  const found = {
    items: await call("/items", {Authorization: "allow"}),
    broken: await call("/broken", {Authorization: "allow"}),
  };
  document.body.textContent = "RESULT" + JSON.stringify(found) + "END";
})();
</script></body>"""


@pytest.fixture(scope="module")
def page_server() -> Iterator[tuple[int, dict[str, str]]]:
    """Serves the page; the test sets its API address before the browser loads it."""
    settings: dict[str, str] = {}

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (PAGE % json.dumps(settings["api"])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], settings
    server.shutdown()


def test_fetch_from_another_origin_succeeds_and_the_hidden_502_is_explained(
    page_server: tuple[int, dict[str, str]],
) -> None:
    port, settings = page_server
    with running(RouteTable.from_template(TEMPLATE), workers=1) as api:
        settings["api"] = api
        dom = render(
            "http://app.example/",
            f"--host-resolver-rules=MAP app.example 127.0.0.1:{port}",
            "--dump-dom",
        )
        found = json.loads(dom.split("RESULT", 1)[1].split("END", 1)[0])
        # the preflight (Authorization is not a simple header) and the call both pass
        assert found["items"] == '200 {"path": "/items", "user": "alice"}'
        # the 502 has no CORS header: the page only sees a network error...
        assert found["broken"] == "browser error: TypeError"
        # ...and the gateway says why, for that request
        records = httpx.get(f"{api}/__apigw-doctor/api/requests").json()
        broken = next(r for r in records if r["path"] == "/broken" and r["method"] == "GET")
        assert broken["status"] == 502 and "GW771" in broken["errors"]
        preflights = [r for r in records if r["method"] == "OPTIONS"]
        assert {r["path"] for r in preflights} == {"/items", "/broken"}
