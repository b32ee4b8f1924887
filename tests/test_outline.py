"""The numbered outline (`show`): golden text, and the normalised JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from policypack.check.flows import check_flow_set
from policypack.load.flows import load_flow_set
from policypack.render.outline import outline_data, outline_text
from tests.conftest import DATA, TODAY, Golden

SMALL = load_flow_set(DATA / "good")


@pytest.mark.parametrize("flow_id", ["small", "small-wales"])
@pytest.mark.parametrize("brief", [False, True])
def test_outline_matches_golden_text(flow_id: str, brief: bool, golden: Golden) -> None:
    doc = SMALL.find(flow_id)
    assert doc is not None
    text = outline_text(doc.model, SMALL.source_map(), brief=brief)
    golden(f"outline-{flow_id}{'-brief' if brief else ''}.txt", text)


def test_json_has_steps_in_route_order_with_sources_resolved() -> None:
    doc = SMALL.find("small")
    assert doc is not None
    data = outline_data(doc.model, SMALL.source_map())
    assert [s["number"] for s in data["steps"]] == [1, 2, 3, 4, 5, 6]
    decision = data["steps"][2]
    assert decision["kind"] == "decision"
    assert decision["branches"] == [
        {"label": "Yes", "to": "police", "number": 4},
        {"label": "No", "to": "in-school", "number": 5},
    ]
    citation = data["steps"][1]["citations"][0]
    assert citation["source"]["short"] == "Test advice 2024"
    assert citation["state"] == "pending"
    assert citation["pending"] == "read para 4"
    assert data["steps"][1]["lane"] == {"id": "staff", "name": "All staff"}


def test_a_variant_inherits_routes_and_swaps_terms_and_sources() -> None:
    england, wales = SMALL.find("small"), SMALL.find("small-wales")
    assert england is not None and wales is not None
    assert [s.id for s in wales.model.steps] == [s.id for s in england.model.steps]
    assert wales.model.steps[1].title == "Tell the DSP at once"
    assert {c.source for s in wales.model.steps for c in s.cites} == {"statute"}
    assert wales.model.steps[3].text == "Use the school's own procedures in Wales."


def test_problems_in_inherited_steps_point_at_the_file_that_wrote_them(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text((DATA / "good" / "sources.yaml").read_text())
    (tmp_path / "base.yaml").write_text((DATA / "good" / "small.yaml").read_text())
    variant = (DATA / "good" / "small-wales.yaml").read_text() + "  - id: police\n    lane: nowhere\n"
    (tmp_path / "variant.yaml").write_text(variant)
    problems = check_flow_set(load_flow_set(tmp_path), TODAY)
    assert [(p.location.file.name, p.location.line, p.message) for p in problems] == [
        ("variant.yaml", 13, "unknown lane 'nowhere'")
    ]


def test_a_patch_that_breaks_a_step_is_an_error_at_the_patch(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text((DATA / "good" / "sources.yaml").read_text())
    (tmp_path / "base.yaml").write_text((DATA / "good" / "small.yaml").read_text())
    variant = (
        (DATA / "good" / "small-wales.yaml")
        .read_text()
        .replace("    text: Use the school's own procedures in Wales.", "    text: null")
    )
    (tmp_path / "variant.yaml").write_text(variant)
    problems = check_flow_set(load_flow_set(tmp_path), TODAY)
    assert [(p.location.file.name, p.location.line, p.message) for p in problems] == [
        ("variant.yaml", 11, "'text': nothing where one value goes")
    ]
