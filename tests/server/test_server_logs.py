"""The gateway's log writer: a request's lines leave in one write, as written alone."""

import io

import pytest

from apigw_doctor.server.logs import LogWriter


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def log_one_request(writer: LogWriter) -> None:
    writer.note("req-1", "the handler does not import")
    writer.function_output("req-1", "fn", "printed\nAuthorization: Bearer abc.def")
    writer.execution("req-1", ["Starting execution for request: req-1", "token=s3cret"])
    writer.access({"requestId": "req-1", "path": "/items?api_key=k", "status": 200})


@pytest.mark.parametrize("json_format", [False, True])
def test_a_request_logged_in_one_write_reads_as_written_line_by_line(json_format: bool) -> None:
    alone, together = CountingStream(), CountingStream()
    log_one_request(LogWriter(json_format=json_format, stream=alone))
    writer = LogWriter(json_format=json_format, stream=together)
    with writer.one_write():
        log_one_request(writer)
    assert together.writes == 1 and alone.writes == 4
    assert _no_timestamps(together.getvalue()) == _no_timestamps(alone.getvalue())
    assert "s3cret" not in together.getvalue() and "abc.def" not in together.getvalue()


def test_nothing_logged_writes_nothing() -> None:
    stream = CountingStream()
    writer = LogWriter(stream=stream)
    with writer.one_write():
        pass
    assert stream.writes == 0


def _no_timestamps(text: str) -> str:
    import re

    return re.sub(r'"timestamp": \d+', '"timestamp": 0', text)
