"""Logs in the shapes people post them: each sample is written here in the shape AWS
prints (console Test output, pasted lines without ids, throttling, crashes, pretty
JSON access logs, Logs Insights results), and each failure must be found and named."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from apigw_doctor.logs import analyse, analyse_lines

SHAPES = Path(__file__).parent / "shapes"

# sample -> [(method, path, status, status inferred, cause)] in time order
EXPECTED = {
    "console-test.md": [("GET", "/orders", 502, False, "GW301")],
    "pasted-without-ids.txt": [
        ("POST", "/pay", 500, False, "GW761"),  # invoke permission
        ("GET", "/report", 502, True, "GW102"),  # pretty body, no completion line
    ],
    "throttling.log": [
        ("GET", "/search", 500, False, "GW762"),  # Lambda throttled: 500, not 429
        ("GET", "/search", 429, False, "GW763"),  # usage plan throttle
    ],
    "lambda-crash.log": [
        ("GET", "/export", 502, False, "GW765"),  # runtime killed (memory)
        ("GET", "/health", 502, False, "GW766"),  # import error in the function's log
    ],
    "access-pretty.json": [
        ("POST", "/orders", 502, False, "GW301"),  # integrationErrorMessage names body
        ("GET", "/orders", 500, False, "GW761"),  # $context.integration.error
    ],
    "insights.tsv": [("GET", "/items", 502, False, "GW101")],
    # only the function's log (the usual paste): the API's failure status is inferred
    "function-only.log": [
        (None, None, 502, True, "GW701"),  # the newer runtime: the id from START
        (None, None, 502, True, "GW701"),  # the classic [ERROR] line with its id
    ],
    "authorizer-and-timeout.log": [
        ("GET", "/items", 504, False, "GW603"),  # integration timeout
        ("GET", "/items", 500, False, "GW768"),  # AuthorizerConfigurationException
    ],
    "insights.json": [("PUT", "/items/{id}", 502, False, "GW102")],
    # Logs Insights results copied from the console: a heading per query, header rows
    # padded with empty columns, elided rows, access-log fields without @message
    "insights-console.txt": [
        ("POST", "/basket/items", 500, False, "GW762"),  # Rate Exceeded: throttled
        ("POST", "/basket/items", 500, False, "GW762"),
        ("GET", "/books/{isbn}", 502, False, "GW301"),
        (None, "/books/{isbn}/cover", 500, True, "GW761"),  # no status column
    ],
    # pretty-printed access log records under the console's timestamp lines
    "access-console.txt": [
        ("POST", "/invoices", 500, False, "GW761"),
        ("POST", "/invoices", 500, False, "GW761"),
    ],
    # the Lambda function's own lines pasted with the gateway's: each names the cause
    "lambda-causes.log": [
        ("GET", "/report", 502, False, "GW791"),  # killed, Max Memory Used = Memory Size
        ("GET", "/report", 502, False, "GW791"),  # REPORT: Error Type: Runtime.OutOfMemory
        ("POST", "/upload", 502, False, "GW792"),  # [Errno 13] Permission denied: chmod
        ("GET", "/basket/{id}", 502, False, "GW793"),  # Node.js Invoke Error
        ("GET", "/stock", 502, False, "GW793"),  # Java error object over several lines
        ("POST", "/orders", 502, False, "GW762"),  # TooManyRequestsException: Rate Exceeded
        ("GET", "/accounts", 500, False, "GW764"),  # not able to create an ENI
        ("GET", "/search", 502, False, "GW703"),  # Task timed out after
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_failure_is_found_and_named(name: str) -> None:
    report = analyse([str(SHAPES / name)])
    found = [(s.method, s.path, s.status, s.status_inferred, s.cause) for s in report.stories]
    assert found == EXPECTED[name]
    assert all(s.findings for s in report.stories), "every cause comes with its finding"


def test_lines_without_request_ids_are_said_to_be_grouped() -> None:
    report = analyse([str(SHAPES / "pasted-without-ids.txt")])
    first, second = report.stories
    assert not first.grouped  # "Starting execution for request: <id>" gave the real id
    assert second.grouped
    out = CliRunner().invoke(main, ["logs", str(SHAPES / "pasted-without-ids.txt")]).stdout
    assert "502 (inferred)" in out
    assert "no request id in the log: lines grouped by position" in out
    assert "no timestamps in the log" in out and "None" not in out.splitlines()[0]


def test_an_access_log_message_is_not_answered_with_add_that_field() -> None:
    lines = [
        json.dumps(
            {
                "requestId": "Q1=",
                "status": "502",
                "resourcePath": "/x",
                "httpMethod": "GET",
                "integrationErrorMessage": "Malformed Lambda proxy response",
            }
        )
    ]
    (story,) = analyse_lines(lines).stories
    assert story.cause == "no-data-trace"
    assert "Malformed Lambda proxy response" in story.explanation
    assert "integrationErrorMessage" not in story.explanation


def test_a_failure_without_a_status_line_is_counted() -> None:
    lines = [
        "(req-without-end-0001) HTTP Method: GET, Resource Path: /a",
        "(req-without-end-0001) Endpoint response body before transformations: null",
        "(req-without-end-0001) Execution failed due to configuration error: "
        "Malformed Lambda proxy response",
    ]
    report = analyse_lines(lines)
    (story,) = report.stories
    assert (story.status, story.status_inferred, story.cause) == (502, True, "GW101")
    assert report.summary()["status5xx"] == 1


def test_nothing_understood_exits_2() -> None:
    result = CliRunner().invoke(main, ["logs", "-"], input="hello\nworld\n")
    assert result.exit_code == 2
    assert "nothing in 2 line(s) was understood" in result.stderr


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            '{"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User", '
            '"message": "Rate Exceeded."}',
            "GW762",
        ),
        ('{"errorMessage": "RequestId: 1 Process exited before completing request"}', "GW765"),
    ],
)
def test_check_names_bodies_the_function_never_returned(body: str, code: str) -> None:
    result = CliRunner().invoke(main, ["check", "-", "--format", "json"], input=body)
    verdict = json.loads(result.stdout)
    codes = [f["code"] for f in verdict["findings"]]
    assert code in codes and "GW102" not in codes


@pytest.mark.parametrize(
    "lines",
    [
        # a log viewer's clock time before each line
        [
            "09:15:02 (c1c2c3c4-0000-4000-8000-000000000009) HTTP Method: GET, Resource Path: /a",
            "09:15:03 (c1c2c3c4-0000-4000-8000-000000000009) Execution failed due to "
            "configuration error: Malformed Lambda proxy response",
            "09:15:03 (c1c2c3c4-0000-4000-8000-000000000009) Method completed with status: 502",
        ],
        # one failure line, pasted alone
        [" Execution failed due to configuration error: Malformed Lambda proxy response"],
    ],
    ids=["clock-prefix", "lone-failure-line"],
)
def test_short_pastes_still_count_their_failure(lines: list[str]) -> None:
    (story,) = analyse_lines(lines).stories
    assert (story.status, story.cause) == (502, "no-data-trace")


def test_a_function_log_alone_names_each_failed_invocation() -> None:
    report = analyse([str(SHAPES / "function-only.log")])
    assert [s.request_id for s in report.stories] == [
        "6a0b1c2d-1111-4e5f-8a9b-0c1d2e3f4a5b",  # from its START line
        "7b1c2d3e-2222-4e5f-8a9b-0c1d2e3f4a5b",
    ]  # the third invocation did not fail
    assert "order 42 has no lines" in report.stories[0].findings[0].message
    out = CliRunner().invoke(main, ["logs", str(SHAPES / "function-only.log")]).stdout
    assert "from the function's own log" in out


LID = "b2000000-0000-4000-8000-0000000000{n:02d}"


def _function_log(n: int, *lines: str) -> str:
    lid = LID.format(n=n)
    return "\n".join(
        [f"2026-05-06T09:00:{n:02d}.000Z START RequestId: {lid} Version: $LATEST"]
        + [line.format(lid=lid) for line in lines]
        + [f"2026-05-06T09:00:{n:02d}.900Z END RequestId: {lid}"]
    )


@pytest.mark.parametrize(
    ("log", "code", "says"),
    [
        (
            _function_log(
                1,
                "2026-05-06T09:00:01.500Z {lid}\tERROR\tUnhandled Promise Rejection \t"
                '{{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"Error: '
                'socket hang up","reason":{{}},"promise":{{}},"stack":["Runtime.Unhandled'
                'PromiseRejection: Error: socket hang up"]}}',
            ),
            "GW793",
            "Node.js function failed with Runtime.UnhandledPromiseRejection",
        ),
        (
            _function_log(
                2,
                '{{"errorMessage":"upstream returned 503","errorType":"errorString"}}',
            ),
            "GW793",
            "Go function failed with errorString: upstream returned 503",
        ),
        (
            _function_log(
                3,
                '{{"errorType":"System.InvalidOperationException","errorMessage":"no basket",'
                '"stackTrace":["at Shop.Function.Handler()"]}}',
            ),
            "GW793",
            ".NET function failed",
        ),
        (
            _function_log(
                4,
                "2026-05-06T09:00:04.100Z {lid}\tERROR\tInvoke Error \t"
                '{{"errorType":"Error","errorMessage":"EACCES: permission denied, open '
                '\'/var/task/index.mjs\'","stack":[]}}',
            ),
            "GW792",
            "permission denied on /var/task/index.mjs",
        ),
        (
            _function_log(
                5,
                "2026-05-06T09:00:05.100Z RequestId: {lid} Error: fork/exec "
                "/var/task/bootstrap: permission denied",
                "Runtime.InvalidEntrypoint",
            ),
            "GW792",
            "permission denied on /var/task/bootstrap",
        ),
        (
            _function_log(
                6,
                "2026-05-06T09:00:06.100Z REPORT RequestId: {lid}\tDuration: 900.00 ms\t"
                "Billed Duration: 900 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t"
                "Status: error\tError Type: Runtime.OutOfMemory",
            ),
            "GW791",
            "Max Memory Used 128 MB of Memory Size 128 MB",
        ),
        (
            _function_log(
                7,
                "2026-05-06T09:00:07.100Z RequestId: {lid} Error: Runtime exited with error: "
                "signal: killed",
                "2026-05-06T09:00:07.100Z REPORT RequestId: {lid}\tDuration: 800.00 ms\t"
                "Billed Duration: 800 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB",
            ),
            "GW791",
            "the runtime was killed",
        ),
        (
            _function_log(
                8,
                "2026-05-06T09:00:08.100Z RequestId: {lid} Error: Runtime exited with error: "
                "signal: killed",
                "2026-05-06T09:00:08.100Z REPORT RequestId: {lid}\tDuration: 800.00 ms\t"
                "Billed Duration: 800 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB",
            ),
            "GW765",  # killed with memory to spare: not memory
            "signal: killed",
        ),
    ],
    ids=[
        "node-unhandled-rejection",
        "go-error",
        "dotnet-exception",
        "node-eacces",
        "go-bootstrap-not-executable",
        "report-out-of-memory",
        "killed-at-memory-size",
        "killed-with-memory-to-spare",
    ],
)
def test_the_function_log_alone_names_the_cause(log: str, code: str, says: str) -> None:
    result = CliRunner().invoke(main, ["logs", "-", "--format", "json"], input=log + "\n")
    assert result.exit_code == 1, result.output
    (failure,) = json.loads(result.stdout)["failed"]
    assert failure["cause"] == code
    assert says in failure["findings"][0]["message"]
    assert failure["findings"][0]["fix"]


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        # Lambda's platform line, then the error type alone on the next line: one failure
        (
            "RequestId: c3000000-0000-4000-8000-000000000001 Error: Runtime exited with "
            "error: signal: killed\nRuntime.ExitError\n",
            ["GW765"],
        ),
        # the same without the request id, inside an invocation its START opened
        (
            "START RequestId: c3000000-0000-4000-8000-000000000002 Version: $LATEST\n"
            "Error Runtime exited with error: exit status 139\nRuntime.ExitError\n",
            ["GW765"],
        ),
        # a Node.js error object that says the function's own call was throttled
        (
            '{"errorType": "TooManyRequestsException", "errorMessage": "Rate Exceeded.", '
            '"trace": ["TooManyRequestsException: Rate Exceeded.", "    at Request.send '
            '(/var/task/node_modules/client.js:10:5)"]}\n',
            ["GW762"],
        ),
        # a Node.js error object, pretty-printed: the package's file was not readable
        (
            '{\n  "errorMessage": "EACCES, permission denied \'/var/task/app.js\'",\n'
            '  "errorType": "Error",\n  "stackTrace": ["Module.load (module.js:1:1)"]\n}\n',
            ["GW792"],
        ),
        # only the REPORT line says how the invocation ended
        (
            "REPORT RequestId: c3000000-0000-4000-8000-000000000007\tDuration: 200.00 ms\t"
            "Billed Duration: 200 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t"
            "Status: error\tError Type: Runtime.ImportModuleError\n",
            ["GW766"],
        ),
        # the init error before START belongs to the invocation that reports it: one failure
        (
            "[ERROR] PermissionError: [Errno 13] Permission denied: '/var/task/shop/app.py'\n"
            "START RequestId: c3000000-0000-4000-8000-000000000008 Version: $LATEST\n"
            "[ERROR] PermissionError: [Errno 13] Permission denied: '/var/task/shop/app.py'\n"
            "END RequestId: c3000000-0000-4000-8000-000000000008\n",
            ["GW792"],
        ),
        # Node.js logs its init error with the request id "undefined"
        (
            "2026-05-06T09:00:00.000Z\tundefined\tERROR\tUncaught Exception \t"
            '{"errorType":"SyntaxError","errorMessage":"Unexpected token \'}\'",'
            '"stack":["/var/task/cart.mjs:9"]}\n'
            "START RequestId: c3000000-0000-4000-8000-000000000009 Version: $LATEST\n"
            "END RequestId: c3000000-0000-4000-8000-000000000009\n",
            ["GW793"],
        ),
        # a log shipper's record: no requestId, the gateway's message and a status
        (
            '{"status": 500, "message": "Mon, 04 May 2026 10:00:00 GMT : Execution failed '
            'due to configuration error: Invalid permissions on Lambda function"}\n',
            ["GW761"],
        ),
        # an access log without $context.integrationStatus: a 400 is the function's
        (
            '{"requestId": "c3-4", "status": "400", "httpMethod": "POST", '
            '"resourcePath": "/items"}\n',
            [],
        ),
    ],
    ids=[
        "platform-line-then-type",
        "killed-without-id",
        "node-throttled-call",
        "node-eacces-pretty",
        "report-status-error-type",
        "init-error-before-start",
        "node-init-error-undefined-id",
        "shipper-record",
        "access-400-without-integration-status",
    ],
)
def test_lambda_and_gateway_lines_in_other_shapes(log: str, expected: list[str]) -> None:
    result = CliRunner().invoke(main, ["logs", "-", "--format", "json"], input=log)
    assert result.exit_code == (1 if expected else 0), result.output
    assert [f["cause"] for f in json.loads(result.stdout)["failed"]] == expected


def _access_records(count: int) -> list[dict[str, str]]:
    return [
        {
            "requestId": f"d4-{n}",
            "httpMethod": "POST",
            "resourcePath": "/pay",
            "status": "500",
            "integrationStatus": "-",
            "integrationErrorMessage": "Invalid permissions on Lambda function",
        }
        for n in range(count)
    ]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(_access_records(3), indent=2),  # saved as one JSON array
        ",\n".join(json.dumps(r, indent=2) for r in _access_records(3)),  # "}," between
        "".join(  # the console's time, then the record, on the same line
            f"2026-05-04T10:00:0{n}.000+02:00 {json.dumps(r, indent=4)}\n"
            for n, r in enumerate(_access_records(3))
        ),
    ],
    ids=["array", "comma-separated", "time-then-record"],
)
def test_pretty_access_records_in_any_grouping(text: str) -> None:
    result = CliRunner().invoke(main, ["logs", "-", "--format", "json"], input=text + "\n")
    assert [f["cause"] for f in json.loads(result.stdout)["failed"]] == ["GW761"] * 3


LAMBDA_ID = "f6000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    "table",
    [
        # @message not last: the Lambda line's own tabs stay in the message
        "@timestamp\t@message\t@logStream\n"
        f"2026-05-07 10:00:00.000\t[ERROR]\t2026-05-07T10:00:00.000Z\t{LAMBDA_ID}\t"
        "KeyError: 'sku'\t2026/05/07/[$LATEST]abc\n",
        # the console's padded header, rows not padded, a message with tabs
        "@timestamp\t\t@message\n"
        f"2026-05-07 10:00:00.000\t[ERROR]\t2026-05-07T10:00:00.000Z\t{LAMBDA_ID}\t"
        "KeyError: 'sku'\n",
        # header and rows padded alike
        "@timestamp\t\t@message\n"
        f"2026-05-07 10:00:00.000\t\t[ERROR]\t2026-05-07T10:00:00.000Z\t{LAMBDA_ID}\t"
        "KeyError: 'sku'\n",
    ],
    ids=["message-not-last", "padded-header", "padded-rows"],
)
def test_insights_rows_keep_the_tabs_of_lambda_lines(table: str) -> None:
    result = CliRunner().invoke(main, ["logs", "-", "--format", "json"], input=table)
    (failure,) = json.loads(result.stdout)["failed"]
    assert failure["requestId"] == LAMBDA_ID
    assert "KeyError: 'sku'" in failure["findings"][0]["message"]
