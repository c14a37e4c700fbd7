"""Progress on stderr for the steps that can take a while (many templates, many files).

Shown only on a terminal, and only once the command has run for :data:`DELAY`
seconds: a quick run prints nothing extra, a long one never looks stuck.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any

#: seconds of silence before progress is shown
DELAY = 2.0


class Steps:
    """``update(step, done, total)`` as work goes; a bar for the current step appears
    once ``delay`` seconds have passed since the object was made (on a terminal)."""

    def __init__(self, delay: float = DELAY, *, stream: Any = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._shown_after = time.monotonic() + delay
        self._bar: Any = None
        self._task: Any = None
        self._enabled = bool(getattr(self._stream, "isatty", lambda: False)())

    def update(self, step: str, done: int, total: int) -> None:
        if not self._enabled or (self._bar is None and time.monotonic() < self._shown_after):
            return
        if self._bar is None:
            self._start(step, done, total)
        self._bar.update(self._task, description=step, completed=done, total=total)

    def reading_templates(self, done: int, total: int) -> None:
        """``load_project``'s progress: every command reads templates alike."""
        self.update("reading templates", done, total)

    def _start(self, step: str, done: int, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(file=self._stream)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        self._bar = Progress(*columns, console=console, transient=True)
        self._task = self._bar.add_task(step, completed=done, total=total)
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
