"""Every check, on small broken flows kept as files; each marks its expected errors inline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from policypack.validate import validate_paths
from tests.conftest import DATA, TODAY, error_markers

BROKEN = sorted(p for p in (DATA / "broken").glob("*.yaml") if p.name != "sources.yaml")
YAML_LEVEL = sorted((DATA / "yaml").glob("*.yaml"))


@pytest.mark.parametrize("path", BROKEN + YAML_LEVEL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_broken_file_reports_exactly_its_marked_errors_at_their_lines(path: Path) -> None:
    expected = list(error_markers(path))
    assert expected, "sample files must mark what they expect"
    problems = validate_paths([path], TODAY)
    got = [(p.location.line, p.message) for p in problems]
    assert len(got) == len(expected), got
    for (line, message), (want_line, want_message) in zip(got, expected, strict=True):
        assert line == want_line, (message, got)
        assert message.startswith(want_message), got
    assert all(p.location.file == path.resolve() for p in problems)


def test_the_whole_broken_folder_is_reported_in_one_run_sorted(cli: Callable[..., Result]) -> None:
    result = cli("validate", "tests/data/broken")
    assert result.exit_code == 1
    error_lines = [line for line in result.stdout.splitlines() if ": error: " in line]
    expected = [(path, line, message) for path in BROKEN for line, message in error_markers(path)]
    assert len(error_lines) == len(expected)
    for path, line, message in expected:
        prefix = f"tests/data/broken/{path.name}:{line}:"
        assert any(out.startswith(prefix) and message in out for out in error_lines), (prefix, message)
    assert error_lines == sorted(error_lines, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("missing-next.yaml", "did you mean 'tell-dsl'?"),
        ("unknown-lane.yaml", "did you mean 'staff'?"),
        ("unknown-source.yaml", "did you mean 'advice'?"),
        ("continues-unknown.yaml", None),
        ("unknown-term.yaml", "terms defined: {lead}"),
    ],
)
def test_hints_suggest_the_likely_fix(name: str, hint: str | None) -> None:
    problems = validate_paths([DATA / "broken" / name], TODAY)
    assert problems[0].hint == hint


def test_unknown_keys_suggest_a_close_field(tmp_path: Path) -> None:
    flow = (DATA / "good" / "small.yaml").read_text().replace("    next: refer\n", "    nxt: refer\n")
    (tmp_path / "sources.yaml").write_text((DATA / "good" / "sources.yaml").read_text())
    (tmp_path / "flow.yaml").write_text(flow)
    messages = {(p.message, p.hint) for p in validate_paths([tmp_path], TODAY)}
    assert ("unknown key 'nxt'", "did you mean 'next'?") in messages
    # the rest of the file is still checked: without 'next' the action is a dead end
    assert any("dead end" in message for message, _ in messages)


def test_the_good_samples_have_no_problems() -> None:
    assert validate_paths([DATA / "good"], TODAY) == []


def test_a_missing_path_is_a_problem() -> None:
    problems = validate_paths([Path("no/such/place")], TODAY)
    assert [p.message for p in problems] == ["no such file or folder"]


def test_a_folder_without_a_registry_says_so(tmp_path: Path) -> None:
    (tmp_path / "flow.yaml").write_text((DATA / "good" / "small.yaml").read_text())
    messages = [p.message for p in validate_paths([tmp_path], TODAY)]
    assert "missing sources registry" in messages


def test_sources_due_for_checking_are_warnings(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", "2030-01-02")
    result = cli("validate", "tests/data/good")
    assert result.exit_code == 0
    assert "tests/data/good/sources.yaml:11:5: warning: source 'advice' was due to be checked" in result.stdout
    assert result.stdout.strip().endswith("2 warnings found")
    assert cli("validate", "--strict", "tests/data/good").exit_code == 1


def test_a_policy_due_for_review_is_a_warning(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", "2027-09-02")
    result = cli("validate", "examples/oakfield/school.yaml")
    assert result.exit_code == 0
    assert "school.yaml:52:3: warning: the policy was due for review by 2027-09-01" in result.stdout
    monkeypatch.setenv("POLICYPACK_TODAY", "2027-09-01")
    assert "warning" not in cli("validate", "examples/oakfield/school.yaml").stdout


def test_a_stray_registry_far_above_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text((DATA / "good" / "sources.yaml").read_text())
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (deep / "flow.yaml").write_text((DATA / "good" / "small.yaml").read_text())
    assert [p.message for p in validate_paths([deep], TODAY)] == ["missing sources registry"]
