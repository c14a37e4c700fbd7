"""``apigw-doctor logs``: every failed request in API Gateway / Lambda logs, explained."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ..logs import (
    Report,
    SourceError,
    analyse,
    analyse_lines,
    as_html,
    as_json,
    for_display,
    plain,
    sparkline,
    without_secrets,
)
from ..logs._read import size_of
from ._options import api_option, format_option

if TYPE_CHECKING:  # rich is imported when text is drawn: --format json never needs it
    from rich.console import Console
    from rich.progress import Progress, TaskID

#: a step that takes longer than this shows its progress (on a terminal)
PROGRESS_AFTER = 2.0


class _LogsCommand(click.Command):
    """``logs``, whose help ends with the search engine this installation runs."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ..logs._fast import ENGINE_VARIABLE, available_engine, engine

        formatter.write_paragraph()
        if engine() == "hyperscan":
            said = (
                "Engine: hyperscan (the [fast] extra): one pass in C over each chunk of "
                "an execution log (and numpy counting the lines of a large one); "
                f"{ENGINE_VARIABLE}=python picks the standard library's search (the same "
                "report, slower)."
            )
        elif available_engine() == "hyperscan":
            said = f"Engine: python (chosen by {ENGINE_VARIABLE}=python; hyperscan is installed)."
        else:
            said = (
                "Engine: python (the standard library's search); pip install "
                "'apigw-doctor[fast]' adds Hyperscan, several times faster on large "
                "execution logs, with the same report."
            )
        formatter.write_text(said)
        super().format_epilog(ctx, formatter)


@click.command(cls=_LogsCommand)
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@api_option("The API kind whose rules explain a logged result.")
@format_option()
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report (timeline and table) here.",
)
@click.option(
    "--no-redact",
    is_flag=True,
    help="Show Authorization/Cookie/API key values and tokens as logged.",
)
@click.option("--rest-api-id", help="Read API-Gateway-Execution-Logs_ID/STAGE from CloudWatch.")
@click.option("--stage", help="The stage, with --rest-api-id.")
@click.option(
    "--function", "functions", multiple=True, help="Also read /aws/lambda/NAME (repeatable)."
)
@click.option("--since", default="1h", show_default=True, help="CloudWatch window: 30m, 1h, 2d.")
@click.option(
    "--insights",
    is_flag=True,
    help="Let CloudWatch Logs Insights find the lines instead of downloading all.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr for each step (reading, explaining, writing) "
    "that takes over 2 s [default: when stderr is a terminal].",
)
@click.option("--region", envvar="AWS_DEFAULT_REGION")
@click.option("--profile", envvar="AWS_PROFILE")
@click.option("--endpoint-url")
def logs(
    paths: tuple[str, ...],
    api: str,
    output_format: str,
    html_path: Path | None,
    no_redact: bool,
    rest_api_id: str | None,
    stage: str | None,
    functions: tuple[str, ...],
    since: str,
    insights: bool,
    progress: bool | None,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
) -> None:
    """Explain every failed request in API Gateway and Lambda logs.

    Reads, detected line by line: REST execution logs (`(request-id)
    message`), `aws logs filter-log-events` / `get-log-events` JSON, `aws logs
    tail` output, CloudWatch exports to S3 (.gz), JSON access logs, and the
    function's own logs (errors, timeouts), correlated by the Lambda request
    id.  For each 5xx (and each 4xx the gateway made itself) it re-runs API
    Gateway's rules on the logged result and says why, with the fix.

    \b
    Examples:
      apigw-doctor logs execution.log lambda.log --html report.html
      aws logs tail API-Gateway-Execution-Logs_a1b2/prod --since 1h | apigw-doctor logs -
      apigw-doctor logs --rest-api-id a1b2 --stage prod --function items --since 6h
      apigw-doctor logs --rest-api-id a1b2 --stage prod --insights --since 7d

    Also read: the API Gateway console's "Test" output, lines pasted without
    their request id or timestamp (grouped by position, and said so), bodies
    and JSON access logs printed over several lines, Logs Insights results
    (`get-query-results` JSON, tab- or comma-separated tables).  A request
    whose log says it failed but has no "Method completed" line counts too,
    with the status AWS's rules give (marked inferred).

    \b
    Exit status: 0 no failed request, 1 failed requests found, 2 bad usage,
    a source that could not be read (a file, CloudWatch), or nothing in the
    input understood as a log line.
    """
    if (rest_api_id or functions) and paths:
        raise click.UsageError("read files or CloudWatch (--rest-api-id/--function), not both")
    if bool(rest_api_id) != bool(stage):
        raise click.UsageError("--rest-api-id and --stage go together")
    sources = list(paths) or ["-"]
    with LazyProgress(None, _show_progress(progress)) as bar:
        try:
            if rest_api_id or functions:
                report = _from_cloudwatch(
                    rest_api_id,
                    stage,
                    functions,
                    since,
                    insights,
                    api,
                    region,
                    profile,
                    endpoint_url,
                    bar,
                )
            else:
                report = _from_files(sources, api, bar)
        except SourceError as exc:
            bar.close()
            _give_up("unreadable", str(exc), output_format, sources)
        if not report.lines and not (rest_api_id or functions):  # CloudWatch: a quiet window
            bar.close()
            where = ", ".join(repr(name) for name in report.sources) or "the input"
            _give_up("empty", f"{where}: no log lines (the input is empty)", output_format, sources)
        if not report.understood:
            bar.close()
            _give_up(
                "not-understood",
                f"nothing in {report.lines:,} line(s) was understood as an "
                "API Gateway or Lambda log line; expected execution logs ((request-id) "
                "message), console test output, access logs (JSON), Lambda logs or "
                "CloudWatch JSON",
                output_format,
                sources,
                report,
            )
        _write(report, output_format, html_path, not no_redact, bar)
    sys.exit(1 if report.stories else 0)


