"""What differs between API kinds, as one table (spec §1-3).

Every difference the evaluator needs is a field here, so the evaluator has no
``if api == ...`` branches: adding a kind means adding a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from ._keys import KEYS_BY_KIND, V1_KEYS, V2_KEYS

ApiKind = Literal["rest", "http-1.0", "http-2.0", "function-url"]

REST_FAILURE_BODY = b'{"message": "Internal server error"}'
HTTP_FAILURE_BODY = b'{"message":"Internal Server Error"}'
REST_FAILURE_HEADERS = (
    ("Content-Type", "application/json"),
    ("x-amzn-ErrorType", "InternalServerErrorException"),
)
HTTP_FAILURE_HEADERS = (("Content-Type", "application/json"),)
#: U4: a function URL answers a function error with plain text (the content type is
#: what peer emulators send: LocalStack answers it with werkzeug's default)
URL_ERROR_BODY = b"Internal Server Error"
URL_ERROR_HEADERS = (("Content-Type", "text/plain; charset=utf-8"),)


class ApiProfile(NamedTuple):
    """How one API kind reads a Lambda proxy result."""

    name: ApiKind
    allowed_keys: frozenset[str]
    #: finding for a key outside ``allowed_keys`` (fatal for REST, R2)
    unknown_key_code: str
    #: finding for a missing statusCode (REST defaults to 200, R3; HTTP 1.0 fails, H2)
    status_missing_code: str
    #: payload 2.0 infers a response from anything without statusCode (V2)
    infers_response: bool
    #: REST decodes base64 only on a binaryMediaTypes match (R10); HTTP always (H4)
    negotiates_binary: bool
    base64_invalid_code: str
    body_not_string_code: str
    #: Content-Type added when the function sets none, and the finding saying so
    default_content_type: str
    content_type_code: str
    #: REST writes execution logs; HTTP APIs only access logs (H5)
    writes_execution_log: bool
    failure_status: int
    base64_failure_status: int
    failure_body: bytes
    failure_headers: tuple[tuple[str, str], ...]
    #: keys outside ``allowed_keys`` that deserve their own finding
    unknown_key_overrides: Mapping[str, str] = {}
    #: U1: inferred objects and lists are re-serialised compactly (function URLs)
    compact_inferred: bool = False
    #: U3: a non-string body is sent as its JSON text (function URLs), not a failure
    serialises_object_body: bool = False
    #: F1 vs U4: what a function error looks like to the client
    function_error_status: int | None = None
    function_error_body: bytes | None = None
    function_error_headers: tuple[tuple[str, str], ...] | None = None


_REST = ApiProfile(
    name="rest",
    allowed_keys=KEYS_BY_KIND["rest"],
    unknown_key_code="GW102",
    status_missing_code="GW203",
    infers_response=False,
    negotiates_binary=True,
    base64_invalid_code="GW503",
    body_not_string_code="GW301",
    default_content_type="application/json",
    content_type_code="GW409",
    writes_execution_log=True,
    failure_status=502,
    base64_failure_status=500,
    failure_body=REST_FAILURE_BODY,
    failure_headers=REST_FAILURE_HEADERS,
)

_HTTP_V1 = ApiProfile(
    name="http-1.0",
    allowed_keys=V1_KEYS,
    unknown_key_code="GW103",
    status_missing_code="GW202",
    infers_response=False,
    negotiates_binary=False,
    base64_invalid_code="GW504",
    body_not_string_code="GW301",
    default_content_type="text/plain; charset=utf-8",
    content_type_code="GW410",
    writes_execution_log=False,
    failure_status=500,
    base64_failure_status=500,
    failure_body=HTTP_FAILURE_BODY,
    failure_headers=HTTP_FAILURE_HEADERS,
)

_HTTP_V2 = ApiProfile(
    name="http-2.0",
    allowed_keys=V2_KEYS,
    unknown_key_code="GW104",
    status_missing_code="GW202",
    infers_response=True,
    negotiates_binary=False,
    base64_invalid_code="GW504",
    body_not_string_code="GW302",
    default_content_type="text/plain; charset=utf-8",
    content_type_code="GW410",
    writes_execution_log=False,
    failure_status=500,
    base64_failure_status=500,
    failure_body=HTTP_FAILURE_BODY,
    failure_headers=HTTP_FAILURE_HEADERS,
    unknown_key_overrides={"multiValueHeaders": "GW407"},
)

PROFILES: dict[str, ApiProfile] = {
    "rest": _REST,
    "http-1.0": _HTTP_V1,
    "http-2.0": _HTTP_V2,
    # Function URLs read payload 2.0, with the recorded differences U1-U5.
    "function-url": _HTTP_V2._replace(
        name="function-url",
        body_not_string_code="GW303",
        default_content_type="application/json",
        content_type_code="GW411",
        compact_inferred=True,
        serialises_object_body=True,
        function_error_status=502,
        function_error_body=URL_ERROR_BODY,
        function_error_headers=URL_ERROR_HEADERS,
    ),
}

API_KINDS: tuple[str, ...] = tuple(PROFILES)


def profile_for(api: str) -> ApiProfile:
    """The profile of an API kind; a clear error names the kinds there are."""
    try:
        return PROFILES[api]
    except KeyError:
        raise ValueError(
            f"unknown API kind {api!r}: expected one of {', '.join(API_KINDS)}"
        ) from None
