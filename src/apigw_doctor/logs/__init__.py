"""``apigw-doctor logs``: explain every production 502 from API Gateway and Lambda logs.

Sans-I/O at the core: :class:`Collector` takes parsed records and decides each
failure's cause with the rules core; readers (files, CloudWatch) feed it lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._fast import looks_like_execution_log, scan
from ._read import Source, SourceError, lines, size_of
from ._report import Report, as_html, as_json, for_display, plain, sparkline, without_secrets
from ._shapes import Reader
from ._stories import Collector, StepProgress, Story

__all__ = [
    "Collector",
    "Report",
    "SourceError",
    "StepProgress",
    "Story",
    "analyse",
    "analyse_lines",
    "as_html",
    "as_json",
    "for_display",
    "lines",
    "plain",
    "size_of",
    "sparkline",
    "without_secrets",
]


def analyse_lines(
    texts: Iterable[str],
    *,
    api: str = "rest",
    sources: list[str] | None = None,
    query: str | None = None,
    progress: StepProgress | None = None,
) -> Report:
    """The report for log lines from any mix of sources (``progress`` is told of each
    failure explained)."""
    collector = Collector(api)
    _read_lines(texts, collector)
    return _report(collector, sources or [], query, progress)


def analyse(names: list[str], *, api: str = "rest", progress: StepProgress | None = None) -> Report:
    """The report for files (plain or .gz) and ``-`` for stdin, in any mix of formats
    (``progress`` is told of the bytes read, then of each failure explained)."""
    collector = Collector(api)
    for name in names:
        source = Source(name)
        try:
            if not source.is_events_document and looks_like_execution_log(source.head):
                scan(source.filler(progress), collector, source.file_descriptor)
            else:
                _read_lines(source.lines(progress), collector)
        finally:
            source.close()
    return _report(collector, names, None, progress)


def _read_lines(texts: Iterable[str], collector: Collector) -> None:
    """Lines in whatever shape people have them (console output, pastes, tables)."""
    reader = Reader()
    for text in texts:
        collector.add_line(reader.feed(text))
    for record in reader.finish():
        collector.record(record)


def _report(
    collector: Collector, sources: list[str], query: str | None, progress: StepProgress | None
) -> Report:
    return Report(
        collector.stories(progress),
        collector.execution,
        collector.access,
        collector.lines,
        collector.skipped,
        sources,
        query,
    )
