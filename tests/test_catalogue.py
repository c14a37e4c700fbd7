"""The finding catalogue: every row is complete and renders."""

import string

import pytest

from apigw_doctor.catalogue import CATALOGUE, CONFIDENCES, SEVERITIES, finding

RULE_IDS = {
    *(f"R{i}" for i in range(1, 14)),
    *(f"H{i}" for i in range(1, 6)),
    *(f"V{i}" for i in range(1, 7)),
    *(f"U{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 9)),
    *(f"G{i}" for i in range(1, 8)),
    *(f"C{i}" for i in range(1, 4)),  # CORS (docs/gateway-rules.md)
    *(f"A{i}" for i in range(1, 4)),  # authorizers (docs/gateway-rules.md)
    *(f"Q{i}" for i in range(1, 3)),  # requests API Gateway refuses (docs/gateway-rules.md)
    "L1",
    "L2",
    "L3",
    "F1",
    "F2",
    "F3",
}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_row_is_complete(code: str) -> None:
    row = CATALOGUE[code]
    assert row.code == code and code.startswith("GW") and len(code) == 5
    assert row.severity in SEVERITIES and row.confidence in CONFIDENCES
    assert row.rule in RULE_IDS
    assert row.message and row.fix
    if row.confidence == "unknown":
        assert "unverified" in row.message, "unknown rules must say so"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_row_renders_with_its_arguments(code: str) -> None:
    row = CATALOGUE[code]
    names = {
        field
        for text in (row.message, row.fix)
        for _, field, _, _ in string.Formatter().parse(text)
        if field
    }
    numeric = {"size", "limit", "integration", "function_timeout"}
    args = {name: 1 if name in numeric else f"<{name}>" for name in names}
    item = finding(code, **args)
    assert "{" not in item.message.replace("{{", "")


def test_slugs_are_unique() -> None:
    slugs = [row.slug for row in CATALOGUE.values()]
    assert len(slugs) == len(set(slugs))


def test_codes_are_unique() -> None:
    """Two entries with one code: the second would silently replace the first."""
    from apigw_doctor.catalogue import _ROWS

    codes = [row.code for row in _ROWS]
    assert len(codes) == len(set(codes))
