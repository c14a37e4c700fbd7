"""Each fixture marks the lines where lint must report (`# expect: CODE`);
every other line must stay quiet."""

import re
from pathlib import Path

import pytest

from apigw_doctor.lint import lint_source

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expected(source: str) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found |= {(number, code.strip()) for code in match.group(1).split(",")}
    return found


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.py")), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    source = path.read_text()
    reported = {(f.line, f.code) for f in lint_source(source, str(path))}
    assert reported == expected(source)
