"""Every profile mistake in a DSL's words: the line shown with a caret, and the line as it should be."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policypack.cli import main
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"


def validate_edited(tmp_path: Path, old: str, new: str) -> list[str]:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    shutil.copy(EXAMPLE.parent / "crest.svg", tmp_path / "crest.svg")
    (tmp_path / "school.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "school.yaml")], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output.splitlines()


# (what the DSL did, old text, new text, line:col, message, the line as shown, the fix shown)
MISTAKES = [
    (
        "a tab",
        "    phone: 01632 960 101",
        "\tphone: 01632 960 101",
        "16:1",
        "this line has a tab where YAML needs spaces",
        "  16 | \u2192phone: 01632 960 101",
        "          phone: 01632 960 101",
    ),
    (
        "indented too far",
        "    phone: 01632 960 101",
        "      phone: 01632 960 101",
        "16:7",
        "this line is indented further than the line above, which already has its value",
        "  16 |       phone: 01632 960 101",
        "            phone: 01632 960 101",
    ),
    (
        "not indented far enough",
        "    phone: 01632 960 101",
        "   phone: 01632 960 101",
        "16:4",
        "this line is not lined up with the keys above it",
        "  16 |    phone: 01632 960 101",
        "            phone: 01632 960 101",
    ),
    (
        "a colon inside a value",
        "  name: Oakfield Academy",
        "  name: Oakfield Academy: a school",
        "7:9",
        "this value has a colon in it, which YAML reads as the start of another key",
        "  7 |   name: Oakfield Academy: a school",
        '          name: "Oakfield Academy: a school"',
    ),
    (
        "no colon after the key",
        "    phone: 01632 960 101",
        "    phone 01632 960 101",
        "16:5",
        "this line has no colon after its key",
        "  16 |     phone 01632 960 101",
        "            phone: 01632 960 101",
    ),
    (
        "a quote never closed",
        "  name: Oakfield Academy",
        '  name: "Oakfield Academy',
        "7:9",
        "a quote opened on this line is never closed",
        '  7 |   name: "Oakfield Academy',
        '          name: "Oakfield Academy"',
    ),
    (
        "a list where a value goes",
        "  name: Oakfield Academy",
        "  name: - Oakfield Academy",
        "7:9",
        "a list item ('- ') where a single value goes",
        "  7 |   name: - Oakfield Academy",
        "          name: ...",
    ),
    (
        "an unquoted colour",
        'oak-blue: "#1b4965"',
        "oak-blue: #1b4965",
        "72:17",
        "'oak-blue' is empty: YAML reads #1b4965 and the rest of the line as a comment",
        "  72 |       oak-blue: #1b4965",
        None,
    ),
]


@pytest.mark.parametrize(
    ("mistake", "old", "new", "where", "message", "shown", "fix"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_yaml_mistakes_are_explained_with_the_line_a_caret_and_the_fix(
    tmp_path: Path, mistake: str, old: str, new: str, where: str, message: str, shown: str, fix: str | None
) -> None:
    lines = validate_edited(tmp_path, old, new)
    first = next(index for index, line in enumerate(lines) if ": error: " in line)
    assert lines[first].endswith(f"school.yaml:{where}: error: {message}"), lines[first]
    assert lines[first + 1] == shown
    col = int(where.split(":")[1])
    caret = lines[first + 2]
    assert caret.endswith("^") and caret.index("^") == shown.index("|") + 1 + col, "the caret is under the column"
    assert lines[first + 3].startswith("  hint: ")
    if fix is not None:
        assert fix in lines[first + 4 :], lines
    assert not any(word in "\n".join(lines) for word in ("scanning", "token", "block end", "mapping values"))


@pytest.mark.parametrize("nation", ["Scotland", "scotland", "Northern Ireland", "NI"])
def test_scotland_and_northern_ireland_are_not_covered_yet(tmp_path: Path, nation: str) -> None:
    lines = validate_edited(tmp_path, "  nation: england", f"  nation: {nation}")
    assert any(
        line.endswith(
            ":8:3: error: 'school.nation': Scotland and Northern Ireland are not covered yet: their "
            "guidance differs, and policypack has England's and Wales's only"
        )
        for line in lines
    ), lines


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("  review_interval_months: 12", "  review_interval_months: 1 year", "'1 year' is not a whole number"),
        ("  phase: secondary", "  phase: infants", "'infants' is not one of the choices: nursery, primary"),
        ("  name: Oakfield Academy", "  name:\n    - Oakfield Academy", "a list ('- ' items) where one value goes"),
        (
            "  deputies:\n    - name: Mr Tom Ellis\n      phone: 01632 960 102\n"
            "      email: t.ellis@oakfield.example.org\n"
            "    - name: Mrs Grace Okafor\n      phone: 01632 960 103\n      email: g.okafor@oakfield.example.org",
            "  deputies:\n    name: Mr Tom Ellis\n    phone: 01632 960 102\n    email: t.ellis@oakfield.example.org",
            "a group of keys where a list goes",
        ),
    ],
)
def test_type_mistakes_say_what_was_written_and_what_goes_there(tmp_path: Path, old: str, new: str, says: str) -> None:
    lines = validate_edited(tmp_path, old, new)
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and says in errors[0], lines
    assert "valid" not in errors[0] and "Input should" not in errors[0] and "integer" not in errors[0]
    assert lines[lines.index(errors[0]) + 2].strip().endswith("^")
