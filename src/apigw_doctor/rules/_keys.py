"""The top-level keys of a proxy response, per payload format (spec R2, V1), and what
a header name may be.

A module of its own so the guard can read them without importing the rules core.
"""

import re

#: an HTTP header name (RFC 9110 token): anything else cannot be sent (R6)
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: what no HTTP header value can hold: control characters (NUL, CR, LF...) but the tab
HEADER_VALUE_FORBIDDEN = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

V1_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
V2_KEYS = frozenset({"statusCode", "headers", "cookies", "body", "isBase64Encoded"})
#: the keys of each API kind (REST also takes SAM CLI's base64Encoded alias, R2 peer)
KEYS_BY_KIND = {
    "rest": V1_KEYS | {"base64Encoded"},
    "http-1.0": V1_KEYS,
    "http-2.0": V2_KEYS,
    "function-url": V2_KEYS,
}
