"""Who may read the inspector: it shows every request's headers and bodies, so a web
page elsewhere must not reach it through DNS rebinding, and another machine must not
reach it when the server listens beyond loopback.

Two checks, both exact:

- the Host header names this server: a loopback address or ``localhost``, or an
  address literal when a token is required (a rebinding attack needs a name), or a
  name given with ``--allow-host``; and it carries this server's port.  Names and
  addresses are parsed and compared whole, never by prefix (``127.0.0.1.evil.example``
  is a name, not an address);
- with a token (``serve`` makes one per run when ``--host`` is not loopback), the
  request carries it: ``?token=`` in the URL printed at start-up, after which the page
  sets an HttpOnly cookie limited to the inspector's path, for its own calls.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class InspectorAccess:
    """The inspector's door: exact Host names with their port, and a token if set."""

    #: Host names the user allowed (``--allow-host NAME`` or ``NAME:PORT``)
    allow_hosts: tuple[str, ...] = ()
    #: the per-run token the URL must carry; None: loopback Host names suffice
    token: str | None = None
    path: str = "/__apigw-doctor"

    def refusal(self, request: Request) -> Response | None:
        """None when the request may read the inspector, else the answer it gets."""
        server = request.scope.get("server")
        port = server[1] if server else None
        if not self.host_allowed(request.headers.get("host") or "", port):
            return JSONResponse(
                {"message": "the inspector answers this server's own Host names only "
                            "(loopback; --allow-host NAME for another)"},
                status_code=403,
            )  # fmt: skip
        if self.token is not None and not self._has_token(request, port):
            return JSONResponse(
                {"message": "the inspector needs the token of its URL printed at start-up "
                            "(.../__apigw-doctor/?token=...)"},
                status_code=401,
            )  # fmt: skip
        return None

    def host_allowed(self, host: str, port: int | None) -> bool:
        """Whether a Host header names this server (exactly, port included)."""
        name, given_port = split_host(host)
        if name is None:
            return False
        if name in self.allow_hosts or (
            given_port is not None and f"{name}:{given_port}" in self.allow_hosts
        ):
            return True
        if port is not None and (given_port or 80) != port:
            return False
        if name in _LOOPBACK_NAMES:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return address.is_loopback or self.token is not None

    def _has_token(self, request: Request, port: int | None) -> bool:
        assert self.token is not None
        given = request.query_params.get("token") or request.cookies.get(self.cookie(port)) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def cookie(self, port: int | None) -> str:
        """One cookie per port: browsers share cookies between ports of a host."""
        return f"apigw-doctor-token-{port or 0}"

    def remember(self, request: Request, response: Response) -> Response:
        """The page keeps the token for its own calls (the URL's token, once checked)."""
        if self.token is not None and request.query_params.get("token"):
            server = request.scope.get("server")
            response.set_cookie(
                self.cookie(server[1] if server else None),
                self.token,
                path=self.path,
                httponly=True,
                samesite="strict",
            )
        return response


def split_host(host: str) -> tuple[str | None, int | None]:
    """A Host header's name (lowercased, IPv6 without brackets) and port; (None, None)
    when it is not a valid Host."""
    host = host.strip().lower()
    if host.startswith("["):
        address, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None, None
        name, port_text = address, rest[1:] if rest else None
    else:
        name, colon, port_text = host.partition(":")
        if not colon:
            port_text = None
    valid_port = port_text is None or (
        port_text.isascii() and port_text.isdigit() and len(port_text) < 6
    )
    if not name or not valid_port:
        return None, None
    return name, int(port_text) if port_text is not None else None
