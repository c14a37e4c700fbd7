"""The execution-log fast path: the same report as the line parser, whatever the
failures' distance from their start, their number, or where the reads cut the file."""

import gzip
import sys
from pathlib import Path

import pytest

from apigw_doctor.logs import _fast, _stories, analyse, analyse_lines, as_json


def busy_log(busy: int, rid: str) -> str:
    """A request that starts, then ``busy`` other requests, then its failure."""
    filler = "".join(
        f"(busy-{n:08d}) HTTP Method: GET, Resource Path: /ok\n"
        f"(busy-{n:08d}) Method completed with status: 200\n"
        for n in range(busy)
    )
    return (
        f"({rid}) HTTP Method: POST, Resource Path: /far\n"
        + filler
        + f"({rid}) Execution failed due to configuration error: Malformed Lambda proxy response\n"
        f"({rid}) Method completed with status: 502\n"
    )


def test_a_failure_beyond_the_blocks_held_in_memory_keeps_its_method_and_path(
    tmp_path: Path,
) -> None:
    """45 MB of other requests (more than the buffers held): a 504 after 29 s of heavy
    traffic still says which method and path timed out, read again from the file."""
    rid = "far-0000-0000-0000-000000000002"
    path = tmp_path / "busy.log"
    path.write_text(busy_log(500_000, rid))
    assert path.stat().st_size > (_fast.HELD_BLOCKS + 1) * (_fast.BLOCK + _fast.WINDOW)
    (story,) = analyse([str(path)]).stories
    assert (story.method, story.path, story.status) == ("POST", "/far", 502)


def mixed_log(requests: int) -> list[str]:
    """Requests of every status class, with a 4xx the gateway made and one it did not."""
    lines: list[str] = []
    statuses = (200, 502, 301, 404, 500, 429, 101, 503)
    for n in range(requests):
        rid = f"{n:08d}-0000-4000-8000-{n:012d}"
        status = statuses[n % len(statuses)]
        stamp = f"2026-11-20T10:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
        lines.append(f"{stamp} ({rid}) HTTP Method: GET, Resource Path: /r/{n}")
        if status != 429:  # the integration answered: a 4xx that is the function's
            lines.append(
                f"{stamp} ({rid}) Received response. Status: 200, Integration latency: 5 ms"
            )
        lines.append(
            f"{stamp} ({rid}) Endpoint response body before transformations: "
            '{"statusCode": 200, "body": {}}'
        )
        lines.append(f"{stamp} ({rid}) Method completed with status: {status}")
    return lines


@pytest.mark.parametrize("kept", [3, 40, 10_000])
def test_failures_beyond_those_kept_are_counted_as_the_line_parser_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    monkeypatch.setattr(_stories, "MAX_KEPT", kept)
    lines = mixed_log(400)
    path = tmp_path / "mixed.log"
    path.write_text("\n".join(lines) + "\n")
    fast, slow = analyse([str(path)]), analyse_lines(lines)
    assert fast.summary() | {"sources": []} == slow.summary() | {"sources": []}
    assert [(s.request_id, s.status, s.cause) for s in fast.stories] == [
        (s.request_id, s.status, s.cause) for s in slow.stories
    ]
    assert fast.summary()["failed"] == 200  # 502, 500, 429 and 503: half of them


