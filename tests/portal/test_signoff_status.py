""" "Needs re-approval" as a fact: set by a finished build, a saved profile, or a worker starting on new flows,
with no one opening the Approval page; a contact change never sets it."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from policypack.load import flows as flows_module
from policypack.portal import adapter
from policypack.portal.builds.models import BuildJob
from policypack.portal.schools.models import AuditEvent, School
from policypack.portal.signoff import status
from policypack.portal.signoff.models import Submission
from policypack.resources import bundled_path
from tests.portal.conftest import Tenant
from tests.portal.mailbox import Inbox
from tests.portal.test_profile_form import form_data
from tests.portal.test_signoff import TODAY, approve


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())


def built_from_current_flows(school: School, settings: Any) -> BuildJob:
    """A finished build recorded against today's bundled flows (no pack is needed for these tests)."""
    digest = adapter.guidance_snapshot(Path(settings.DATA) / "guidance")
    return BuildJob.objects.create(school=school, status="built", guidance=digest, folder="none")


def new_flows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new policypack's bundled flows: one step of the staff response reworded."""
    changed = tmp_path / "new-release"
    shutil.copytree(bundled_path("flows"), changed / "flows")
    staff = changed / "flows" / "england" / "staff-response.yaml"
    words = staff.read_text(encoding="utf-8")
    staff.write_text(words.replace("Never ask a child to show, send", "Never ask any child to show, send"), "utf-8")
    changed_flows = functools.partial(flows_module.load_flow_set, changed / "flows")  # takes the school's phase
    monkeypatch.setattr("policypack.load.pack.bundled_flow_set", lambda phase=None: changed_flows(phase=phase))
    monkeypatch.setattr(adapter, "bundled_path", lambda name: changed / name)


def test_a_worker_starting_on_new_flows_marks_approved_schools_and_queues_their_rebuild(
    tenant: Tenant,
    other: Tenant,
    client_as: Callable[[Any], Client],
    inbox: Inbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    approve(tenant, client_as)
    BuildJob.objects.filter(school=tenant.school).delete()  # the approval's own rebuild: done, say
    built_from_current_flows(tenant.school, settings)
    built_from_current_flows(other.school, settings)  # a draft school: no approval to lapse
    assert status.after_upgrade(TODAY) == []  # the same flows: nothing to re-assess or rebuild
    assert not BuildJob.objects.filter(status="queued").exists()

    new_flows(tmp_path, monkeypatch)
    assert [s.slug for s in status.after_upgrade(TODAY)] == [tenant.school.slug]
    assert School.objects.get(pk=tenant.school.pk).status == "needs-reapproval"
    assert School.objects.get(pk=other.school.pk).status == "draft"
    assert BuildJob.objects.filter(school=tenant.school, status="queued").count() == 1
    lapsed = AuditEvent.objects.get(school=tenant.school, action="approval.lapsed")
    assert lapsed.detail["cause"] == "guidance" and lapsed.actor is None
    assert AuditEvent.objects.filter(school=tenant.school, action="build.guidance-changed").exists()

    # no one opened the Approval page: the dashboard, the school's page and the reminders already say so
    dashboard = client_as(tenant.users["trust-admin"]).get(f"/trusts/{tenant.trust.pk}/").content.decode()
    assert f'<a href="/schools/{tenant.school.slug}/approval/">Needs re-approval: see what changed</a>' in dashboard
    assert "submit it for approval again" in dashboard
    school_page = client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/").content.decode()
    assert "status: <strong>Needs re-approval</strong>" in school_page
    assert status.after_upgrade(TODAY) == [tenant.school]  # a second worker joins the queued rebuild
    assert BuildJob.objects.filter(school=tenant.school, status="queued").count() == 1
    assert AuditEvent.objects.filter(school=tenant.school, action="approval.lapsed").count() == 1


def test_a_finished_build_sets_the_status_from_its_manifests_version(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox, tmp_path: Path
) -> None:
    approve(tenant, client_as)
    approved = Submission.objects.get(school=tenant.school, status="approved").approved_version
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "manifest.json").write_text(json.dumps({"version": "0badc0de"}), encoding="utf-8")
    status.after_build(tenant.school, pack)
    assert School.objects.get(pk=tenant.school.pk).status == "needs-reapproval"
    (pack / "manifest.json").write_text(json.dumps({"version": approved}), encoding="utf-8")
    status.after_build(tenant.school, pack)  # the text is back to the approved words
    assert School.objects.get(pk=tenant.school.pk).status == "approved"
    actions = AuditEvent.objects.filter(school=tenant.school, action__startswith="approval.").values_list("action")
    assert [a for (a,) in actions if a in ("approval.lapsed", "approval.current")] == [
        "approval.current",
        "approval.lapsed",
    ]  # newest first
    (pack / "manifest.json").write_text("{not json", encoding="utf-8")
    status.after_build(tenant.school, pack)  # an unreadable manifest decides nothing
    assert School.objects.get(pk=tenant.school.pk).status == "approved"


def test_saving_the_profile_decides_the_status_a_new_phase_asks_for_re_approval_a_phone_does_not(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    approve(tenant, client_as)
    client = client_as(tenant.users["dsl"])
    slug = tenant.school.slug
    values = form_data(client, slug) | {"people.deputies.0.phone": "01632 960 999"}
    assert client.post(f"/schools/{slug}/profile/", values).status_code == 200
    assert "01632 960 999" in tenant.school.profile_path.read_text(encoding="utf-8")
    assert School.objects.get(pk=tenant.school.pk).status == "approved"
    dashboard = client_as(tenant.users["trust-admin"]).get(f"/trusts/{tenant.trust.pk}/").content.decode()
    assert "Needs re-approval" not in dashboard

    values = form_data(client, slug) | {"school.phase": "all-through"}
    assert client.post(f"/schools/{slug}/profile/", values).status_code == 200
    assert School.objects.get(pk=tenant.school.pk).status == "needs-reapproval"
    assert AuditEvent.objects.get(school=tenant.school, action="approval.lapsed").detail["cause"] == "profile"
    dashboard = client_as(tenant.users["trust-admin"]).get(f"/trusts/{tenant.trust.pk}/").content.decode()
    assert "Needs re-approval: see what changed" in dashboard
