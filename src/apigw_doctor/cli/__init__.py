"""The ``apigw-doctor`` command line: thin adapters around the rules core.

Each command lives in its own module, imported only when that command runs
(``serve`` needs uvicorn and starlette, ``aws`` boto3, ``scan`` the runtime):
``--help`` and ``lint`` should not pay for them.  The help listing comes from
:data:`COMMANDS`; a test keeps it equal to each command's own short help.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click
from click.utils import make_default_short_help

from .. import __version__


class Entry(NamedTuple):
    """Where a command is defined, and the first paragraph of its help (what
    ``--help`` shortens into the listing, as click would from the command)."""

    module: str  # under apigw_doctor.cli
    attribute: str
    summary: str


#: every command; ``--help`` lists them in name order
COMMANDS: dict[str, Entry] = {
    "aws": Entry(
        "aws",
        "aws",
        "Work on the deployed API: turn on the right logs, audit it, invoke its function.",
    ),
    "check": Entry(
        "check",
        "check",
        "Say exactly what the client receives when the function returned FILE.",
    ),
    "event": Entry(
        "invoke",
        "event",
        "Print the event API Gateway sends for METHOD PATH (like `sam local generate-event`).",
    ),
    "invoke": Entry(
        "invoke",
        "invoke_command",
        "Run the handler TARGET once and say what the API's client would receive.",
    ),
    "lint": Entry(
        "lint", "lint", "Find the code paths in Lambda handlers that API Gateway will reject."
    ),
    "logs": Entry("logs", "logs", "Explain every failed request in API Gateway and Lambda logs."),
    "scan": Entry(
        "scan",
        "scan_command",
        "Find every API handler in PATH that would make API Gateway answer 5xx, and why.",
    ),
    "serve": Entry(
        "serve",
        "serve",
        "Serve handlers over HTTP exactly as API Gateway would, with a request inspector.",
    ),
}


def load_command(name: str) -> click.Command:
    """The command ``name``, importing its module now."""
    entry = COMMANDS[name]
    module = importlib.import_module(f"{__name__}.{entry.module}")
    command = getattr(module, entry.attribute)
    if not isinstance(command, click.Command):  # pragma: no cover - a wrong table row
        raise TypeError(f"{module.__name__}.{entry.attribute} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported when they run, never to list them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing from :data:`COMMANDS`, shortened as click shortens a help text."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, make_default_short_help(COMMANDS[name].summary, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apigw-doctor")
def main() -> None:
    """Find and explain what makes API Gateway answer 502 "Malformed Lambda proxy
    response", before deploy and after.

    Each problem is a finding with a stable code (GWnnn), the rule of API
    Gateway's behind it, how sure that rule is (recorded, documented, peer,
    unknown) and a fix.  Run `apigw-doctor COMMAND --help` for details.
    """
