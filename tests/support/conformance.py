"""Loading ``shared/conformance/cases.json`` and comparing a response to a case.

The comparison follows ``shared/conformance/README.md``: header names compare
case-insensitively, repeated lines join with ``, `` except Set-Cookie, and a
body is compared as text, as base64 bytes, or as parsed JSON.
"""

from __future__ import annotations

import base64
import copy
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("APIGW_DOCTOR_SHARED", ROOT.parent / "shared"))
CASES_FILE = SHARED / "conformance" / "cases.json"


def load_cases() -> list[dict[str, Any]]:
    if not CASES_FILE.is_file():
        raise FileNotFoundError(
            f"conformance cases not found at {CASES_FILE}: clone the project beside "
            "shared/, or point APIGW_DOCTOR_SHARED at the shared folder"
        )
    cases: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return cases


def returned_value(case: dict[str, Any]) -> Any:
    """The case's result, with its body filler applied for size cases."""
    returned = copy.deepcopy(case["returned"])
    if "body_filler_bytes" in case:
        returned["body"] = "a" * case["body_filler_bytes"]
    return returned


def header_view(headers: Sequence[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Header lines as HTTP reads them: lowercased names, repeats joined."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value)
    return {
        name: values if name == "set-cookie" else ", ".join(values)
        for name, values in grouped.items()
    }


def assert_matches_case(
    case: dict[str, Any],
    status: int,
    failed: bool | None,
    headers: Sequence[tuple[str, str]],
    body: bytes,
) -> None:
    expect = case["expect"]
    where = f"case {case['id']}"
    assert status == expect["status"], f"{where}: status {status}, expected {expect['status']}"
    if failed is not None and "failed" in expect:
        assert failed == expect["failed"], f"{where}: failed={failed}"
    seen = header_view(headers)
    for name, value in (expect.get("headers") or {}).items():
        lower = name.lower()
        assert lower in seen, f"{where}: header {name} missing from {seen}"
        if lower == "set-cookie" and isinstance(value, str):
            value = [value]
        assert seen[lower] == value, f"{where}: header {name}: {seen[lower]!r} != {value!r}"
    if expect.get("body") is not None:
        assert body == expect["body"].encode("utf-8"), f"{where}: body {body[:200]!r}"
    if expect.get("body_base64") is not None:
        assert body == base64.b64decode(expect["body_base64"]), f"{where}: body {body[:200]!r}"
    if "body_json" in expect:
        assert json.loads(body) == expect["body_json"], f"{where}: body {body[:200]!r}"
