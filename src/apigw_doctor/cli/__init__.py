"""The ``apigw-doctor`` command line: thin adapters around the rules core."""

from __future__ import annotations

import click

from .. import __version__
from .aws import aws
from .check import check
from .invoke import event, invoke_command
from .lint import lint
from .logs import logs
from .scan import scan_command
from .serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apigw-doctor")
def main() -> None:
    """Find and explain what makes API Gateway answer 502 "Malformed Lambda proxy
    response", before deploy and after.

    Each problem is a finding with a stable code (GWnnn), the rule of API
    Gateway's behind it, how sure that rule is (recorded, documented, peer,
    unknown) and a fix.  Run `apigw-doctor COMMAND --help` for details.
    """


main.add_command(check)
main.add_command(event)
main.add_command(invoke_command)
main.add_command(lint)
main.add_command(scan_command)
main.add_command(serve)
main.add_command(aws)
main.add_command(logs)
