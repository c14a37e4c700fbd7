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


REQUEST_ID = "0f3a9c2e-7b41-4d6e-9a0c-5e8b2d7f1c34"
#: an id whose first letter finishes the hint "cookie" in "cooki<id>"
JOINING_ID = "e1b2c3d4-7b41-4d6e-9a0c-5e8b2d7f1c34"
#: execution lines with a request id in them, and whether each holds a secret to mask
BESIDE_THE_ID = {
    (REQUEST_ID, f"Starting execution for request: {REQUEST_ID}"): False,
    (REQUEST_ID, f"token={REQUEST_ID}"): True,  # the id as a secret's value
    (REQUEST_ID, f"{REQUEST_ID[:-1]}Authorization: Bearer abc.def"): True,  # a part of it
    (REQUEST_ID, f"x-api-key: {REQUEST_ID} Bearer abc.def"): True,
    (JOINING_ID, f"cooki{JOINING_ID}=x"): True,  # with the letter beside it, a hint
}


@pytest.mark.parametrize(("request_id", "line"), BESIDE_THE_ID)
def test_the_request_id_in_an_execution_line_hides_no_secret_and_makes_none(
    request_id: str, line: str
) -> None:
    """The secret check sees the request id as a constant (so the line beginning each
    request's log is not scanned anew): what is masked stays the same."""
    for _ in range(2):  # the second time from the check's memory
        stream = io.StringIO()
        LogWriter(stream=stream).execution(request_id, [line])
        masked = stream.getvalue() != f"({request_id}) {line}\n"
        assert masked == BESIDE_THE_ID[request_id, line]


def test_nothing_logged_writes_nothing() -> None:
    stream = CountingStream()
    writer = LogWriter(stream=stream)
    with writer.one_write():
        pass
    assert stream.writes == 0


def _no_timestamps(text: str) -> str:
    import re

    return re.sub(r'"timestamp": \d+', '"timestamp": 0', text)
