"""The loader: positions of keys and items, safe limits, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from policypack.load.yamlsource import MAX_FILE_BYTES, YamlLoadError, load_yaml_file, parse_yaml

SAMPLE = """\
id: demo
steps:
  - id: first
    next: second
  - id: second
    branches:
      - {label: Yes, to: first}
      - {label: No, to: first}
"""


def test_positions_of_keys_and_list_items() -> None:
    doc = parse_yaml(SAMPLE, Path("demo.yaml"))
    marks = doc.positions.marks
    assert marks[()] == (1, 1)
    assert marks[("id",)] == (1, 1)
    assert marks[("steps", 0)] == (3, 5)
    assert marks[("steps", 0, "next")] == (4, 5)
    assert marks[("steps", 1, "branches", 1, "to")] == (8, 21)


def test_locate_falls_back_to_the_nearest_recorded_parent() -> None:
    doc = parse_yaml(SAMPLE, Path("demo.yaml"))
    where = doc.positions.locate(("steps", 1, "title"))
    assert (where.line, where.col) == (5, 5)


def test_yes_and_no_stay_text_as_branch_labels_need() -> None:
    doc = parse_yaml(SAMPLE + "flag: true\n", Path("demo.yaml"))
    labels = [b["label"] for b in doc.data["steps"][1]["branches"]]
    assert labels == ["Yes", "No"]
    assert doc.data["flag"] is True


def test_dates_load_as_dates_and_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfreviewed: 2026-11-01\n")
    assert str(load_yaml_file(path).data["reviewed"]) == "2026-11-01"


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_file(path)
    assert f"the limit is {MAX_FILE_BYTES:,}" in caught.value.problem.message
    assert caught.value.problem.location.file == path


def test_an_unreadable_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_file(tmp_path)  # a folder, not a file
    assert caught.value.problem.message.startswith("cannot read file")
