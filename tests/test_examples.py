"""The examples a newcomer copies from are complete and valid."""

from __future__ import annotations

from policypack.load.profile import load_school
from tests.conftest import ROOT, run_cli

TRUST = ROOT / "examples" / "trust"


def test_the_trust_example_has_two_schools_that_share_one_trust_file() -> None:
    result = run_cli("validate", str(TRUST))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    schools = sorted(TRUST.glob("*/school.yaml"))
    assert len(schools) == 2
    loaded = [load_school(path) for path in schools]
    assert all(school is not None and not problems for school, problems in loaded), loaded
    models = [school.model for school, _ in loaded if school is not None]
    assert len({m.school.name for m in models}) == 2, "two different schools"
    assert len({m.contacts.childrens_social_care.phone for m in models}) == 1, "one trust's local contacts"
    assert {m.policy.approved_by for m in models} == {"Riverside Learning Trust board"}
    assert all(school.logo is not None for school, _ in loaded if school is not None), "the trust's logo"
