"""Checks in the browser (issue 20 item 1): a trust's safeguarding lead records a check of a pending
part, and it is written into the checks file the CLI reads, for every school of the trust that has it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.html
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
    assert done.status_code == 200 and "Check of 1 part recorded for 2 schools" in done.content.decode()
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


def test_one_post_records_a_check_for_several_parts_of_one_source_or_all_of_them(
    tenant: Tenant, client_as: Callable[[Any], Client]
) -> None:
    second = import_profile(EXAMPLE, tenant.trust, None)
    client = client_as(tenant.users["trust-admin"])
    url = f"/trusts/{tenant.trust.pk}/checks/"
    claims = pending_report(school_flow_set(tenant.school.profile_path), TODAY).pending
    # a check is tied to a part's text: two claims of one step on one source are one part to check
    before = list({(c.flow, c.step, c.source, c.text): c for c in claims}.values())
    sources = [c.source for c in before]
    source = max(set(sources), key=sources.count)  # the source most parts rest on
    shared = [c for c in before if c.source == source]
    assert len(shared) >= 3
    page = lxml.html.document_fromstring(client.get(url).content)
    forms = page.xpath("//form[.//button[@value=$source]]", source=source)
    assert len(forms) == 1 and len(page.xpath("//main//form")) == len(set(sources))  # one form a source
    boxes = forms[0].xpath(".//fieldset/input | .//fieldset//input[@type='checkbox']")
    assert len(boxes) == len(shared) and not any(box.get("checked") is not None for box in boxes)  # none ticked
    for box in page.xpath("//input | //textarea"):  # every field is labelled
        if box.get("type") != "hidden":
            assert page.xpath("//label[@for=$id]", id=box.get("id")), box.get("id")
    assert forms[0].xpath("fieldset/legend")

    form = {"checked_on": "2026-12-02", "edition": "March 2024 edition", "place": "Sections 2 and 4"}
    assert client.post(url, form).status_code == 400  # no part ticked
    two = ["|".join((c.flow, c.step, c.source, c.text)) for c in shared[:2]]
    done = client.post(url, {**form, "part": two})
    assert done.status_code == 200 and "Check of 2 parts recorded for 2 schools" in done.content.decode()
    for school in (tenant.school, second):
        entries = yaml.safe_load((school.folder / "checks.yaml").read_text(encoding="utf-8"))["checks"]
        assert [(e["step"], e["place"]) for e in entries] == [(c.step, "Sections 2 and 4") for c in shared[:2]]
        after = {
            (c.flow, c.step, c.source, c.text)
            for c in pending_report(school_flow_set(school.profile_path), TODAY).pending
        }
        assert len(after) == len(before) - 2 and not {(c.flow, c.step, c.source, c.text) for c in shared[:2]} & after
        assert AuditEvent.objects.filter(school=school, action="check.recorded").count() == 2
    assert client.post(url, {**form, "part": two}).status_code == 400  # no longer pending: nothing written twice

    everything = client.post(url, {**form, "every": source, "part": two[:1]})  # all of the source, ticked or not
    assert f"Check of {len(shared) - 2} parts recorded" in everything.content.decode()
    entries = yaml.safe_load((second.folder / "checks.yaml").read_text(encoding="utf-8"))["checks"]
    of_source = [c for c in claims if c.source == source]
    assert len(entries) == len(of_source) > len(shared)  # a part two citations share is two claims to the CLI
    left = pending_report(school_flow_set(second.profile_path), TODAY).pending
    assert not [c for c in left if c.source == source]
    assert len({(c.flow, c.step, c.source, c.text) for c in left}) == len(before) - len(shared)
