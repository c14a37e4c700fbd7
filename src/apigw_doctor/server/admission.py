"""What API Gateway refuses before routing a request: headers over its size quota.

Data in, answer out (no I/O), so the gateway only asks and sends.  The quotas
(developer guide, "Quotas for configuring and running a REST API" and "... an HTTP
API"): REST counts every header line (names, values, line ends and spaces), 10240
bytes; HTTP APIs count the request line and the headers, 10240 bytes.  What AWS
answers past them is not documented: the REQUEST_TOO_LARGE gateway response (413
``Request Too Long``) is assumed, and the finding says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..catalogue import Finding, finding

#: REST: all header lines; HTTP APIs: the request line and the header lines (bytes)
HEADER_QUOTA_BYTES = 10_240
TOO_LARGE = (413, b'{"message":"Request Too Long"}')


def header_bytes(api: str, method: str, target: str, headers: Sequence[tuple[str, str]]) -> int:
    """The size API Gateway holds against its header quota for this request."""
    size = sum(len(name) + len(value) + 4 for name, value in headers)  # "name: value\r\n"
    if api != "rest":  # HTTP APIs and function URLs count the request line too
        size += len(method) + len(target) + len(" HTTP/1.1\r\n") + 1
    return size


def oversized_headers(
    api: str, method: str, target: str, headers: Sequence[tuple[str, str]]
) -> Finding | None:
    """The finding when the request's headers pass API Gateway's quota, else None."""
    size = header_bytes(api, method, target, headers)
    if size <= HEADER_QUOTA_BYTES:
        return None
    counted = "header lines" if api == "rest" else "request line and headers"
    return finding("GW784", size=size, limit=HEADER_QUOTA_BYTES, counted=counted)