def _write(
    report: Report, output_format: str, html_path: Path | None, redacted: bool, bar: LazyProgress
) -> None:
    """The report as asked for, on stdout (and in ``html_path``): made while the bar may
    show, which is gone before anything is written."""
    bar.step("writing the report", len(report.stories) * (1 + bool(html_path)))
    page = as_html(report, redacted=redacted, progress=bar) if html_path else None
    document = as_json(report, redacted=redacted, progress=bar) if output_format == "json" else None
    text = None
    if document is None:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=True)
        if not bar.enabled:  # no bar can show: drawn straight to stdout
            bar.close()
            _write_page(page, html_path)
            _render(console, report, redacted, bar)
            return
        with console.capture() as captured:  # what rich would write, held until the bar is gone
            _render(console, report, redacted, bar)
        text = captured.get()
    bar.close()
    _write_page(page, html_path)
    if document is not None:
        click.echo(document)
    elif text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()


def _write_page(page: str | None, html_path: Path | None) -> None:
    if page is not None and html_path is not None:
        html_path.write_text(page, encoding="utf-8")
        click.echo(f"wrote {html_path}", err=True)


def _give_up(
    kind: str,
    message: str,
    output_format: str,
    sources: list[str],
    report: Report | None = None,
) -> NoReturn:
    """Exit 2 for input that could not be read or understood, saying why on stderr and,
    with ``--format json``, in one JSON document on stdout (scripts always get JSON)."""
    click.echo(f"apigw-doctor logs: {plain(message)}", err=True)
    if output_format == "json":
        document = {
            "error": {"kind": kind, "message": message},
            "summary": report.summary() if report is not None else None,
            "failed": [],
            "sources": sources,
        }
        click.echo(json.dumps(document, indent=2))
    sys.exit(2)


def _from_files(paths: list[str], api: str, bar: LazyProgress) -> Report:
    if paths == ["-"] and sys.stdin.isatty():
        raise click.UsageError("no input: name log files, or pipe logs on stdin")
    for path in paths:
        if path == "-":
            continue
        if Path(path).is_dir():
            raise SourceError(f"cannot read {path!r}: it is a directory, not a log file")
        if not Path(path).is_file():
            raise SourceError(f"cannot read {path!r}: no such file")
    total = sum(size_of(p) or 0 for p in paths if p != "-")
    bar.step("reading logs", total if "-" not in paths else None, "bytes")
    return analyse(paths, api=api, progress=bar)


def _show_progress(show: bool | None) -> bool:
    """``--progress``/``--no-progress``, else only when stderr is a terminal."""
    return sys.stderr.isatty() if show is None else show


class LazyProgress:
    """A progress bar on stderr that appears only once a step (reading, explaining,
    writing the report) has taken :data:`PROGRESS_AFTER` seconds: by time, not size,
    so a slow 30 MB file shows it and a quick 1 GB one does not flicker.  A timer
    draws it, so a step that reports seldom shows it on time all the same; once
    shown, it stays for the steps after."""

    def __init__(
        self, total: int | None, enabled: bool, label: str = "reading logs", unit: str = "bytes"
    ) -> None:
        self.enabled = enabled
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        self._begin(label, total, unit)

    def _begin(self, label: str, total: int | None, unit: str) -> None:
        self.label, self.total, self.unit, self.done = label, total, unit, 0
        self.started = time.monotonic()
        if self.enabled and self.bar is None:
            self.timer = threading.Timer(PROGRESS_AFTER, self._draw)
            self.timer.daemon = True
            self.timer.start()

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """No bar from now on (it is erased if shown): what follows is the output."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.enabled = False
            if self.bar is not None:
                self.bar.stop()
                self.bar = None

    def step(self, label: str, total: int | None, unit: str = "failures") -> None:
        """The next step: ``total`` items (``unit``), counted by calls from now on;
        a bar already shown goes on showing this step."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            shown = self.bar is not None
            if self.bar is not None:
                self.bar.stop()
                self.bar = None
            self._begin(label, total, unit)
            if shown:
                self._show()

    def __call__(self, count: int) -> None:
        self.done += count
        if self.bar is None:
            if self.enabled and time.monotonic() - self.started >= PROGRESS_AFTER:
                self._draw()  # the timer's thread may not have run yet: now, in order
            return
        with self.lock:
            if self.bar is not None and self.task is not None:
                self.bar.update(self.task, completed=self.done)

    def tick(self) -> None:
        """Time passed with nothing read (a query still running)."""
        self(0)

    def _draw(self) -> None:
        with self.lock:
            if self.enabled and self.bar is None:
                self._show()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TransferSpeedColumn,
        )

        columns = (
            (DownloadColumn(), TransferSpeedColumn())
            if self.unit == "bytes"
            else (MofNCompleteColumn(), TextColumn(self.unit))
        )
        # asked for with --progress: drawn even when stderr is not a terminal
        console = Console(stderr=True, force_terminal=True)
        self.bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            *columns,
            console=console,
            transient=True,
            redirect_stdout=False,  # the report goes to stdout, never through the bar
            redirect_stderr=False,
        )
        self.task = self.bar.add_task(self.label, total=self.total, completed=self.done)
        self.bar.start()
        self.bar.refresh()  # drawn now, even if the step ends before the next tick


