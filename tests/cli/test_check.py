"""`apigw-doctor check` as a user runs it: outputs, exit codes, error messages."""

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "results"


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, value: object, name: str = "r.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(value))
    return str(path)


@pytest.mark.parametrize(
    ("name", "exit_code", "code"),
    [
        ("ok.json", 0, None),
        ("missing-status-code.json", 0, "GW203"),
        ("object-body.json", 1, "GW301"),
        ("string-result.json", 1, "GW101"),
        ("none-result.json", 1, "GW101"),
        ("too-large.json.gz", 1, "GW601"),
        ("binary-without-media-types.json", 0, "GW501"),
        ("function-error.json", 1, "GW108"),
    ],
)
def test_bundled_examples(name: str, exit_code: int, code: str | None) -> None:
    status, out, _ = run("check", str(EXAMPLES / name))
    assert status == exit_code
    if code:
        assert code in out


def test_function_error_example_with_flag() -> None:
    status, out, _ = run(
        "check", "--function-error", "--format", "json", str(EXAMPLES / "function-error.json")
    )
    assert status == 1
    assert json.loads(out)["findings"][0]["code"] == "GW701"


def test_text_output_names_status_cause_fix_and_log(tmp_path: Path) -> None:
    status, out, _ = run("check", write(tmp_path, {"statusCode": 200, "body": {"a": 1}}))
    assert status == 1
    assert "502 Bad Gateway" in out
    assert "GW301" in out and "[R5, documented]" in out
    assert 'fix: "body": json.dumps({"a": 1})' in out
    assert "Malformed Lambda proxy response" in out


def test_http_api_missing_status(tmp_path: Path) -> None:
    status, out, _ = run(
        "check", "--api", "http-1.0", "--format", "json", str(EXAMPLES / "missing-status-code.json")
    )
    assert status == 1
    assert json.loads(out)["status"] == 500


def test_stdin_and_binary_options() -> None:
    png = json.loads((EXAMPLES / "binary-without-media-types.json").read_text())
    status, out, _ = run(
        "check",
        "-",
        "-H",
        "Accept: image/png",
        "--binary-media-types",
        "image/png, image/jpeg",
        "--format",
        "json",
        stdin=json.dumps(png),
    )
    assert status == 0
    verdict = json.loads(out)
    assert verdict["findings"] == [] and verdict["status"] == 200


def test_several_files_give_one_json_line_each(tmp_path: Path) -> None:
    a = write(tmp_path, {"statusCode": 200}, "a.json")
    b = write(tmp_path, None, "b.json")
    status, out, _ = run("check", a, b, "--format", "json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 1
    assert [(x["source"], x["status"]) for x in lines] == [(a, 200), (b, 502)]


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "captured.jsonl"
    path.write_text('{"statusCode": 200, "body": "x"}\n\n{"body": {}}\nnot json\n')
    status, out, err = run("check", "--jsonl", str(path))
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 1
    assert [(x["line"], x["status"]) for x in lines] == [(1, 200), (3, 502), (4, 502)]
    assert "checked 3 results: 1 without errors, 2 with errors" in err


def test_gzip_input(tmp_path: Path) -> None:
    path = tmp_path / "r.json.gz"
    path.write_bytes(gzip.compress(b'{"statusCode": 204}'))
    status, out, _ = run("check", str(path), "--format", "json")
    assert (status, json.loads(out)["status"]) == (0, 204)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "no/such/file.json"], "cannot read 'no/such/file.json': No such file"),
        (["check", "."], "cannot read '.'"),
        (["check", "--api", "soap", "x"], "'soap' is not one of"),
        (["check", "-H", "Accept image/png", "x"], "write it as 'Name: value'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args: list[str], message: str) -> None:
    status, _, err = run(*args)
    assert status == 2
    assert message in err


def test_empty_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("")
    status, _, err = run("check", str(path))
    assert status == 2
    assert "is empty" in err


def test_bad_gzip_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "r.json.gz"
    path.write_bytes(b"not gzip")
    status, _, err = run("check", str(path))
    assert status == 2
    assert "cannot read" in err


def test_help_explains_exit_status() -> None:
    status, out, _ = run("check", "--help")
    assert status == 0
    assert "Exit status" in out and "--binary-media-types" in out


def test_jsonl_splits_on_newlines_only(tmp_path: Path) -> None:
    """A \\r or U+2028 inside a result is part of that line, not a new one."""
    path = tmp_path / "r.jsonl"
    line = '{"statusCode": 200,\r"body": "b\u2028c"}'.encode()  # raw CR and U+2028
    path.write_bytes(line + b'\r\n{"statusCode": 201}\n')
    result = CliRunner().invoke(main, ["check", "--jsonl", str(path)])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["status"]) for r in rows] == [(1, 200), (2, 201)]


def test_a_gzip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "bomb.json.gz"
    with gzip.open(path, "wb") as handle:
        for _ in range(40):
            handle.write(b" " * (1024 * 1024))  # 40 MB of spaces, ~40 KB on disk
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "more than 16 MB" in result.stderr


def test_an_oversize_jsonl_line_is_skipped_and_said(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(
        b'{"statusCode": 200}\n' + b" " * (17 * 1024 * 1024) + b'\n{"statusCode": 204}\n'
    )
    result = CliRunner().invoke(main, ["check", "--jsonl", str(path)])
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 3]
    assert ":2: skipped" in result.stderr


def test_origin_says_what_the_browser_makes_of_the_answer(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"statusCode": 200, "body": {"items": []}}')
    result = CliRunner().invoke(
        main, ["check", str(broken), "--origin", "http://localhost:5173", "--format", "json"]
    )
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert result.exit_code == 1 and codes == ["GW301", "GW771"]
    fine = tmp_path / "fine.json"
    fine.write_text(
        '{"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}, "body": "ok"}'
    )
    result = CliRunner().invoke(main, ["check", str(fine), "--origin", "http://localhost:5173"])
    assert result.exit_code == 0 and "GW77" not in result.stdout


@pytest.mark.parametrize(
    "number", ["9" * 5000, "9" * 5000 + ".0", "-" + "9" * 5000], ids=["int", "float", "negative"]
)
@pytest.mark.parametrize("api", ["rest", "http-2.0"])
def test_a_status_code_past_pythons_digit_limit_is_a_finding(
    tmp_path: Path, number: str, api: str
) -> None:
    given = tmp_path / "r.json"
    given.write_text('{"statusCode": ' + number + ', "body": "x"}')
    status, out, _ = run("check", str(given), "--api", api, "--format", "json")
    assert status == 1
    assert "GW206" in {f["code"] for f in json.loads(out)["findings"]}
