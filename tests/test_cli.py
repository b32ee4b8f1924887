"""The command line: exit codes, messages, JSON output and help, as a user sees them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from policypack.cli import main

Cli = Callable[..., Result]


def test_validate_with_no_arguments_checks_the_bundled_flows(cli: Cli) -> None:
    result = cli("validate")
    assert result.exit_code == 0, result.output
    # The bundled registry's dated watch items are due on the pinned date: warnings, not errors.
    assert "error" not in result.stdout
    assert "warning: watch item 'mandatory-reporting-duty' fell due on 2026-11-01" in result.stdout


def test_validate_reports_file_line_and_hint_and_exits_1(cli: Cli) -> None:
    result = cli("validate", "tests/data/broken/missing-next.yaml")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "tests/data/broken/missing-next.yaml:8:88: error: 'next' points to unknown step 'tell-dls'"
    assert lines[1] == "  hint: did you mean 'tell-dsl'?"
    assert lines[-1] == "2 errors found"


def test_validate_json_is_a_list_of_located_problems(cli: Cli) -> None:
    result = cli("validate", "--json", "tests/data/broken/unknown-lane.yaml")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems == [
        {
            "file": "tests/data/broken/unknown-lane.yaml",
            "line": 8,
            "col": 30,
            "severity": "error",
            "message": "unknown lane 'stafff'",
            "hint": "did you mean 'staff'?",
        }
    ]


def test_validate_json_of_clean_input_is_an_empty_list(cli: Cli) -> None:
    result = cli("validate", "--json", "tests/data/good")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_a_missing_path_exits_1_with_a_message(cli: Cli) -> None:
    result = cli("validate", "no/such/flows")
    assert result.exit_code == 1
    assert "no/such/flows: error: no such file or folder" in result.stdout


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("validate", "--no-such-option").exit_code == 2
    assert cli("show").exit_code == 2
    assert cli("schema", "poster").exit_code == 2


def test_show_prints_the_numbered_outline_by_id(cli: Cli) -> None:
    result = cli("show", "england-dsl-review", "--brief")
    assert result.exit_code == 0, result.output
    assert "3. Criterion 1: is an adult involved?  Yes, or unsure → 4 · No → 6" in result.stdout


def test_show_accepts_a_path_and_prints_json(cli: Cli) -> None:
    result = cli("show", "tests/data/good/small.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "small"
    assert [s["id"] for s in data["steps"]] == ["discovered", "tell-dsl", "refer", "police", "in-school", "record"]


def test_show_of_an_unknown_id_suggests_the_nearest(cli: Cli) -> None:
    result = cli("show", "england-dsl-revie")
    assert result.exit_code == 1
    assert "error: no bundled flow with id 'england-dsl-revie'" in result.stderr
    assert "hint: did you mean 'england-dsl-review'?" in result.stderr


def test_show_of_a_broken_flow_lists_its_problems_on_stderr(cli: Cli) -> None:
    result = cli("show", "tests/data/broken/loop.yaml")
    assert result.exit_code == 1
    assert "tests/data/broken/loop.yaml:18:6: error: steps loop with no way out" in result.stderr
    assert result.stdout == ""


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("policypack, version ")


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_every_help_says_what_it_does_with_an_example(cli: Cli, command: str | None) -> None:
    result = cli(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert "policypack " in result.stdout.split("Example:", 1)[1]


def test_an_internal_error_is_one_line_and_a_traceback_only_with_vv(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("policypack.cli.validate_paths", broken)
    result = cli("validate")
    assert result.exit_code == 1
    assert "policypack: internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" in cli("-vv", "validate").stderr


def test_init_checks_each_answer_as_it_goes_and_speaks_the_nations_terms(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policypack.cli import main

    answers = [
        "Ysgol Bryn Derw",
        "Scotland",  # not one policypack covers: asked again
        "Wales",  # any case: written as 'wales'
        "Primary",
        "1 Ffordd y Llan, Caerdydd",
        "Mrs A Arweinydd",
        "phone me",  # asked again
        "029 2000 1234 ext 22",
        "dsp@ysgol.example.org",
        "Mr B Dirprwy",
        "029 2000 1235",
        "dirprwy@ysgol.example.org",
        "Mrs C Pennaeth",
        "Dr D Cadeirydd",
        "Cardiff Children's Services",
        "029 2053 6490",
        "South Wales Police",
        "101",
        "1/9/2026",  # asked again: dates are YYYY-MM-DD
        "2026-09-01",
        "Full governing board",
    ]
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--interactive"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Scotland and Northern Ireland are not covered yet" in result.stderr and "please try again" in result.stderr
    assert "a phone number is digits" in result.stderr and "YYYY-MM-DD" in result.stderr
    assert "Designated safeguarding person: name" in result.output
    assert "Local authority social services front door: name" in result.output
    check = CliRunner().invoke(main, ["validate", str(tmp_path / "school.yaml")])
    assert check.exit_code == 0, check.output  # every answer landed, none left a placeholder
    text = (tmp_path / "school.yaml").read_text()
    assert '"wales"' in text and '"primary"' in text
