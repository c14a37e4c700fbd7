"""`apigw-doctor logs` on hostile or broken input: logged values are shown as plain
text (never rich markup, never a terminal control sequence), input that cannot be
read or understood exits 2 with one clear message (and JSON with --format json),
and logged numbers of any length never traceback."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import logs as logs_cli
from apigw_doctor.cli import main
from apigw_doctor.cli.logs import PROGRESS_AFTER

RID = "(7f3e9a10-hostile-0001)"
#: a path holding rich markup, an OSC 8 link, a colour escape, a bell, a carriage
#: return, a C1 control (CSI) and a right-to-left override
HOSTILE_PATH = (
    "/a[/]b[bold red]X[/bold red][link=https://x.invalid]L[/link]\x1b[31mR\x07\rZ\x9b2J\u202eQ"
)


def hostile_log(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.log"
    path.write_text(
        f"{RID} HTTP Method: GET, Resource Path: {HOSTILE_PATH}\n"
        f"{RID} Endpoint response body before transformations: "
        '{"statusCode": 200, "body": {"msg": "[blink]\\u001b]0;title\\u0007"}}\n'
        f"{RID} Execution failed due to configuration error: Malformed Lambda proxy response\n"
        f"{RID} Method completed with status: 502\n",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["logs", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


CONTROLS = [chr(c) for c in [*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]


def test_logged_values_are_plain_text_in_the_terminal(tmp_path: Path) -> None:
    status, out, _ = run(str(hostile_log(tmp_path)))
    assert status == 1
    assert "[/]b[bold red]X[/bold red][link=https://x.invalid]L[/link]" in out  # as logged
    assert "\\x1b[31mR\\x07\\x0dZ\\x9b2J\\u202eQ" in out  # controls written as escapes
    assert not [c for c in [*CONTROLS, "\u202e"] if c in out]
    assert "GW301" in out  # the body (an object) is still judged


def test_logged_values_are_escaped_in_html(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    log = tmp_path / "html.log"
    log.write_text(
        f"{RID} HTTP Method: GET, Resource Path: /<script>alert(1)</script>\x1b[2J\n"
        f"{RID} Method completed with status: 502\n"
    )
    status, _, _ = run(str(log), "--html", str(page), "--format", "json")
    assert status == 1
    text = page.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J" in text
    assert "\x1b" not in text


def test_json_output_escapes_controls(tmp_path: Path) -> None:
    _, out, _ = run(str(hostile_log(tmp_path)), "--format", "json")
    assert not [c for c in CONTROLS if c in out]
    assert json.loads(out)["failed"][0]["path"] == HOSTILE_PATH  # the data is kept exact


@pytest.mark.parametrize(
    ("name", "content", "kind", "says"),
    [
        ("empty.log", b"", "empty", "the input is empty"),
        ("binary.log", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100, "unreadable", "binary data"),
        (
            "latin1.log",
            "Überweisung fehlgeschlagen: Größe\n".encode("latin-1") * 50,
            "unreadable",
            "not UTF-8",
        ),
        (
            "utf16.log",
            "(abc12345-0001) HTTP Method: GET\n".encode("utf-16"),
            "unreadable",
            "UTF-16",
        ),
        ("bad.gz", b"\x1f\x8b\x08\x00garbage-that-is-not-deflate", "unreadable", "cannot read"),
        ("folder", None, "unreadable", "is a directory"),
        ("missing.log", "missing", "unreadable", "no such file"),
        ("words.txt", b"hello\nworld\n", "not-understood", "nothing in 2 line(s)"),
    ],
)
@pytest.mark.parametrize("output", ["text", "json"])
def test_input_that_cannot_be_read_exits_2_and_says_why(
    tmp_path: Path, name: str, content: bytes | str | None, kind: str, says: str, output: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    status, out, err = run(str(path), "--format", output)
    assert status == 2
    assert says in err and "Traceback" not in err
    if output == "json":
        document = json.loads(out)
        assert document["error"]["kind"] == kind and says in document["error"]["message"]
        assert document["failed"] == []
    else:
        assert out == ""


def test_a_few_undecodable_bytes_in_a_logged_body_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "mostly-utf8.log"
    path.write_bytes(
        f"{RID} HTTP Method: GET, Resource Path: /img\n".encode()
        + f"{RID} Endpoint response body before transformations: ".encode()
        + b"\x89PNG\xff\xfe\n"
        + f"{RID} Method completed with status: 502\n".encode()
    )
    status, out, _ = run(str(path), "--format", "json")
    assert status == 1 and json.loads(out)["failed"][0]["path"] == "/img"


BIG = "9" * 5000


@pytest.mark.parametrize(
    "lines",
    [
        [
            f"{RID} Received response. Status: {BIG}, Integration latency: {BIG} ms",
            f"{RID} Method completed with status: {BIG}",
        ],
        [
            f"{RID} HTTP Method: GET, Resource Path: /a",
            f"{RID} Method completed with status: {BIG}",
            "(other-request-02) Method completed with status: 502",
        ],
        [
            f'{{"requestId": "a1", "status": {BIG}, "httpMethod": "GET"}}',
            '{"requestId": "a2", "status": "502", "integrationLatency": "' + BIG + '"}',
        ],
        [
            json.dumps({"requestId": "a3", "status": "502", "requestTimeEpoch": BIG}),
            json.dumps({"requestId": "a4", "status": 502, "requestTimeEpoch": 1e300}),
            json.dumps(
                {"requestId": "a5", "status": 502, "requestTime": "01/Jan/0001:00:00:00 +0100"}
            ),
            json.dumps({"requestId": "a6", "status": 502, "requestTimeEpoch": 1_795_000_000}),
        ],
    ],
    ids=["execution-status", "execution-status-mixed", "access-status", "access-times"],
)
@pytest.mark.parametrize("output", ["text", "json"])
def test_numbers_of_any_length_never_traceback(
    tmp_path: Path, lines: list[str], output: str
) -> None:
    path = tmp_path / "big.log"
    path.write_text("\n".join(lines) + "\n")
    status, out, err = run(str(path), "--format", output)
    assert status in (0, 1), err
    assert "Traceback" not in out + err


def _wait_until_reading(pid: int, limit: float = 60.0) -> None:
    """Until the command waits on its stdin (Linux: its wait channel is the pipe), so a
    slow interpreter start does not eat the pause; without /proc, a fixed wait."""
    wchan = Path(f"/proc/{pid}/wchan")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if "pipe" in wchan.read_text():
                return
        except OSError:
            time.sleep(3)
            return
        time.sleep(0.05)


def _slow_stdin(*args: str) -> subprocess.CompletedProcess[str]:
    """`logs` reading a pipe whose writer pauses longer than the progress delay."""
    process = subprocess.Popen(
        [sys.executable, "-m", "apigw_doctor", "logs", "-", "--format", "json", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(f"{RID} HTTP Method: GET, Resource Path: /slow\n")
    process.stdin.flush()
    _wait_until_reading(process.pid)
    time.sleep(PROGRESS_AFTER + 0.5)
    process.stdin.write(f"{RID} Method completed with status: 502\n")
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize(("flag", "shown"), [("--progress", True), (None, False)])
def test_progress_shows_by_time_on_stderr_only(flag: str | None, shown: bool) -> None:
    result = _slow_stdin(*([flag] if flag else []))
    assert result.returncode == 1
    assert json.loads(result.stdout)["failed"][0]["path"] == "/slow"  # stdout stays JSON
    assert ("reading logs" in result.stderr) is shown  # stderr is no terminal here


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize("output", ["text", "json"])
def test_every_step_that_takes_long_shows_its_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, html: bool
) -> None:
    """Reading, explaining the failures and writing the report each show the bar once
    they take PROGRESS_AFTER (none here: every step is "long"); what is written to
    stdout is the same as without a bar, byte for byte."""
    monkeypatch.setattr(logs_cli, "PROGRESS_AFTER", 0.0)
    log = str(Path(__file__).parent / "samples" / "execution.log")
    args = ["--format", output, log] + (["--html", str(tmp_path / "report.html")] if html else [])
    plain_status, plain_out, _ = run(*args)
    status, out, err = run("--progress", *args)
    assert (status, out) == (plain_status, plain_out) and status == 1
    for label in ("reading logs", "explaining failures", "writing the report"):
        assert label in err


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_huge_status_code_in_a_logged_result_is_no_traceback(tmp_path: Path, output: str) -> None:
    path = tmp_path / "huge-status.log"
    path.write_text(
        f"{RID} HTTP Method: GET, Resource Path: /huge\n"
        f'{RID} Endpoint response body before transformations: {{"statusCode": {BIG}, '
        '"body": "x"}\n'
        f"{RID} Execution failed due to configuration error: Malformed Lambda proxy response\n"
        f"{RID} Method completed with status: 502\n"
    )
    status, out, err = run(str(path), "--format", output)
    assert status == 1 and "Traceback" not in out + err
    assert "/huge" in out  # the failure is reported, judged or said to be unjudgeable
