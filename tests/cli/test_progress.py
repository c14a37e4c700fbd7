"""Progress for long steps: on a terminal only, and only after the delay."""

import io

import pytest

from apigw_doctor.cli._progress import Steps


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("stream", "delay", "shown"),
    [
        pytest.param(Terminal(), 0.0, True, id="terminal, past the delay"),
        pytest.param(Terminal(), 60.0, False, id="terminal, a quick run"),
        pytest.param(Pipe(), 0.0, False, id="not a terminal"),
    ],
)
def test_progress_is_shown_only_on_a_terminal_after_the_delay(
    stream: io.StringIO, delay: float, shown: bool
) -> None:
    with Steps(delay, stream=stream) as steps:
        for done in range(3):
            steps.update("reading templates", done, 3)
    assert ("reading templates" in stream.getvalue()) is shown
