"""`policypack diff`: what changed between two versions of a flow."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from policypack.diff import word_diff
from tests.conftest import DATA, FLOWS, TODAY, Golden

Cli = Callable[..., Result]
OLD, NEW = "tests/data/diff/old.yaml", "tests/data/diff/new.yaml"


def test_text_diff_matches_golden(cli: Cli, golden: Golden) -> None:
    result = cli("diff", OLD, NEW)
    assert result.exit_code == 1, "differences exit 1, as git diff --exit-code does"
    golden("diff-small.txt", result.stdout)


def test_json_diff_names_every_kind_of_change(cli: Cli) -> None:
    data = json.loads(cli("diff", OLD, NEW, "--format", "json").stdout)
    assert [s["id"] for s in data["added"]] == ["support"]
    assert [s["id"] for s in data["removed"]] == ["in-school"]
    changes = {s["id"]: [c["kind"] for c in s["changes"]] for s in data["changed"]}
    assert changes == {"tell-dsl": ["reworded"], "refer": ["rewired", "citations"], "record": ["rewired", "changed"]}
    assert data["flow"] == [{"field": "edition", "old": "March 2024", "new": "September 2026"}]


def test_a_flow_against_itself_has_no_changes(cli: Cli) -> None:
    assert cli("diff", OLD, OLD).stdout == "small-old: no changes\n"


def test_word_level_rewording() -> None:
    assert (
        word_diff("Tell the DSL at once", "Tell the DSL or a deputy at once") == "Tell the DSL {+or a deputy+} at once"
    )
    assert word_diff("keep it", "delete it") == "[-keep-] {+delete+} it"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a copy of the bundled flows, committed once."""
    shutil.copytree(FLOWS, tmp_path / "flows")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "flows")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_one_edited_step_is_exactly_what_the_diff_shows(cli: Cli, repo: Path) -> None:
    flow = repo / "flows" / "england" / "dsl-review.yaml"
    flow.write_text(
        flow.read_text().replace(
            "Hold an initial review with the staff concerned", "Hold an initial review with the staff involved"
        )
    )
    result = cli("diff", "HEAD:flows/england/dsl-review.yaml", "flows/england/dsl-review.yaml")
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        "england-dsl-review\n"
        "  changed step 2: initial-review\n"
        "    title reworded: Hold an initial review with the staff [-concerned-] {+involved+}\n"
    )
    # Wales inherits the step, so its chart changes too, with nothing written twice
    wales = cli("diff", "HEAD:flows/wales/dsl-review.yaml", "flows/wales/dsl-review.yaml").stdout
    assert "[-concerned-] {+involved+}" in wales


def test_an_unknown_revision_is_a_clear_error(cli: Cli, repo: Path) -> None:
    result = cli("diff", "no-such-rev:flows/england/dsl-review.yaml", "flows/england/dsl-review.yaml")
    assert result.exit_code == 1
    assert "git ls-tree failed" in result.stderr


def test_a_changelog_must_cover_the_current_edition(tmp_path: Path) -> None:
    from policypack.validate import validate_paths

    shutil.copytree(DATA / "diff", tmp_path / "flows")
    flow = tmp_path / "flows" / "new.yaml"
    flow.write_text(
        flow.read_text().replace(
            "terms:", "changelog:\n  - {edition: March 2024, date: 2026-03-01, changes: [First edition.]}\nterms:"
        )
    )
    problems = validate_paths([flow], TODAY)
    assert [(p.location.line, p.message) for p in problems] == [
        (7, "the newest changelog entry is for 'March 2024', not this edition 'September 2026'")
    ]
