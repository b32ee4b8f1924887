"""`policypack schema`: a standard JSON Schema that accepts the bundled files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from jsonschema import Draft202012Validator

from policypack.load.flows import flow_files
from policypack.load.yamlsource import load_yaml_file
from tests.conftest import DATA, FLOWS, ROOT


def as_json_data(path: Path) -> Any:
    """YAML data as an editor's schema validator sees it (dates are text)."""
    return json.loads(json.dumps(load_yaml_file(path).data, default=str))


def schema_from_cli(cli: Callable[..., Result], kind: str) -> dict[str, Any]:
    result = cli("schema", kind)
    assert result.exit_code == 0
    schema: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("path", flow_files(FLOWS) + flow_files(DATA / "good"), ids=lambda p: p.name)
def test_the_flow_schema_accepts_every_good_flow(cli: Callable[..., Result], path: Path) -> None:
    validator = Draft202012Validator(schema_from_cli(cli, "flow"))
    assert list(validator.iter_errors(as_json_data(path))) == []


def test_the_flow_schema_rejects_an_unknown_key(cli: Callable[..., Result]) -> None:
    validator = Draft202012Validator(schema_from_cli(cli, "flow"))
    assert not validator.is_valid(as_json_data(DATA / "broken" / "unknown-key.yaml"))


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "examples" / "oakfield" / "school.yaml",
        DATA / "trust" / "schools" / "birch.yaml",
        DATA / "trust" / "schools" / "cedar.yaml",
    ],
    ids=lambda p: p.name,
)
def test_the_profile_schema_accepts_school_profiles(cli: Callable[..., Result], path: Path) -> None:
    validator = Draft202012Validator(schema_from_cli(cli, "profile"))
    data = as_json_data(path)
    if "extends" in data:  # a trust school is complete only with its shared profile
        shared = as_json_data((path.parent / data["extends"]).resolve())
        data = {**shared, **data, "contacts": shared["contacts"], "policy": {**shared["policy"], **data["policy"]}}
    assert list(validator.iter_errors(data)) == []


def test_the_sources_schema_accepts_the_registry(cli: Callable[..., Result]) -> None:
    validator = Draft202012Validator(schema_from_cli(cli, "sources"))
    assert list(validator.iter_errors(as_json_data(FLOWS / "sources.yaml"))) == []


@pytest.mark.parametrize("kind", ["flow", "sources", "profile"])
def test_the_schema_kept_in_the_repository_is_current(cli: Callable[..., Result], kind: str) -> None:
    kept = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text())
    assert kept == schema_from_cli(cli, kind), "run `make schemas` and commit the result"
