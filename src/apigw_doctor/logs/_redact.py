"""Keeping secrets out of what the report prints: credentials in headers, bearer
tokens, JWTs and AWS access keys, wherever they appear in a logged line."""

from __future__ import annotations

import re

_RULES = (
    (
        re.compile(
            r"(?i)\b(authorization|cookie|set-cookie|x-api-key|x-amz-security-token|"
            r"proxy-authorization)(\"?\s*[:=]\s*\"?)([^\",}\r\n]+)"
        ),
        r"\1\2[REDACTED]",
    ),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]+=*"), "Bearer [REDACTED]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"), "[REDACTED-JWT]"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "[REDACTED-AWS-KEY]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
