"""``apigw-doctor serve``: run the API locally, with API Gateway's exact behaviour."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import secrets
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console

from ..project import (
    Note,
    Project,
    Resource,
    TemplateError,
    discover,
    load_project,
    load_template,
)
from ..project.inline import materialise
from ..runtime.credentials import MOCK, SHELL, WITHHELD, Account, account
from ..server.routes import RouteTable
from ._inputs import split_list
from ._options import (
    api_option,
    binary_media_types_option,
    env_vars_option,
    handlers_python,
    inherit_env_option,
    no_aws_option,
    python_option,
    read_env_vars,
    render_notes,
)
from ._progress import Steps


@click.command()
@click.argument("target", required=False)
@click.option(
    "--template",
    "-t",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A SAM template or serverless.yml: serve every Api/HttpApi route in it.",
)
@api_option("API kind (default: rest for TARGET; the template's per route).", default=None)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--stage", help="Stage name (default: prod for REST, $default for HTTP APIs).")
@binary_media_types_option("REST binaryMediaTypes (default: the template's).")
@click.option(
    "--function-timeout",
    type=float,
    help="The function's timeout in seconds (default: the template's, else 3).",
)
@click.option(
    "--integration-timeout",
    type=float,
    default=29.0,
    show_default=True,
    help="Seconds before API Gateway gives up and answers 504.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Warm worker processes (default: one per core).",
)
@click.option("--reload", is_flag=True, help="Restart workers when a .py file changes.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Execution and access logs on stderr.",
)
@env_vars_option()
@click.option(
    "--show-secrets",
    is_flag=True,
    help="Show Authorization, cookies, API keys and tokens in the inspector and the logs "
    "(masked by default).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="A Host name (NAME or NAME:PORT) the inspector answers besides loopback's (repeatable).",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=512,
    show_default=True,
    help="Connections served at once; more get 503, so slow clients cannot use up files.",
)
@click.option(
    "--mock-aws",
    is_flag=True,
    help="Handlers call moto's mock AWS on loopback, with the template's DynamoDB tables, "
    "S3 buckets and SQS queues created, instead of the account this shell can reach "
    "(needs pip install 'moto[server]').",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Run handlers in this process on one thread, without isolation or timeouts, so "
    "breakpoint(), debugpy and IDE debuggers stop in them.",
)
@click.option(
    "--cors",
    "cors_origins",
    metavar="ORIGINS",
    help="Answer browsers' preflights for these origins ('*' or a comma-separated list), as "
    "the API's CORS settings would (default: the template's Cors/CorsConfiguration).",
)
@click.option(
    "--no-auth",
    is_flag=True,
    help="Skip the template's authorizers: every route is open.",
)
@no_aws_option()
@inherit_env_option()
@python_option()
def serve(
    target: str | None,
    template: Path | None,
    api: str | None,
    host: str,
    port: int,
    stage: str | None,
    binary_media_types: str | None,
    function_timeout: float | None,
    integration_timeout: float,
    workers: int | None,
    reload: bool,
    log_format: str,
    env_vars: Path | None,
    show_secrets: bool,
    allow_hosts: tuple[str, ...],
    max_connections: int,
    mock_aws: bool,
    debug: bool,
    cors_origins: str | None,
    no_auth: bool,
    no_aws: bool,
    inherit_env: bool,
    python: str | None,
) -> None:
    """Serve handlers over HTTP exactly as API Gateway would, with a request inspector.

    TARGET is module:function or path/to/file.py:function (every path goes
    to it, as a {proxy+} resource), or a project folder; or give --template to
    serve the routes of a SAM template or serverless.yml (found in the current
    folder when neither is given).  Every route is served, even one whose
    handler does not import: its requests fail as they would in Lambda, and
    the log says why.  Edits are seen by the next request.

    Handlers see the template's environment (none of this shell's:
    --inherit-env) and this shell's AWS account, named at start, as `sam
    local` does (--no-aws: none; --mock-aws: moto).

    Each response is decided by the rules core: a malformed result gets the
    502 (REST) or 500 (HTTP API) AWS sends, with the reason in the log.
    Open http://HOST:PORT/__apigw-doctor/ for the inspector.

    \b
    Examples:
      apigw-doctor serve app.py:handler
      apigw-doctor serve --template template.yaml --port 8080
      apigw-doctor serve app:handler --api http-2.0 --reload
    """
    import uvicorn

    from ..server import RouteTable, ServerConfig, create_app
    from ..server.connections import (
        ACCEPT_BATCH,
        OutOfFiles,
        connection_cap,
        describe,
        guarded_protocol,
        raise_file_limit,
    )

    types = split_list(binary_media_types)
    if target and template:
        raise click.UsageError("give TARGET or --template, not both")
    if mock_aws and no_aws:
        raise click.UsageError("--mock-aws and --no-aws: choose one")
    folder = Path(target) if target and Path(target).is_dir() else None
    resources: list[Resource] = []
    cleanup = contextlib.ExitStack()  # what lives as long as the server
    if not target or folder is not None:
        inline = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        try:
            project = materialise(_project(template, folder), inline)  # code in templates
        except TemplateError as exc:
            raise click.UsageError(str(exc)) from None
        unserved = [
            Note(f.template, f"{f.name}: not served: {f.code_unknown}")
            for f in project.api_functions
            if f.code_unknown
        ]
        render_notes(Console(stderr=True, highlight=False), [*project.notes, *unserved])
        routes = RouteTable.from_project(
            project,
            api=api,
            timeout=function_timeout,
            binary_media_types=types,
            env_vars=read_env_vars(env_vars),
        )
        if not routes.endpoints:
            shown = ", ".join(str(t) for t in project.templates)
            raise click.UsageError(f"{shown}: no Python function behind an API proxy integration")
        base = (template.parent if template else folder or Path.cwd()).resolve()
        folders = [t.parent for t in project.templates]
        runtimes = [f.runtime for f in project.api_functions]
        resources = project.resources
    else:
        assert target is not None
        routes = RouteTable.single(
            target, api or "rest", timeout=function_timeout or 3.0, binary_media_types=types
        )
        base = Path.cwd()
        folders, runtimes = [base], []
    _check_target(routes, base)
    routes = _access(routes, cors_origins, no_auth)
    for warning in routes.warnings:
        click.echo(f"apigw-doctor: warning: {warning}", err=True)
    if debug:
        from ..runtime.in_process import WARNING

        click.echo(f"apigw-doctor: {WARNING}", err=True)
        python_path = None
    else:
        python_path = handlers_python(python, folders, runtimes).command
    if not _is_loopback(host):
        click.echo(
            f"apigw-doctor: warning: listening on {host}, not loopback: other machines can call "
            "your handlers; the inspector answers only with the token of the URL below",
            err=True,
        )
    logging.getLogger("asyncio").addFilter(OutOfFiles())
    logging.getLogger("asyncio").addFilter(OncePerSecond())
    logging.getLogger("uvicorn.error").addFilter(OncePerSecond())
    policy = MOCK if mock_aws else WITHHELD if no_aws else SHELL
    with cleanup, _account(policy, resources) as reached:
        click.echo(f"apigw-doctor: handlers reach AWS as: {reached.description}", err=True)
        routes = routes.with_variables(reached.variables)
        if python_path is not None:
            _say_importable(routes, base, python_path, inherit_env)
        config = ServerConfig(
            routes=routes,
            stage=stage,
            integration_timeout=integration_timeout,
            workers=workers or os.cpu_count() or 1,
            log_format=log_format,
            reload=reload,
            base=base,
            show_secrets=show_secrets,
            allow_hosts=tuple(h.lower() for h in allow_hosts) + _own_name(host),
            inspector_token=None if _is_loopback(host) else secrets.token_urlsafe(18),
            python=python_path,
            debug=debug,
            inherit_env=inherit_env,
        )
        file_limit = raise_file_limit()
        cap = connection_cap(file_limit, config.workers, max_connections)
        if cap < max_connections:
            click.echo(f"apigw-doctor: {describe(cap, file_limit)}", err=True)
        listening = _listen(host, port)
        shown_port = listening.getsockname()[1]
        token = f"?token={config.inspector_token}" if config.inspector_token else ""
        click.echo(
            f"apigw-doctor: serving {len(routes.endpoints)} route(s) on "
            f"http://{host}:{shown_port}/ ; inspector: "
            f"http://{host}:{shown_port}/__apigw-doctor/{token}",
            err=True,
        )
        for endpoint in routes.endpoints:
            click.echo(
                f"  {endpoint.route.method:6} {endpoint.prefix + endpoint.route.resource:28} -> "
                f"{endpoint.function_name}: {endpoint.target} ({endpoint.api})",
                err=True,
            )
        stages = sorted({e.stage for e in routes.endpoints if e.stage and e.stage != "$default"})
        if stages:
            click.echo(
                f"  (the deployed URLs' stage prefix is accepted too: /{stages[0]}/...)", err=True
            )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(config),
                log_level="warning",
                server_header=False,
                access_log=False,  # the gateway writes API Gateway's own access log
                # sourceIp is the TCP peer, as on AWS: never the client's X-Forwarded-For
                proxy_headers=False,
                http=guarded_protocol(cap),  # the cap, and a deadline for headers
                limit_concurrency=cap + 1,  # uvicorn counts the asking connection too
                timeout_keep_alive=5,
                timeout_graceful_shutdown=5,  # Ctrl-C: requests in flight get 5 s
                backlog=ACCEPT_BATCH,  # accepted per wake-up: bounds a flood's descriptors
            )
        )
        try:
            server.run(sockets=[listening])
        except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it caught
            sys.exit(130)


def _listen(host: str, port: int) -> socket.socket:
    """Bind and listen before the banner is printed: when it says "serving", the port
    takes connections (port 0: the one the system chose is printed)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listening = socket.socket(family, kind, proto)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen(2048)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc}") from None
    return listening


@contextlib.contextmanager
def _account(policy: str, resources: list[Resource]) -> Iterator[Account]:
    """The AWS handlers reach (``runtime.credentials``), as long as the server runs."""
    from ..runtime.mock_aws import MockAwsError

    with contextlib.ExitStack() as stack:
        try:
            reached = stack.enter_context(account(policy, resources))
        except MockAwsError as exc:
            raise click.UsageError(str(exc)) from None
        yield reached


def _access(routes: RouteTable, cors_origins: str | None, no_auth: bool) -> RouteTable:
    """--cors and --no-auth applied, and what the authorizers mean locally, said once."""
    from ..project import cors as cors_of

    if cors_origins:
        kinds = {e.api for e in routes.endpoints}
        settings = cors_of.local(cors_origins, "rest" if kinds == {"rest"} else "http")
        routes = routes.with_cors(settings)
    if no_auth:
        return routes.without_auth()
    kinds = {e.auth.kind for e in routes.endpoints if e.auth}
    if kinds & {"jwt", "cognito"}:
        click.echo(
            "apigw-doctor: JWT/Cognito authorizers: tokens are decoded and their expiry and "
            "audience checked, their signatures are not (only AWS can); no token: 401",
            err=True,
        )
    if "iam" in kinds:
        click.echo("apigw-doctor: IAM (SigV4) authorization is not checked locally", err=True)
    missing = sorted({e.auth.name for e in routes.endpoints if e.auth and e.auth.kind in
                      ("token", "request") and e.auth_function is None})  # fmt: skip
    for name in missing:
        click.echo(
            f"apigw-doctor: authorizer {name}: its function is not a Python function of "
            "the template, so requests pass it unchecked",
            err=True,
        )
    return routes


def _own_name(host: str) -> tuple[str, ...]:
    """The name given to --host, which the inspector answers to (an address needs no
    entry: with a token, address literals are answered)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return () if host == "localhost" else (host.lower(),)
    return ()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class OncePerSecond(logging.Filter):
    """The same message at most once a second: a flood of accept errors (out of file
    descriptors) must not fill the disk with stderr."""

    def __init__(self) -> None:
        super().__init__()
        self.last: dict[str, float] = {}
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        if now - self.last.get(key, -1.0) < 1.0:
            self.dropped += 1
            return False
        self.last[key] = now
        if len(self.last) > 1000:
            self.last.clear()
        return True


def _project(template: Path | None, folder: Path | None = None) -> Project:
    """--template's project, else every template under FOLDER or the current folder
    (not above: serving a parent's is a surprise)."""
    where = (folder or Path.cwd()).resolve()
    try:
        if template is not None:
            return load_template(template)
        here = [t for t in discover([where]) if t.is_relative_to(where)]
        if not here:
            raise click.UsageError(
                f"no template under {where}: give a TARGET (app.py:handler) or "
                "--template template.yaml"
            )
        with Steps() as steps:  # shown on a terminal once reading has taken 2 s
            return load_project([where], progress=steps.reading_templates)
    except TemplateError as exc:
        raise click.UsageError(str(exc)) from None


def _say_importable(routes: RouteTable, base: Path, python: str, inherit_env: bool) -> None:
    """Say at start which handlers do not import, and why: they are served all the same,
    and answer as Lambda would (Runtime.ImportModuleError, a 502 or 500)."""
    from ..server.preflight import import_failures

    failures = import_failures(routes.functions, base, python, inherit_shell=inherit_env)
    for cause in sorted(failures.values()):
        click.echo(
            f"apigw-doctor: warning: does not import, its requests fail as in Lambda: {cause}",
            err=True,
        )


def _check_target(routes: object, base: Path) -> None:
    """Fail now, with the reason, when a handler's file does not exist (its module is
    imported by the workers only, never by the gateway process)."""
    from ..server import RouteTable

    assert isinstance(routes, RouteTable)
    for target in sorted({e.target for e in routes.endpoints}):
        module = target.rpartition(":")[0]
        path = base / module if module.endswith(".py") or "/" in module else None
        if path is not None and not path.is_file():
            raise click.UsageError(f"{target!r}: no file {path}")
