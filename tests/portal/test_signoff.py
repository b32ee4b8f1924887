"""Sign-off (issue 20): submit for approval, the approvers' e-mail through a real SMTP server,
approve or return, the approval written into the profile, and "needs re-approval" only when the
procedure's words change."""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from policypack.build import school_flow_set
from policypack.check.pending import pending_report
from policypack.load import flows as flows_module
from policypack.portal.builds.models import BuildJob
from policypack.portal.schools import store
from policypack.portal.schools.models import AuditEvent, School
from policypack.portal.settings import smtp_settings
from policypack.portal.signoff.models import Submission
from policypack.resources import bundled_path
from tests.portal.conftest import Tenant
from tests.portal.mailbox import Inbox

TODAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())


def check_everything(school: School) -> None:
    """Record a check of every pending part, as a trust's safeguarding lead would, in the school's checks file."""
    data = store.read_data(school)
    data["policy"]["checks"] = "checks.yaml"
    (school.folder / "checks.yaml").write_text("checks: []\n", encoding="utf-8")
    school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    report = pending_report(school_flow_set(school.profile_path), TODAY)
    checks = [
        {
            "flow": c.flow,
            "step": c.step,
            "source": c.source,
            "checked_on": "2026-12-01",
            "by": {"role": "Trust safeguarding lead", "name": "Ann Example"},
            "edition": "The edition in force on 1 December 2026",
            "place": "The passage the claim rests on",
            "text": c.text,
        }
        for c in report.pending
    ]
    (school.folder / "checks.yaml").write_text(yaml.safe_dump({"checks": checks}), encoding="utf-8")


def test_the_smtp_address_becomes_djangos_email_settings() -> None:
    assert smtp_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    plain = smtp_settings("smtp://127.0.0.1:2525")
    assert (plain["EMAIL_HOST"], plain["EMAIL_PORT"], plain["EMAIL_USE_SSL"]) == ("127.0.0.1", 2525, False)
    secure = smtp_settings("smtps://mailer%40trust:p%2Fss@mail.example.org")
    assert (secure["EMAIL_PORT"], secure["EMAIL_USE_SSL"], secure["EMAIL_HOST_USER"]) == (465, True, "mailer@trust")
    assert secure["EMAIL_HOST_PASSWORD"] == "p/ss"
    assert smtp_settings("smtp://mail.example.org:587?starttls=1")["EMAIL_USE_TLS"] is True
    with pytest.raises(ValueError, match="smtp://host:port"):
        smtp_settings("http://mail.example.org")


