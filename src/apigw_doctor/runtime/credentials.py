"""Which AWS account a handler may reach: one policy, for every command.

- ``withheld`` (``scan``'s default): handlers get placeholder credentials and an
  endpoint of ours on loopback (``AWS_ENDPOINT_URL``) that refuses every call and
  records which service and operation was called.  botocore's environment provider
  wins over every other source (``~/.aws``, ``~/.boto``, ``/etc/boto.cfg``, SSO,
  instance metadata), and the shell's variables never reach a worker
  (``environment``), so no credential of this machine can sign a request.
- ``mock`` (``--mock-aws``): moto on loopback stands in for the account.
- ``shell`` (``serve`` and ``invoke``'s default, ``scan --aws``): the account this
  shell reaches, as ``sam local`` does, resolved here and handed to the worker as
  explicit credentials; start-up says which source and profile (never the secret).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

#: credentials that sign nothing anyone accepts; the environment provider wins
PLACEHOLDERS = {
    "AWS_ACCESS_KEY_ID": "AKIAAPIGWDOCTORLOCAL",
    "AWS_SECRET_ACCESS_KEY": "apigw-doctor-placeholder-not-a-secret",
    "AWS_SESSION_TOKEN": "apigw-doctor-placeholder",
}
#: no file of this machine is read for an account or a profile
NO_FILES = {
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/apigw-doctor/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/apigw-doctor/config",
    "BOTO_CONFIG": "/nonexistent/apigw-doctor/boto",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsCall:
    """A call a handler made to AWS while its account was withheld."""

    service: str
    operation: str

    def __str__(self) -> str:
        return f"{self.service} {self.operation}".strip()


class RefusingEndpoint:
    """An AWS endpoint on loopback that refuses every call and remembers it."""

    def __init__(self) -> None:
        self.calls: list[AwsCall] = []
        self._lock = threading.Lock()
        endpoint = self

        class _Refuse(BaseHTTPRequestHandler):
            def _refuse(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1 << 20)) if length else b""
                endpoint.record(_call_of(self.command, self.path, dict(self.headers), body))
                answer = json.dumps(
                    {
                        "__type": "NotCheckedHere",
                        "message": "apigw-doctor withholds AWS from handlers "
                        "(--mock-aws: moto; --aws: your account)",
                    }
                ).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("x-amzn-ErrorType", "NotCheckedHere")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _refuse

            def log_message(self, format: str, *args: Any) -> None:
                return  # the report says what was called

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # stop() waits for the loop to look again: every 50 ms, not the default 500
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def record(self, call: AwsCall) -> None:
        with self._lock:
            self.calls.append(call)

    def since(self, mark: int) -> list[AwsCall]:
        """The calls after the ``mark``-th (``len(endpoint.calls)`` before a run)."""
        with self._lock:
            return list(dict.fromkeys(self.calls[mark:]))

    @property
    def variables(self) -> dict[str, str]:
        """What a worker sees: placeholders, no files, and this endpoint for every service."""
        return {**PLACEHOLDERS, **NO_FILES, "AWS_ENDPOINT_URL": self.url}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def withheld() -> Iterator[RefusingEndpoint]:
    """A refusing endpoint for as long as the block runs."""
    endpoint = RefusingEndpoint()
    endpoint.start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def _call_of(method: str, path: str, headers: dict[str, str], body: bytes) -> AwsCall:
    """The service (from the signature's scope) and operation (from the JSON target, the
    query's Action, or the HTTP method and path of REST protocols) of a request."""
    lowered = {k.lower(): v for k, v in headers.items()}
    scope = _SCOPE.search(lowered.get("authorization", ""))
    service = scope.group(1) if scope else ""
    target = lowered.get("x-amz-target", "")
    if target:
        return AwsCall(service, target.rpartition(".")[2])
    action = parse_qs(path.partition("?")[2]).get("Action") or parse_qs(
        body.decode("utf-8", "replace")
    ).get("Action")
    if action:
        return AwsCall(service, action[0])
    return AwsCall(service, f"{method} {path.partition('?')[0]}")


@dataclass(frozen=True)
class Account:
    """The AWS handlers reach: the variables that say so, and the words for it."""

    variables: dict[str, str]
    description: str  # which source and profile, never the secret
    endpoint: RefusingEndpoint | None = None  # withheld: the calls it refused


#: the three policies, by the flag that picks them
WITHHELD, MOCK, SHELL = "withheld", "mock", "shell"


@contextmanager
def account(policy: str, resources: Sequence[Any] = ()) -> Iterator[Account]:
    """The account for as long as the block runs (a refusing endpoint, or moto)."""
    if policy == MOCK:
        from .mock_aws import mock_aws  # moto: only when asked for

        with mock_aws(list(resources)) as variables:
            yield Account(variables, f"moto's mock AWS at {variables['AWS_ENDPOINT_URL']}")
    elif policy == SHELL:
        yield shell_account()
    else:
        with withheld() as endpoint:
            description = (
                "none: placeholder credentials and a loopback endpoint that refuses and "
                "reports every call"
            )
            yield Account(endpoint.variables, description, endpoint)


def shell_account() -> Account:
    """Resolve this shell's credentials once (botocore's chain), to hand them to workers
    as explicit variables: the workers themselves never read the shell's files."""
    try:
        import botocore.session
        from botocore.exceptions import BotoCoreError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return Account({**PLACEHOLDERS, **NO_FILES}, "none (botocore is not installed)")
    session = botocore.session.get_session()
    profile = session.get_config_variable("profile") or "default"
    try:
        found = session.get_credentials()
    except (BotoCoreError, ValueError, OSError) as exc:
        return Account(
            {**PLACEHOLDERS, **NO_FILES}, f"none: this shell's credentials failed ({exc})"
        )
    if found is None:
        return Account({**PLACEHOLDERS, **NO_FILES}, "none found in this shell (no credentials)")
    frozen = found.get_frozen_credentials()
    variables = {
        "AWS_ACCESS_KEY_ID": frozen.access_key,
        "AWS_SECRET_ACCESS_KEY": frozen.secret_key,
        **({"AWS_SESSION_TOKEN": frozen.token} if frozen.token else {}),
        **NO_FILES,
    }
    key = frozen.access_key or ""
    shown = f"key ending {key[-4:]}" if len(key) > 8 else "a key"
    return Account(
        variables, f"this shell's account: profile {profile}, {shown}, from {found.method}"
    )
