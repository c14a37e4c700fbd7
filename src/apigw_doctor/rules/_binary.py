"""Binary media type negotiation and base64 decoding (spec R10-R12).

API Gateway's matching is narrower than HTTP content negotiation, and peers get
it wrong: only the *first* media range of ``Accept`` counts, parameters are
dropped, and a configured type may wildcard only its subtype.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable

_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def first_media_range(accept: str | None) -> str | None:
    """The first range of an Accept header, lowercased, without parameters.

    ``None`` for a missing or malformed header: then nothing is decoded (R11).
    """
    if not accept:
        return None
    media = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    kind, slash, sub = media.partition("/")
    if not slash or not kind or not sub:
        return None
    return media


def type_matches(media: str, configured: str) -> bool:
    """Whether one ``binaryMediaTypes`` entry matches the first Accept range.

    ``image/*`` matches any ``image/...``; a leading ``*`` never matches.
    """
    pattern = configured.strip().lower()
    if pattern.startswith("*"):
        return False
    if pattern.endswith("/*"):
        return media.split("/", 1)[0] == pattern[:-2]
    return media == pattern


def accept_matches(media: str | None, configured: Iterable[str]) -> bool:
    return media is not None and any(type_matches(media, t) for t in configured)


def leading_wildcards(configured: Iterable[str]) -> list[str]:
    """Configured entries that can never match (R11: ``*/*``, ``*/png``)."""
    return [t for t in configured if t.strip().startswith("*")]


def decode_base64(body: str) -> tuple[bytes | None, str | None, bool]:
    """Decode as a strict (Java-style) base64 decoder: ``(bytes, problem, unpadded)``.

    Characters outside the alphabet, or a length no encoder produces, are a
    problem (R12); missing ``=`` padding is accepted but reported as unpadded.
    """
    if not _BASE64.fullmatch(body):
        bad = next(c for c in body if not (c.isascii() and (c.isalnum() or c in "+/=")))
        if bad == "=":
            return None, "'=' padding in the middle of the text", False
        return None, f"character {bad!r} is not in the base64 alphabet", False
    stripped = body.rstrip("=")
    if len(stripped) % 4 == 1:
        return None, f"length {len(stripped)} cannot be base64", False
    unpadded = len(body) % 4 != 0
    if unpadded and len(body) != len(stripped):
        return None, "wrong amount of '=' padding", False
    try:
        data = binascii.a2b_base64(stripped + "=" * (-len(stripped) % 4), strict_mode=True)
    except binascii.Error as exc:
        return None, str(exc), False
    return data, None, unpadded
