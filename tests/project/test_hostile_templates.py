"""Templates built to exhaust their readers: YAML alias bombs, nesting thousands deep,
${self:} cycles. Each is a clear error naming the file (exit 2), in lint, scan and
serve alike, never a hang or a traceback."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from apigw_doctor.project import TemplateError, load_project

SAM = (
    "Transform: AWS::Serverless-2016-10-31\n"
    "Resources:\n"
    "  Fn:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties:\n"
    "      Handler: app.handler\n"
    "      Runtime: python3.12\n"
    "      Events: {Call: {Type: Api, Properties: {Path: /, Method: get}}}\n"
    "      Environment:\n"
    "        Variables:\n"
)
#: "billion laughs": nine levels of nine aliases, 387 million values from 1 KB
BOMB = SAM + "".join(
    f"          {name}: &{name} [{', '.join([f'*{prior}'] * 9) if prior else '1'}]\n"
    for prior, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
SERVERLESS = (
    "service: s\n"
    "provider: {name: aws, runtime: python3.12, environment: {X: '${self:custom.a}'}}\n"
    "functions:\n"
    "  f: {handler: app.handler, events: [{http: {path: /, method: get}}]}\n"
    "custom:\n"
)
DOUBLING = "".join(
    f"  k{i}: ${{self:custom.k{i + 1}}}${{self:custom.k{i + 1}}}\n" for i in range(40)
)
CHAIN = "".join(f"  k{i}: ${{self:custom.k{i + 1}}}\n" for i in range(3000))

#: (file name, text, what the error says)
HOSTILE = {
    "alias bomb": ("template.yaml", BOMB, "alias bomb"),
    "alias to itself": ("template.yaml", SAM + "          A: &a [*a]\n", "refers to itself"),
    "yaml flow 5000 deep": (
        "template.yaml",
        SAM + "          A: " + "[" * 5000 + "]" * 5000 + "\n",
        "nested deeper",
    ),
    # libyaml's composer recursed until the process died (SIGSEGV) on these
    "yaml flow 200000 deep": (
        "template.yaml",
        SAM + "          A: " + "[a, " * 200_000 + "]" * 200_000 + "\n",
        "nested deeper",
    ),
    "yaml block sequences 200000 deep on one line": (
        "template.yaml",
        SAM + "          A:\n            " + "- " * 200_000 + "x\n",
        "nested deeper",
    ),
    "yaml block 300 deep": (
        "template.yaml",
        SAM + "".join(f"{'  ' * (i + 5)}k{i}:\n" for i in range(300)) + "  " * 305 + "x\n",
        "nested deeper",
    ),
    "json 100000 deep": (
        "template.json",
        '{"Resources": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nested deeper",
    ),
    "json 500 deep": (
        "template.json",
        '{"Resources": {"A": ' + "[" * 500 + "]" * 500 + "}}",
        "nested deeper",
    ),
    "self cycle": (
        "serverless.yml",
        SERVERLESS + "  a: ${self:custom.b}\n  b: ${self:custom.a}\n",
        "refers to itself",
    ),
    "self to itself": (
        "serverless.yml",
        SERVERLESS + "  a: x${self:custom.a}\n",
        "refers to itself",
    ),
    "self doubling": (
        "serverless.yml",
        SERVERLESS.replace("custom.a", "custom.k0") + DOUBLING + "  k40: xx\n",
        "expands past",
    ),
    "self chain 3000": (
        "serverless.yml",
        SERVERLESS.replace("custom.a", "custom.k0") + CHAIN,
        "nests too deeply",
    ),
}


def project(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text)
    (folder / "app.py").write_text("def handler(event, context):\n    return {}\n")
    return folder / name


@pytest.mark.parametrize(("name", "text", "said"), HOSTILE.values(), ids=HOSTILE.keys())
def test_loading_refuses_it_naming_the_file(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    path = project(tmp_path, name, text)
    with pytest.raises(TemplateError, match=said) as refused:
        load_project([tmp_path])
    assert str(path) in str(refused.value)


@pytest.mark.parametrize("command", ["lint", "scan", "serve"])
@pytest.mark.parametrize(
    ("name", "text", "said"),
    [HOSTILE["alias bomb"], HOSTILE["json 100000 deep"], HOSTILE["self cycle"]],
    ids=["alias bomb", "json deep", "self cycle"],
)
def test_every_command_says_so_with_exit_2(
    tmp_path: Path, command: str, name: str, text: str, said: str
) -> None:
    path = project(tmp_path, name, text)
    args = (
        ["serve", str(tmp_path), "--port", "0"] if command == "serve" else [command, str(tmp_path)]
    )
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and said in result.output


def test_file_variables_are_not_read_so_cannot_cycle(tmp_path: Path) -> None:
    """``${file(...)}`` is left as a placeholder (never read), so a file naming
    itself is a note, not a loop."""
    text = SERVERLESS + "  a: ${file(./serverless.yml):custom.a}\n"
    project(tmp_path, "serverless.yml", text)
    loaded = load_project([tmp_path])
    assert loaded.functions[0].environment["X"].startswith("<file(")


def _nested(levels: int, anchor: bool) -> str:
    """A template whose data nests ``levels`` containers deep, root included, in
    block style one space per level (an anchor, if asked, sends it down the
    alias-aware check)."""
    lines = ["Resources:"] + [f"{' ' * i}k{i}:" for i in range(1, levels - 1)]
    lines.append(f"{' ' * (levels - 1)}- {'&x ' if anchor else ''}x")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("anchor", [False, True], ids=["plain", "with-anchor"])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_depth_limit_is_the_same_whatever_checks_it(
    tmp_path: Path, anchor: bool, suffix: str
) -> None:
    """As deep as :data:`DEEPEST` is read; one level more is refused, by either walk."""
    from apigw_doctor.project.files import DEEPEST, read_document

    def written(levels: int) -> Path:
        path = tmp_path / f"t{levels}{suffix}"
        if suffix == ".json":
            body = "1" if not anchor else '"a&b"'
            path.write_text('{"Resources": ' + "[" * (levels - 1) + body + "]" * (levels - 1) + "}")
        else:
            path.write_text(_nested(levels, anchor))
        return path

    assert read_document(written(DEEPEST))
    with pytest.raises(TemplateError, match="nested deeper"):
        read_document(written(DEEPEST + 1))
