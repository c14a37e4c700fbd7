"""`serve` against slow, idle and too many clients, over real sockets on loopback: a
real `serve` process under a low open-file limit (set in the child only)."""

import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
HANDLER = Path(__file__).resolve().parents[1] / "handlers" / "samples.py"
REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
HEADER_TIMEOUT = 5.0  # apigw_doctor.server.connections.HEADER_TIMEOUT
BODY_TIMEOUT = 30.0  # apigw_doctor.server.connections.BODY_TIMEOUT


class Served:
    def __init__(self, process: "subprocess.Popen[str]", port: int, banner: str) -> None:
        self.process, self.port, self.banner = process, port, banner

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def get(self) -> bytes:
        """The status line a fresh connection gets for GET /."""
        with self.connect() as client:
            client.sendall(REQUEST)
            return client.recv(4096).split(b"\r\n")[0]

    def stop(self, sig: int) -> tuple[int, str]:
        self.process.send_signal(sig)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


@contextmanager
def serve(soft: int, hard: int) -> Iterator[Served]:
    """`apigw-doctor serve` with RLIMIT_NOFILE (soft, hard) in the child."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    process = subprocess.Popen(
        [sys.executable, "-m", "apigw_doctor", "serve", f"{HANDLER}:ok", "--port", "0",
         "--no-aws", "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"},
        preexec_fn=limit,
    )  # fmt: skip
    assert process.stderr is not None
    banner = ""
    while "serving" not in banner:
        line = process.stderr.readline()
        assert line, f"serve did not start: {banner}"
        banner += line
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", banner).group(1))  # type: ignore[union-attr]
    try:
        yield Served(process, port, banner)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture(autouse=True)
def enough_files_here() -> None:
    """This process holds the idle clients: it needs more descriptors than the child."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def idle_clients(served: Served, count: int) -> list[socket.socket]:
    return [served.connect() for _ in range(count)]


def response(client: socket.socket) -> bytes:
    """One whole response (headers and Content-Length body) off a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += client.recv(4096)
    return head


def closed_by_server(client: socket.socket, within: float) -> bool:
    client.settimeout(within)
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_request_is_answered_with_more_idle_connections_than_files() -> None:
    """1,100 idle connections under a 256-descriptor limit once left every request
    unanswered: now the longest-waiting idle one makes room."""
    with serve(256, 256) as served:
        clients = idle_clients(served, 1100)
        assert served.get() == b"HTTP/1.1 200 OK"
        assert served.get() == b"HTTP/1.1 200 OK"
        for client in clients:
            client.close()


def test_an_idle_connection_is_closed() -> None:
    with serve(1024, 1024) as served, served.connect() as client:
        assert closed_by_server(client, HEADER_TIMEOUT + 5)


def test_headers_sent_a_byte_at_a_time_are_cut() -> None:
    with serve(1024, 1024) as served, served.connect() as client:
        started = time.monotonic()
        slow = REQUEST[:-2] + b"X-Slow: " + b"a" * 200 + b"\r\n\r\n"
        cut = False
        for byte in slow:
            try:
                client.sendall(bytes([byte]))
            except OSError:
                cut = True
                break
            if closed_by_server(client, 0.1):
                cut = True
                break
        assert cut and time.monotonic() - started < HEADER_TIMEOUT + 5


def test_a_body_sent_a_byte_at_a_time_is_cut() -> None:
    with serve(1024, 1024) as served, served.connect() as client:
        started = time.monotonic()
        client.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n")
        cut = False
        while not cut and time.monotonic() - started < BODY_TIMEOUT + 10:
            try:
                client.sendall(b"a")
            except OSError:
                break
            cut = closed_by_server(client, 1.0)
        assert time.monotonic() - started < BODY_TIMEOUT + 10


def test_a_kept_alive_connection_serves_requests_then_idles_out() -> None:
    with serve(1024, 1024) as served, served.connect() as client:
        for _ in range(3):
            client.sendall(REQUEST)
            assert response(client).startswith(b"HTTP/1.1 200 OK")
        assert closed_by_server(client, HEADER_TIMEOUT + 5)


def test_each_request_on_a_kept_alive_connection_restarts_the_header_time() -> None:
    """The deadline for the next request's headers counts from the last response, not
    from an earlier one: a check set up after the first request must not close the
    connection before its time, nor leave it open after it."""
    with serve(1024, 1024) as served, served.connect() as client:
        client.sendall(REQUEST)
        assert response(client).startswith(b"HTTP/1.1 200 OK")
        time.sleep(HEADER_TIMEOUT * 0.6)
        client.sendall(REQUEST)
        assert response(client).startswith(b"HTTP/1.1 200 OK")
        answered = time.monotonic()
        assert not closed_by_server(client, HEADER_TIMEOUT * 0.8)  # past the first deadline
        assert closed_by_server(client, HEADER_TIMEOUT)
        assert time.monotonic() - answered < HEADER_TIMEOUT * 2


def test_the_soft_limit_is_raised_and_a_hard_one_caps_connections() -> None:
    with serve(256, 4096) as raised:
        assert "connections at once" not in raised.banner  # 4096 files: 512 served
    with serve(256, 256) as capped:
        assert re.search(r"up to \d+ connections at once \(open-file limit 256\)", capped.banner)


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, -15)])
def test_shutdown_with_open_connections_is_quiet(sig: int, status: int) -> None:
    with serve(256, 256) as served:
        clients = idle_clients(served, 400)
        for client in clients[:50]:
            client.sendall(REQUEST[:20])  # half a request
        assert served.get() == b"HTTP/1.1 200 OK"
        code, err = served.stop(sig)
        for client in clients:
            client.close()
    assert code == status
    assert "Traceback" not in err and "Exception" not in err, err[-2000:]