def test_submitting_is_refused_while_parts_await_a_check_and_says_who_can_check_them(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    page = client_as(tenant.users["dsl"]).post(f"/schools/{tenant.school.slug}/approval/submit/")
    assert page.status_code == 400
    text = page.content.decode()
    assert "parts of the text still await a check" in text
    assert "Never ask a child to show, send or download it" in text  # a pending part, by its title
    assert tenant.users["trust-admin"].email in text  # who can check them
    assert not Submission.objects.exists() and inbox.messages == []


def submitted(tenant: Tenant, client_as: Callable[[Any], Client]) -> Submission:
    check_everything(tenant.school)
    page = client_as(tenant.users["dsl"]).post(f"/schools/{tenant.school.slug}/approval/submit/")
    assert page.status_code == 302, page.content.decode()[:3000]
    return Submission.objects.get(school=tenant.school)


def test_a_submission_emails_each_approver_a_link_and_an_approval_is_written_into_the_profile(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    approver = tenant.users["approver"]
    approver.first_name, approver.last_name = "Helen", "Marsh"
    approver.save()
    submission = submitted(tenant, client_as)
    assert School.objects.get(pk=tenant.school.pk).status == "awaiting-approval"
    (message,) = inbox.to(approver.email)
    assert "Oakfield Academy" in message["Subject"] and "approval" in message["Subject"]
    link = Inbox.link(message).removeprefix("https://portal.example.org")
    assert link.startswith("/approve/")  # their own token (test_approver_link.py)
    assert inbox.to(tenant.users["staff"].email) == []  # approvers only

    client = client_as(approver)
    page = client.get(link, follow=True)
    assert "Approve" in page.content.decode() and submission.version in page.content.decode()
    assert client.post(f"/schools/{tenant.school.slug}/approval/{submission.pk}/approve/").status_code == 302

    submission.refresh_from_db()
    assert submission.status == "approved" and submission.decided_by_label == "Helen Marsh"
    policy = store.read_data(tenant.school)["policy"]
    # the first approval is the adoption: the approver (found in the profile as its headteacher) and the date
    assert (policy["approved_by"], policy["adopted"]) == ("Dr Helen Marsh, Headteacher", TODAY)
    assert policy["approved_version"] == submission.approved_version == submission.version
    assert "history" not in policy  # no review line: it stays Edition 1
    assert School.objects.get(pk=tenant.school.pk).status == "approved"
    assert BuildJob.objects.filter(school=tenant.school, status="queued").exists()  # the pack is rebuilt
    actions = list(AuditEvent.objects.filter(school=tenant.school).values_list("action", "actor_label"))
    assert ("approval.submitted", tenant.users["dsl"].email) in actions
    assert ("approval.approved", approver.email) in actions
    # nothing changed since: the page says so, and the status stays
    again = client.get(f"/schools/{tenant.school.slug}/approval/").content.decode()
    assert "The procedure's words are the same as in the approved text." in again


def test_an_approver_can_return_the_text_with_comments_for_the_dsl(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    submission = submitted(tenant, client_as)
    url = f"/schools/{tenant.school.slug}/approval/{submission.pk}/return/"
    client = client_as(tenant.users["approver"])
    assert client.post(url, {"comments": "  "}).status_code == 400  # a return says why
    assert client.post(url, {"comments": "Name the <b>deputy</b> on the card."}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == "returned" and submission.comments == "Name the <b>deputy</b> on the card."
    (message,) = inbox.to(tenant.users["dsl"].email)
    assert "Name the <b>deputy</b> on the card." in Inbox.body(message)  # plain text, as typed
    page = client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/approval/").content.decode()
    assert "Name the &lt;b&gt;deputy&lt;/b&gt; on the card." in page  # escaped on the page
    assert School.objects.get(pk=tenant.school.pk).status == "draft"
    assert AuditEvent.objects.filter(school=tenant.school, action="approval.returned").exists()


def approve(tenant: Tenant, client_as: Callable[[Any], Client]) -> None:
    submission = submitted(tenant, client_as)
    url = f"/schools/{tenant.school.slug}/approval/{submission.pk}/approve/"
    assert client_as(tenant.users["approver"]).post(url).status_code == 302


def test_a_changed_flow_step_asks_for_re_approval_and_shows_the_change(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    approve(tenant, client_as)
    changed = tmp_path / "flows"
    shutil.copytree(bundled_path("flows"), changed)
    staff = changed / "england" / "staff-response.yaml"
    text = staff.read_text(encoding="utf-8")
    assert "title: Never ask a child to show, send or download it" in text
    staff.write_text(text.replace("Never ask a child to show, send", "Never ask any child to show, send"), "utf-8")
    changed_flows = functools.partial(flows_module.load_flow_set, changed)  # takes the school's phase, as the real one
    monkeypatch.setattr("policypack.load.pack.bundled_flow_set", lambda phase=None: changed_flows(phase=phase))

    page = client_as(tenant.users["approver"]).get(f"/schools/{tenant.school.slug}/approval/").content.decode()
    assert School.objects.get(pk=tenant.school.pk).status == "needs-reapproval"
    assert "-[do-not-ask] Never ask a child to show, send or download it" in page
    assert "+[do-not-ask] Never ask any child to show, send or download it" in page
    assert AuditEvent.objects.filter(school=tenant.school, action="approval.lapsed").exists()


def test_a_deputys_new_phone_number_does_not_ask_for_re_approval(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    approve(tenant, client_as)
    client = client_as(tenant.users["dsl"])
    data = store.read_data(tenant.school)
    data["people"]["deputies"][0]["phone"] = "01632 960 999"
    tenant.school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    page = client.get(f"/schools/{tenant.school.slug}/approval/").content.decode()
    assert School.objects.get(pk=tenant.school.pk).status == "approved"
    assert "The procedure's words are the same as in the approved text." in page


def test_only_the_schools_approvers_decide_and_another_trust_sees_nothing(
    tenant: Tenant, other: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    submission = submitted(tenant, client_as)
    slug = tenant.school.slug
    for user in (tenant.users["staff"], tenant.users["dsl"], other.users["approver"], other.users["trust-admin"]):
        for action in ("approve", "return"):
            response = client_as(user).post(f"/schools/{slug}/approval/{submission.pk}/{action}/", {"comments": "x"})
            assert response.status_code == 404
    assert client_as(other.users["dsl"]).get(f"/schools/{slug}/approval/").status_code == 404
    assert client_as(other.users["dsl"]).post(f"/schools/{slug}/approval/submit/").status_code == 404
    assert client_as(tenant.users["staff"]).post(f"/schools/{slug}/approval/submit/").status_code == 404
    # the other trust's approver cannot decide a submission of this school through their own school either
    url = f"/schools/{other.school.slug}/approval/{submission.pk}/approve/"
    assert client_as(other.users["approver"]).post(url).status_code == 404
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(tenant.users["approver"], backend="django.contrib.auth.backends.ModelBackend")
    assert guarded.post(f"/schools/{slug}/approval/{submission.pk}/approve/").status_code == 403  # no CSRF token
    submission.refresh_from_db()
    assert submission.status == "waiting"


def test_reminders_on_a_fixed_clock_are_emailed_to_the_dsl_and_shown_on_the_dashboard(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    from django.utils import timezone

    from policypack.portal.signoff.models import Publication, StaffMember
    from policypack.portal.signoff.reminders import reminders

    monkeypatch.setenv("POLICYPACK_DATA", str(tenant.school.folder.parent.parent))
    assert reminders(tenant.school, TODAY) == []  # adopted 1 September 2026, reviewed yearly: nothing due
    submission = submitted(tenant, client_as)
    Submission.objects.filter(pk=submission.pk).update(submitted=timezone.now() - dt.timedelta(days=8))
    Publication.objects.create(school=tenant.school, key="x", version="0badc0de", files=[])
    StaffMember.objects.create(school=tenant.school, name="Sam Lee", email="sam@oakfield.example.org")
    sent = submission.submitted - dt.timedelta(days=8)
    assert reminders(tenant.school, TODAY + dt.timedelta(days=7)) == [
        f"The text submitted for approval on {sent:%-d %B %Y} has waited 15 days.",
        "1 member(s) of staff have not yet read version 0badc0de.",
    ]
    monkeypatch.setenv("POLICYPACK_TODAY", "2027-08-10")  # the review (1 September 2027) is 22 days away
    inbox.messages.clear()
    assert cli("reminders").exit_code == 0
    (message,) = inbox.to(tenant.users["dsl"].email)
    assert "The policy's review is due by 1 September 2027." in Inbox.body(message)
    assert "has waited" in Inbox.body(message) and "not yet read version 0badc0de" in Inbox.body(message)
    dashboard = client_as(tenant.users["trust-admin"]).get(f"/trusts/{tenant.trust.pk}/").content.decode()
    assert "The policy&#x27;s review is due by 1 September 2027." in dashboard
    assert AuditEvent.objects.filter(school=tenant.school, action="reminders.e-mailed").exists()


def policy_only(school: School) -> None:
    """The policy's PDF alone, to build quickly (the outputs are not part of the approved text)."""
    data = store.read_data(school)
    data["outputs"] = {"documents": ["policy"], "formats": ["pdf"]}
    school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def build_now(school: School) -> dict[str, Any]:
    """Run the school's queued build here, as a worker would, and return the pack's manifest."""
    from policypack.portal.builds.tasks import run_build

    job = BuildJob.objects.get(school=school, status="queued")
    assert run_build.call(job.pk) in ("built", "unchanged")
    job.refresh_from_db()
    manifest: dict[str, Any] = json.loads((school.output_root / job.folder / "manifest.json").read_text("utf-8"))
    return manifest


def cover_text(school: School, manifest: dict[str, Any], pages: int = 1) -> str:
    folder = next(p for p in school.output_root.iterdir() if p.name.startswith(school.slug))
    pdf = folder / "policy.pdf"
    command = ["pdftotext", "-l", str(pages), str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.usefixtures("needs_weasyprint")
def test_approving_keeps_the_submitted_version_and_a_first_approval_stays_edition_1(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYPACK_BUILD_LEASE_SECONDS", "3600")
    approver = tenant.users["approver"]
    approver.first_name, approver.last_name = "Helen", "Marsh"
    approver.save()
    policy_only(tenant.school)
    submission = submitted(tenant, client_as)
    url = f"/schools/{tenant.school.slug}/approval/{submission.pk}/approve/"
    assert client_as(approver).post(url).status_code == 302
    manifest = build_now(tenant.school)
    assert manifest["version"] == submission.version and manifest["approved"] is True
    assert (manifest["edition"], manifest["policy"]["adopted"]) == (1, TODAY.isoformat())
    assert School.objects.get(pk=tenant.school.pk).status == "approved"
    cover = " ".join(cover_text(tenant.school, manifest).split())
    assert "Adopted 3 December 2026" in cover and "Approved by Dr Helen Marsh, Headteacher" in cover
    assert "Edition 1, December 2026 (approved)" in cover and "Edition 2" not in cover

    # a later approval of a changed text is a new edition, with the approver in the review history
    data = store.read_data(tenant.school)
    data["people"]["deputies"].pop()  # one deputy fewer: a role the text names
    tenant.school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    chair = approver.__class__.objects.create_user(username="chair@x.org", email="chair@x.org", password="x")
    chair.first_name, chair.last_name = "David", "Price"
    chair.save()
    tenant.school.memberships.create(user=chair, role="approver", trust=tenant.trust)
    page = client_as(tenant.users["dsl"]).post(f"/schools/{tenant.school.slug}/approval/submit/")
    assert page.status_code == 302
    second = Submission.objects.get(school=tenant.school, status="waiting")
    assert second.version != submission.version
    assert client_as(chair).post(f"/schools/{tenant.school.slug}/approval/{second.pk}/approve/").status_code == 302
    policy = store.read_data(tenant.school)["policy"]
    assert policy["approved_by"] == "Dr Helen Marsh, Headteacher"  # who adopted it stays
    assert policy["history"] == [
        {
            "date": TODAY,
            "change": f"Changed text approved (submitted by {tenant.users['dsl'].email})",
            "by": "Mr David Price, Chair of governors",
            "kind": "review",
        }
    ]
    manifest = build_now(tenant.school)
    assert (manifest["version"], manifest["edition"], manifest["approved"]) == (second.version, 2, True)
    cover = " ".join(cover_text(tenant.school, manifest, pages=2).split())
    assert "Edition 2, December 2026 (approved)" in cover and "Mr David Price, Chair of governors" in cover
    assert cover.count("Last reviewed") == 1  # the cover's row; the review line in the history says it already
