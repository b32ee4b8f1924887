"""Many schools: failure isolation, incremental skips, parallel workers, trust inheritance."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policypack.batch import build_many
from policypack.load.profile import load_school
from policypack.validate import validate_paths
from tests.conftest import DATA, TODAY, run_cli

TRUST = DATA / "trust"


@pytest.fixture
def trust(tmp_path: Path) -> Path:
    """A private copy of the trust, so tests may edit it."""
    copy = tmp_path / "trust"
    shutil.copytree(TRUST, copy)
    return copy


def schools(trust: Path) -> list[Path]:
    return sorted((trust / "schools").glob("*.yaml"))


@pytest.mark.usefixtures("needs_weasyprint")
def test_one_bad_profile_never_stops_the_others(trust: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", *map(str, schools(trust)), "-o", str(out), "-j", "2")
    assert result.exit_code == 1
    assert result.stdout.strip().endswith("2 built, 0 unchanged, 1 failed"), result.stderr
    assert "broken.yaml:8:3: error: missing required key 'phone'" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["birch-primary-school", "cedar-primary-school"]
    assert "[3/3]" in result.stderr, "plain progress lines when not on a terminal"


@pytest.mark.usefixtures("needs_weasyprint")
def test_an_unchanged_school_is_skipped_and_an_edited_one_rebuilt(trust: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = [p for p in schools(trust) if p.stem != "broken"]
    assert [o.status for o in build_many(good, out, jobs=1, today=TODAY)] == ["built", "built"]
    before = (out / "birch-primary-school" / "staff-card.pdf").stat().st_mtime_ns
    assert [o.status for o in build_many(good, out, jobs=1, today=TODAY)] == ["unchanged", "unchanged"]
    assert (out / "birch-primary-school" / "staff-card.pdf").stat().st_mtime_ns == before
    birch = trust / "schools" / "birch.yaml"
    birch.write_text(birch.read_text().replace("Ms Birch Lead", "Ms Birch Newlead"))
    assert [o.status for o in build_many(good, out, jobs=1, today=TODAY)] == ["built", "unchanged"]
    # a change to what every school shares rebuilds them all
    shared = trust / "trust.yaml"
    shared.write_text(shared.read_text().replace("Acorn Learning Trust board", "Acorn Trust board"))
    assert [o.status for o in build_many(good, out, jobs=1, today=TODAY)] == ["built", "built"]


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_deleted_file_is_rebuilt(trust: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    birch = trust / "schools" / "birch.yaml"
    build_many([birch], out, jobs=1, today=TODAY)
    (out / "birch-primary-school" / "staff-card.pdf").unlink()
    assert [o.status for o in build_many([birch], out, jobs=1, today=TODAY)] == ["built"]
    assert (out / "birch-primary-school" / "staff-card.pdf").is_file()


@pytest.mark.usefixtures("needs_weasyprint")
def test_parallel_and_sequential_builds_give_the_same_bytes(tmp_path: Path) -> None:
    good = [p for p in schools(TRUST) if p.stem != "broken"]
    build_many(good, tmp_path / "one", jobs=1, today=TODAY)
    build_many(good, tmp_path / "two", jobs=2, today=TODAY)
    for path in sorted((tmp_path / "one").rglob("*.*")):
        assert (tmp_path / "two" / path.relative_to(tmp_path / "one")).read_bytes() == path.read_bytes()


def test_a_school_inherits_the_trust_profile_and_overrides_parts() -> None:
    cedar, _ = load_school(TRUST / "schools" / "cedar.yaml")
    birch, _ = load_school(TRUST / "schools" / "birch.yaml")
    assert cedar is not None and birch is not None
    assert cedar.model.contacts.police.name == "Cedar Safer Schools Officer"
    assert birch.model.contacts.police.name == "Anyshire Police"
    assert cedar.model.contacts.childrens_social_care.phone == "01632 960 200"
    assert birch.model.policy.approved_by == "Acorn Learning Trust board"
    assert birch.brand is not None and birch.brand_dir == TRUST.resolve()


def test_a_problem_in_the_shared_profile_is_reported_in_that_file(trust: Path) -> None:
    shared = trust / "trust.yaml"
    shared.write_text(shared.read_text().replace('phone: "101"', "phone: call us"))
    problems = validate_paths([trust / "schools" / "birch.yaml"], TODAY)
    assert [(p.location.file.name, p.location.line) for p in problems] == [("trust.yaml", 8)]
    assert "phone" in problems[0].message


def test_the_trust_folder_validates_as_a_whole() -> None:
    problems = validate_paths([TRUST], TODAY)
    assert {p.location.file.name for p in problems} == {"broken.yaml"}


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_change_to_the_bundled_flows_rebuilds_every_school(
    trust: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    good = [p for p in schools(trust) if p.stem != "broken"]
    build_many(good, out, jobs=1, today=TODAY)
    monkeypatch.setattr("policypack.write.manifest._bundled_digest", lambda: "flows edited")
    assert [o.status for o in build_many(good, out, jobs=1, today=TODAY)] == ["built", "built"]
