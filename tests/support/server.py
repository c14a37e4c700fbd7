"""A real server on a loopback port for each test that needs one."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from apigw_doctor.server import Endpoint, RouteTable, ServerConfig, create_app

SAMPLES = Path(__file__).resolve().parents[1] / "handlers" / "server_samples.py"


def endpoint(
    resource: str,
    function: str,
    api: str = "rest",
    *,
    timeout: float = 3.0,
    binary_media_types: tuple[str, ...] = (),
    method: str = "ANY",
) -> Endpoint:
    return Endpoint.of(
        f"{SAMPLES}:{function}",
        resource,
        api,
        method=method,
        timeout=timeout,
        binary_media_types=binary_media_types,
    )


@contextmanager
def running(routes: RouteTable, **options: object) -> Iterator[str]:
    """Serve ``routes`` on 127.0.0.1 (a free port); yields the base URL."""
    config = ServerConfig(routes=routes, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            proxy_headers=False,  # as serve runs it: sourceIp is the TCP peer
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