@pytest.mark.parametrize("block", [4096, 65536])
def test_where_the_reads_cut_the_file_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Small buffers: lines, requests and completion lines cut at every place."""
    lines = mixed_log(3000)
    path = tmp_path / "mixed.log"
    path.write_text("\n".join(lines))  # and no newline at the end
    whole = analyse([str(path)])
    monkeypatch.setattr(_fast, "BLOCK", block)
    monkeypatch.setattr(_fast, "WINDOW", block // 2)
    monkeypatch.setattr(_fast, "NEAR", block // 8)
    cut = analyse([str(path)])
    assert cut.summary() == whole.summary()
    assert [(s.request_id, s.method, s.path, s.status, s.cause) for s in cut.stories] == [
        (s.request_id, s.method, s.path, s.status, s.cause) for s in whole.stories
    ]
    packed = tmp_path / "mixed.log.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert analyse([str(packed)]).summary()["failed"] == whole.summary()["failed"]


#: a function's own lines, mixed into an execution log past its first lines (the chunk
#: holds the words the engines look for before reading a function's log)
FUNCTION_LINES = [
    "START RequestId: 0000abcd-1111-2222-3333-444455556666 Version: $LATEST",
    "2026-11-20T10:00:01.000Z\t0000abcd-1111-2222-3333-444455556666\tERROR\tInvoke Error "
    '\t{"errorType":"TypeError","errorMessage":"x is undefined"}',
    "[ERROR] KeyError: 'id'",
    "REPORT RequestId: 0000abcd-1111-2222-3333-444455556666\tDuration: 3.00 ms\t"
    "Billed Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB",
    "2026-11-20T10:00:01.000Z 0000abcd-1111-2222-3333-444455556666 Task timed out after 3.00 "
    "seconds",
]
#: completion lines of every shape: odd ids, odd statuses, a stream before the id
ODD_LINES = [
    "(odd id) Method completed with status: 502",
    "(short) Method completed with status: 500",
    "2026-11-20T10:00:01.000Z some-stream (abcdefgh-odd-stream) Method completed with status: 503",
    "(x1234567) Method completed with status: 101",
    "(x1234568) Method completed with status: 302",
    "(x1234569) Method completed with status: abc",
    "(x1234570) Method completed with status: 429",
    "(x1234571) Received response. Status: 200, Integration latency: 5 ms",
    "(x1234571) Method completed with status: 404",
    '(x1234572) Endpoint response body before transformations: {"body": "caf\u00e9"}',
    "(x1234572) Method completed with status: 502",
]
SAMPLES = Path(__file__).parent / "samples"


def engines_log(tmp_path: Path) -> Path:
    lines = mixed_log(600)
    lines[100:100] = FUNCTION_LINES
    lines[300:300] = ODD_LINES
    path = tmp_path / "engines.log"
    path.write_text("\r\n".join(lines), encoding="utf-8")  # CRLF, no newline at the end
    return path


@pytest.mark.parametrize("name", ["execution.log", "export-000001.gz", "generated"])
def test_both_engines_write_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Hyperscan's pass and the standard library's: the same JSON, byte for byte (with
    lines counted by numpy from the first byte on, as they are past NUMPY_AFTER)."""
    if _fast.available_engine() == "python":
        pytest.skip("hyperscan is not installed")
    monkeypatch.setattr(_fast, "NUMPY_AFTER", 0)
    path = engines_log(tmp_path) if name == "generated" else SAMPLES / name
    written = {}
    for engine in _fast.ENGINES:
        monkeypatch.setenv(_fast.ENGINE_VARIABLE, engine)
        written[engine] = as_json(analyse([str(path)]), redacted=True)
    assert written["hyperscan"] == written["python"]
    assert '"failed": []' not in written["python"]


def test_without_hyperscan_the_standard_library_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the [fast] extra is not installed: the same report, and the help says how
    to get the faster engine."""
    from click.testing import CliRunner

    from apigw_doctor.cli import main

    monkeypatch.delenv(_fast.ENGINE_VARIABLE, raising=False)
    expected = as_json(analyse([str(SAMPLES / "execution.log")]), redacted=True)
    monkeypatch.setitem(sys.modules, "hyperscan", None)  # import hyperscan fails
    _fast.hyperscan_module.cache_clear()
    _fast._accelerated.cache_clear()
    try:
        assert _fast.available_engine() == _fast.engine() == "python"
        assert as_json(analyse([str(SAMPLES / "execution.log")]), redacted=True) == expected
        help_text = " ".join(CliRunner().invoke(main, ["logs", "--help"]).output.split())
        assert "Engine: python" in help_text and "apigw-doctor[fast]" in help_text
    finally:
        monkeypatch.undo()
        _fast.hyperscan_module.cache_clear()
        _fast._accelerated.cache_clear()
