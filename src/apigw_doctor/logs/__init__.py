"""``apigw-doctor logs``: explain every production 502 from API Gateway and Lambda logs.

Sans-I/O at the core: :class:`Collector` takes parsed records and decides each
failure's cause with the rules core; readers (files, CloudWatch) feed it lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ._parse import parse
from ._read import SourceError, lines, size_of
from ._report import Report, as_html, as_json, sparkline
from ._stories import Collector, Story

__all__ = [
    "Collector",
    "Report",
    "SourceError",
    "Story",
    "analyse",
    "analyse_lines",
    "as_html",
    "as_json",
    "lines",
    "size_of",
    "sparkline",
]


def analyse_lines(
    texts: Iterable[str],
    *,
    api: str = "rest",
    sources: list[str] | None = None,
    query: str | None = None,
) -> Report:
    """The report for log lines from any mix of sources."""
    collector = Collector(api)
    for text in texts:
        collector.add(parse(text))
    return Report(
        collector.stories(),
        collector.execution,
        collector.access,
        collector.lines,
        collector.skipped,
        sources or [],
        query,
    )


def analyse(
    names: list[str], *, api: str = "rest", progress: Callable[[int], None] | None = None
) -> Report:
    """The report for files (plain or .gz) and ``-`` for stdin."""

    def every_line() -> Iterable[str]:
        for name in names:
            yield from lines(name, progress)

    return analyse_lines(every_line(), api=api, sources=names)
