"""Checks in the browser (issue 20 item 1): a trust's safeguarding lead records a check of a pending
part, and it is written into the checks file the CLI reads, for every school of the trust that has it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.test import Client

from policypack.build import school_flow_set
from policypack.check.pending import pending_report
from policypack.portal.schools import store
from policypack.portal.schools.models import AuditEvent
from policypack.portal.schools.store import import_profile
from tests.portal.conftest import EXAMPLE, Tenant
from tests.portal.test_signoff import TODAY


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())


def test_a_check_recorded_in_the_browser_is_written_for_every_school_of_the_trust(
    tenant: Tenant, other: Tenant, client_as: Callable[[Any], Client]
) -> None:
    second = import_profile(EXAMPLE, tenant.trust, None)
    admin = tenant.users["trust-admin"]
    admin.first_name, admin.last_name = "Ann", "Example"
    admin.save()
    client = client_as(admin)
    url = f"/trusts/{tenant.trust.pk}/checks/"
    page = client.get(url).content.decode()
    assert "Never ask a child to show, send or download it" in page and "2 schools" in page
    before = pending_report(school_flow_set(tenant.school.profile_path), TODAY).pending
    claim = next(c for c in before if c.step == "do-not-ask")
    part = "|".join((claim.flow, claim.step, claim.source, claim.text))
    form = {"part": part, "checked_on": "2026-12-02", "edition": "March 2024 edition", "place": "Section 2.4"}
    assert client.post(url, {**form, "checked_on": "2027-01-01"}).status_code == 400  # not in the future
    assert client.post(url, {**form, "place": " "}).status_code == 400
    assert client.post(url, {**form, "part": "x|y|z|0badc0de"}).status_code == 400  # only a pending part
    done = client.post(url, form)
    assert done.status_code == 200 and "Check recorded for 2 schools" in done.content.decode()
    for school in (tenant.school, second):
        assert store.read_data(school)["policy"]["checks"] == "checks.yaml"
        (entry,) = yaml.safe_load((school.folder / "checks.yaml").read_text(encoding="utf-8"))["checks"]
        assert entry["by"] == {"role": "Trust safeguarding lead", "name": "Ann Example"}
        assert (entry["step"], entry["place"], entry["text"]) == ("do-not-ask", "Section 2.4", claim.text)
        after = pending_report(school_flow_set(school.profile_path), TODAY).pending
        assert claim not in after and len(after) == len(before) - 1  # the CLI reads the same file
        assert AuditEvent.objects.filter(school=school, action="check.recorded", actor_label=admin.email).exists()
    assert not (other.school.folder / "checks.yaml").exists()  # another trust's school is untouched
    assert client.post(url, form).status_code == 400  # no longer pending
    for user in (tenant.users["dsl"], tenant.users["approver"], other.users["trust-admin"]):
        assert client_as(user).get(url).status_code == 404
        assert client_as(user).post(url, form).status_code == 404
