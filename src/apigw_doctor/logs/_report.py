"""The report: a summary with a per-minute sparkline, JSON for scripts, and a
self-contained HTML page with a timeline of 5xx by cause."""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..redaction import might_hold_secrets, redact_data, redact_text, secret_hints
from ._fast import engine, hyperscan_module
from ._stories import Story, Totals

SPARKS = "▁▂▃▄▅▆▇█"
#: the most buckets a timeline has (a week of minutes)
MAX_BUCKETS = 7 * 24 * 60


@dataclass
class Report:
    stories: list[Story]
    execution: Totals
    access: Totals
    lines: int
    skipped: int
    sources: list[str] = field(default_factory=list)
    query: str | None = None  # the Logs Insights query, when one ran

    @property
    def understood(self) -> bool:
        """Whether any line was read as a request or a function's log (else: wrong input)."""
        return (
            bool(self.stories or self.execution.requests or self.access.requests)
            or self.skipped < self.lines
        )

    def by_cause(self) -> Counter[str]:
        return Counter(s.cause for s in self.stories)

    def per_minute(self) -> list[tuple[int, Counter[str]]]:
        """(minute, failures by cause) for every minute from first to last failure; over
        a span of more than :data:`MAX_BUCKETS` minutes, several minutes per bucket (a log
        of a year, or one odd timestamp, never builds millions of empty minutes)."""
        times = [s.time for s in self.stories if s.time is not None]
        if not times:
            return []
        start, end = int(min(times)) // 60, int(max(times)) // 60
        step = -(-(end - start + 1) // MAX_BUCKETS)
        buckets: dict[int, Counter[str]] = {m: Counter() for m in range(start, end + 1, step)}
        for story in self.stories:
            if story.time is not None:
                minute = int(story.time) // 60
                buckets[minute - (minute - start) % step][story.cause] += 1
        return sorted(buckets.items())

    @property
    def totals(self) -> Totals:
        """The log that saw more requests (both may describe the same requests)."""
        return self.execution if self.execution.requests >= self.access.requests else self.access

    def summary(self) -> dict[str, Any]:
        statuses = self.totals.statuses
        first = [t.first for t in (self.execution, self.access) if t.first]
        last = [t.last for t in (self.execution, self.access) if t.last]
        return {
            "requests": self.totals.requests,
            "requestsByLog": {"execution": self.execution.requests, "access": self.access.requests},
            "failed": len(self.stories) + self.execution.failed_beyond_kept,
            "status5xx": sum(n for s, n in statuses.items() if s >= 500),
            "status4xx": sum(n for s, n in statuses.items() if 400 <= s < 500),
            "byCause": dict(self.by_cause().most_common()),
            "topResources": dict(
                Counter(f"{s.method or '?'} {s.path or '?'}" for s in self.stories).most_common(5)
            ),
            "firstSeen": _iso(min(first)) if first else None,
            "lastSeen": _iso(max(last)) if last else None,
            "linesRead": self.lines,
            "linesSkipped": self.skipped,
            "sources": self.sources,
            "insightsQuery": self.query,
        }


def _iso(stamp: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if stamp else None


def sparkline(report: Report) -> str:
    counts = [sum(c.values()) for _, c in report.per_minute()]
    if not counts:
        return ""
    top = max(counts) or 1
    return "".join(
        SPARKS[min(len(SPARKS) - 1, round(n / top * (len(SPARKS) - 1)))] if n else " "
        for n in counts
    )


def without_secrets(report: Report) -> Report:
    """The report with every logged value masked where it holds a secret: each format
    renders this copy, so none can show a field the others mask (paths, bodies,
    function logs, access records, the findings that quote them)."""
    return dataclasses.replace(report, stories=[_redacted_story(s) for s in report.stories])


def _redacted_story(story: Story) -> Story:
    if _nothing_to_mask(story):
        return story
    changes: dict[str, Any] = {
        f.name: _redacted(getattr(story, f.name))
        for f in dataclasses.fields(story)
        if isinstance(getattr(story, f.name), (str, list, dict)) and f.name != "request_id"
    }
    changes["findings"] = tuple(
        f._replace(message=_redacted_text(f.message), fix=_redacted_text(f.fix))
        for f in story.findings
    )
    return dataclasses.replace(story, **changes)


def _nothing_to_mask(story: Story) -> bool:
    """True when no text of the story holds anything redaction acts on: every test
    redaction makes before it masks is a substring test, so one test over all the
    story's texts at once stands for one per text (most failures' texts are unique,
    their ids and bodies differ, so a cache per text does not help them)."""
    if story.function_log or story.access:
        return False
    fields = vars(story)
    shared = [fields[name] for name in _SHARED] + [f.fix for f in story.findings]
    if not all(_clean_shared(text) for text in shared if isinstance(text, str)):
        return False
    own = [
        value for name, value in fields.items() if name not in _SHARED and isinstance(value, str)
    ]
    own += [f.message for f in story.findings]
    return _clean("\n".join(own))


#: the story's texts most failures share (a cause, its explanation): each tested once
_SHARED = frozenset({"api", "source", "cause", "explanation", "gateway_error", "method"})


def _clean(text: str) -> bool:
    """Whether redaction leaves ``text`` as it is (its tests before masking all fail)."""
    if engine() == "hyperscan" and text.isascii():
        return not _hinted(text)
    return _BASE64_HINT not in text and not might_hold_secrets(text)


#: a body redaction decodes to look inside
_BASE64_HINT = '"isBase64Encoded"'


def _hinted(text: str) -> bool:
    """Whether an ASCII ``text`` holds a hint of :func:`_clean`'s tests: one Hyperscan
    pass over it instead of a substring test per hint (a story holds none, mostly)."""
    found: list[int] = []
    _hint_database().scan(text.encode("ascii"), match_event_handler=_found, context=found)
    return bool(found)


def _found(_pattern: int, _start: int, end: int, _flags: int, found: list[int]) -> None:
    found.append(end)  # each hint once (SINGLEMATCH): a text holds few


@functools.cache
def _hint_database() -> Any:
    """:func:`secret_hints` (any case for the folded ones: in ASCII text, the same as
    looking for them in the lowered text) and :data:`_BASE64_HINT`, compiled once."""
    hyperscan = hyperscan_module()
    folded, exact = secret_hints()
    assert all(hint == hint.lower() for hint in folded)
    hints = [*folded, *exact, _BASE64_HINT]
    database = hyperscan.Database()
    database.compile(
        expressions=[re.escape(hint).encode("ascii") for hint in hints],
        ids=list(range(len(hints))),
        elements=len(hints),
        flags=[hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_CASELESS] * len(folded)
        + [hyperscan.HS_FLAG_SINGLEMATCH] * (len(hints) - len(folded)),
    )
    return database


@functools.lru_cache(maxsize=1024)
def _clean_shared(text: str) -> bool:
    return _clean(text)


@functools.lru_cache(maxsize=4096)
def _redacted_string(text: str) -> Any:
    """Failures repeat their texts (the same error, cause and fix thousands of times):
    each distinct one is redacted once."""
    return redact_data(text)


@functools.lru_cache(maxsize=4096)
def _redacted_text(text: str) -> str:
    return redact_text(text)


def _redacted(value: Any) -> Any:
    return _redacted_string(value) if isinstance(value, str) else redact_data(value)


#: characters a terminal acts on instead of showing (C0 but tab and newline, DEL, C1) and
#: the ones that reorder what is shown (bidirectional overrides, "Trojan source")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """Logged text that can only be shown, never act: each control character written
    as its escape (``\\x1b``), so an ESC in a logged path cannot recolour, move or
    retitle the user's terminal."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _plain_data(value: Any) -> Any:
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    if isinstance(value, dict):
        return {plain(str(k)): _plain_data(v) for k, v in value.items()}
    return value


def for_display(report: Report) -> Report:
    """The report with every logged value made plain (see :func:`plain`): the text
    and HTML outputs render this copy; JSON escapes controls by itself."""
    return dataclasses.replace(report, stories=[_plain_story(s) for s in report.stories])


def _plain_story(story: Story) -> Story:
    changes: dict[str, Any] = {
        f.name: _plain_data(getattr(story, f.name))
        for f in dataclasses.fields(story)
        if isinstance(getattr(story, f.name), (str, list, dict))
    }
    changes["findings"] = tuple(
        f._replace(message=plain(f.message), fix=plain(f.fix)) for f in story.findings
    )
    return dataclasses.replace(story, **changes)


def _none(count: int) -> None:
    """No progress to tell."""


def _counted(stories: list[Story], progress: Callable[[int], None]) -> Iterator[Story]:
    for story in stories:
        progress(1)
        yield story


def as_json(report: Report, *, redacted: bool, progress: Callable[[int], None] = _none) -> str:
    """Redacted as data before it is JSON: escaping can never hide a secret
    (``progress`` is told of each failure written)."""
    if redacted:
        report = without_secrets(report)
    head = json.dumps({"summary": report.summary()}, indent=2)
    if not report.stories:
        return head[:-2] + ',\n  "failed": []\n}'
    # one failed request per line, by the C encoder (indent= would use the pure-Python
    # one, a second per 10,000 failures): the same JSON, readable and greppable
    encode = json.JSONEncoder().encode
    rows = ",\n    ".join(encode(s.as_json()) for s in _counted(report.stories, progress))
    return head[:-2] + ',\n  "failed": [\n    ' + rows + "\n  ]\n}"


def as_html(report: Report, *, redacted: bool, progress: Callable[[int], None] = _none) -> str:
    """One page, no external resources: an SVG timeline and the request table
    (``progress`` is told of each failure written)."""
    if redacted:
        report = without_secrets(report)
    report = for_display(report)
    causes = [cause for cause, _ in report.by_cause().most_common()]
    palette = ["#cf222e", "#bf8700", "#8250df", "#0969da", "#1a7f37", "#57606a"]
    colour = {cause: palette[i % len(palette)] for i, cause in enumerate(causes)}
    minutes = report.per_minute()
    top = max((sum(c.values()) for _, c in minutes), default=1) or 1
    width = max(1, len(minutes))
    bars = []
    for index, (minute, counts) in enumerate(minutes):
        y = 100.0
        for cause in causes:
            height = 100.0 * counts[cause] / top
            if height:
                y -= height
                label = f"{_iso(minute * 60)}: {counts[cause]} x {cause}"
                bars.append(
                    f'<rect class="bar" x="{index}" y="{y:.2f}" width="0.9" '
                    f'height="{height:.2f}" fill="{colour[cause]}">'
                    f"<title>{html.escape(label)}</title></rect>"
                )
    legend = "".join(
        f'<li><span style="background:{colour[c]}"></span>{html.escape(c)} '
        f"({report.by_cause()[c]})</li>"
        for c in causes
    )
    rows = []
    for story in _counted(report.stories, progress):
        fixes = "<br>".join(
            html.escape(f"{f.code} {f.message} -- fix: {f.fix}") for f in story.findings
        ) or html.escape(story.explanation)
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    _iso(story.time) or "-",
                    story.method or "-",
                    story.path or "-",
                    story.status or "-",
                    story.cause,
                )
            )
            + f"<td>{fixes}</td><td><code>{html.escape(story.body or '')[:300]}</code>"
            f"</td></tr>"
        )
    summary = report.summary()
    return _PAGE.format(
        requests=summary["requests"],
        failed=summary["failed"],
        first=summary["firstSeen"] or "-",
        last=summary["lastSeen"] or "-",
        width=width,
        bars="".join(bars),
        legend=legend,
        rows="".join(rows),
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>apigw-doctor: API Gateway 5xx report</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; }}
svg {{ width: 100%; height: 180px; background: #f6f8fa; }}
ul.legend {{ list-style: none; padding: 0; display: flex; gap: 16px; }}
ul.legend span {{ display: inline-block; width: 12px; height: 12px; margin-right: 4px; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 16px; }}
td, th {{ border-bottom: 1px solid #d0d7de; padding: 4px 8px; text-align: left;
          vertical-align: top; }}
code {{ font-size: 12px; word-break: break-all; }}
</style></head><body>
<h1>API Gateway failures</h1>
<p id="summary">{requests} requests, {failed} failed; first seen {first}, last seen {last}.</p>
<h2>Failures per minute, by cause</h2>
<svg id="timeline" viewBox="0 0 {width} 100" preserveAspectRatio="none">{bars}</svg>
<ul class="legend">{legend}</ul>
<h2>Failed requests</h2>
<table id="requests"><thead><tr><th>time</th><th>method</th><th>path</th><th>status</th>
<th>cause</th><th>findings and fixes</th><th>logged result</th></tr></thead>
<tbody>{rows}</tbody></table>
</body></html>
"""