def _counted(lines: Iterable[str], progress: LazyProgress) -> Iterator[str]:
    for line in lines:
        progress(len(line) + 1)
        yield line


def _from_cloudwatch(
    rest_api_id: str | None,
    stage: str | None,
    functions: tuple[str, ...],
    since: str,
    insights: bool,
    api: str,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    bar: LazyProgress,
) -> Report:
    from ..aws import AwsError, AwsOptions
    from ..logs import cloudwatch

    try:
        window = cloudwatch.parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    options = AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url)
    groups = cloudwatch.Groups.for_api(rest_api_id, stage, functions)
    try:
        bar.step("reading CloudWatch", None, "bytes")
        if insights:
            click.echo(
                f"Logs Insights query on {', '.join(groups.names)}:\n{cloudwatch.INSIGHTS_QUERY}",
                err=True,
            )
            waiting = cloudwatch.insights(options, groups, window, waiting=bar.tick)
            lines = list(_counted(waiting, bar))
            return analyse_lines(
                lines,
                api=api,
                sources=groups.names,
                query=cloudwatch.INSIGHTS_QUERY,
                progress=bar,
            )
        events = _counted(cloudwatch.download(options, groups, window), bar)
        return analyse_lines(events, api=api, sources=groups.names, progress=bar)
    except AwsError as exc:  # could not read: 2, never 1 ("failures found")
        bar.close()
        click.echo(f"apigw-doctor logs: {exc}", err=True)
        sys.exit(2)


def _render(console: Console, report: Report, redacted: bool, bar: LazyProgress) -> None:
    from rich.text import Text

    from ._render import render_finding

    if redacted:
        report = without_secrets(report)
    report = for_display(report)  # logged values as plain text: never markup, never controls
    summary = report.summary()
    seen = (
        f"first seen {summary['firstSeen']}, last seen {summary['lastSeen']}"
        if summary["firstSeen"]
        else "no timestamps in the log"
    )
    console.print(
        Text(
            f"{summary['requests']:,} requests, {summary['failed']:,} failed "
            f"({summary['status5xx']:,} 5xx); {seen}",
            style="bold",
        )
    )
    line = sparkline(report)
    if line:
        console.print(Text("failures per minute: ") + Text(line, style="red"))
    for cause, count in summary["byCause"].items():
        console.print(Text(f"  {count:6,}  {cause}"))
    if summary["topResources"]:
        console.print(
            Text(
                "top resources: "
                + ", ".join(f"{name} ({count})" for name, count in summary["topResources"].items())
            )
        )
    console.print(
        Text(
            f"{summary['linesRead']:,} lines read, {summary['linesSkipped']:,} "
            "skipped (not a log line we use)",
            style="dim",
        )
    )
    console.print()
    for story in report.stories:
        bar(1)
        when = summary_time(story.time)
        status = f"{story.status} (inferred)" if story.status_inferred else f"{story.status}"
        head = Text(f"{when} {story.method or '?'} {story.path or '?'} -> {status}  ", style="bold")
        if story.grouped:
            head.append("no request id in the log: lines grouped by position", style="dim")
        else:
            head.append(f"request {story.request_id}", style="dim")
        console.print(head)
        if story.source == "function":
            console.print(
                Text(
                    "  from the function's own log (no gateway line about it): what the "
                    "client got if the function runs behind an API proxy integration",
                    style="dim",
                )
            )
        if story.gateway_error:
            console.print(Text(f"  gateway: {story.gateway_error}", style="dim"))
        if story.body is not None:
            shown = story.body if len(story.body) <= 300 else story.body[:300] + "..."
            console.print(Text(f"  result: {shown}", style="dim"))
        for entry in story.function_log[:3]:
            console.print(Text(f"  function log: {entry[:300]}", style="dim"))
        console.print(Text(f"  cause: {story.explanation}"))
        for item in story.findings:
            render_finding(console, item, indent="    ")
        console.print()


def summary_time(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if stamp else "-"
