"""Publishing an approved pack at a public address, staff who read it through a personal link,
the staff report and the audit trail (issue 20, items 3, 4 and 7)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.tasks import run_build
from policypack.portal.schools import store
from policypack.portal.schools.models import AuditEvent
from policypack.portal.signoff import staff
from policypack.portal.signoff.models import Acknowledgement, LinkToken, Publication, StaffMember
from tests.portal.conftest import Tenant
from tests.portal.mailbox import Inbox
from tests.portal.test_signoff import TODAY, check_everything

pytestmark = pytest.mark.usefixtures("needs_weasyprint")


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())
    monkeypatch.setenv("POLICYPACK_BUILD_LEASE_SECONDS", "3600")  # no heartbeat thread in a test's database
    monkeypatch.setenv("POLICYPACK_DATA", str(settings.DATA))  # for the commands run in-process


def small(tenant: Tenant) -> None:
    """The policy and staff card, as PDF and web page: enough to publish, quick to build."""
    data = store.read_data(tenant.school)
    data["outputs"] = {"documents": ["policy", "staff-card"], "formats": ["pdf", "html"]}
    tenant.school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def approved_and_built(tenant: Tenant, client_as: Callable[[Any], Client]) -> Publication:
    small(tenant)
    check_everything(tenant.school)
    slug = tenant.school.slug
    assert client_as(tenant.users["dsl"]).post(f"/schools/{slug}/approval/submit/").status_code == 302
    pk = tenant.school.submissions.get().pk
    assert client_as(tenant.users["approver"]).post(f"/schools/{slug}/approval/{pk}/approve/").status_code == 302
    job = BuildJob.objects.get(school=tenant.school, status="queued")
    assert run_build.call(job.pk) == "built"
    return Publication.objects.get(school=tenant.school)


@pytest.mark.allow_warnings  # the draft built last differs from the approved text, and says so
def test_only_an_approved_build_is_served_publicly_and_a_later_draft_does_not_replace_it(
    tenant: Tenant, other: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    slug = tenant.school.slug
    anonymous: Any = Client()  # its file responses stream
    assert anonymous.get(f"/public/{slug}/").status_code == 404  # nothing approved yet
    job = BuildJob.objects.create(school=other.school)
    small(other)
    assert run_build.call(job.pk) == "built"  # a draft build
    assert anonymous.get(f"/public/{other.school.slug}/").status_code == 404
    assert anonymous.get(f"/public/{other.school.slug}/policy.pdf").status_code == 404

    publication = approved_and_built(tenant, client_as)
    assert publication.files == ["policy.html", "policy.pdf", "staff-card.pdf"]  # no manifest, no Word files
    index = anonymous.get(f"/public/{slug}/")
    assert index.status_code == 200 and f'href="/public/{slug}/policy.pdf"' in index.content.decode()
    pdf = anonymous.get(f"/public/{slug}/policy.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    page = anonymous.get(f"/public/{slug}/policy.html")
    policy = page["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "style-src 'unsafe-inline'" in policy
    assert "Helen" not in policy and b"Full governing board" not in b"".join(page.streaming_content)
    for name in ("manifest.json", "..%2Fmanifest.json", "policy.docx", "%2e%2e", "school.yaml"):
        assert anonymous.get(f"/public/{slug}/{name}").status_code == 404, name
    assert AuditEvent.objects.filter(school=tenant.school, action="pack.published").count() == 1

    # the DSL changes the text and builds a draft: the public address still serves the approved pack
    data = store.read_data(tenant.school)
    data["policy"]["review_interval_months"] = 6
    tenant.school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    draft = BuildJob.objects.create(school=tenant.school)
    assert run_build.call(draft.pk) == "built"
    assert Publication.objects.filter(school=tenant.school).count() == 1
    again = anonymous.get(f"/public/{slug}/policy.pdf")
    assert (
        b"".join(again.streaming_content)
        == (
            Path(tenant.school.output_root).parent.parent / "published" / slug / publication.key / "policy.pdf"
        ).read_bytes()
    )


def test_staff_read_through_a_personal_link_and_the_report_and_audit_show_it(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox, cli: Callable[..., Any]
) -> None:
    dsl = client_as(tenant.users["dsl"])
    slug = tenant.school.slug
    added = dsl.post(f"/schools/{slug}/staff/", {"name": "Sam <b>Lee</b>", "email": "sam@oakfield.example.org"})
    assert added.status_code == 200 and "Sam &lt;b&gt;Lee&lt;/b&gt;" in added.content.decode()
    assert dsl.post(f"/schools/{slug}/staff/", {"name": "Sam", "email": "not an address"}).status_code == 400
    assert inbox.messages == []  # nothing approved to read yet

    publication = approved_and_built(tenant, client_as)
    (message,) = inbox.to("sam@oakfield.example.org")
    link = Inbox.link(message).removeprefix("https://portal.example.org")
    token = link.split("/")[2]
    assert LinkToken.objects.get(purpose="read").digest != token and token not in json.dumps(
        list(AuditEvent.objects.values()), default=str
    )

    reader: Any = Client(enforce_csrf_checks=True)
    page = reader.get(link)
    assert page.status_code == 200 and "I have read this" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"  # the token never goes to another site
    card = reader.get(f"/read/{token}/staff-card.pdf")
    assert card.status_code == 200 and b"".join(card.streaming_content).startswith(b"%PDF")
    assert reader.get(f"/read/{token}/manifest.json").status_code == 404
    assert reader.post(link, {"version": publication.version}).status_code == 403  # CSRF on every form
    csrf = reader.cookies["csrftoken"].value
    done = reader.post(link, {"version": publication.version, "csrfmiddlewaretoken": csrf})
    assert done.status_code == 302
    assert "You confirmed that you have read version" in reader.get(link).content.decode()
    member = StaffMember.objects.get(email="sam@oakfield.example.org")
    assert Acknowledgement.objects.filter(member=member, version=publication.version).count() == 1

    assert Client().get(f"/read/{token[:-2]}xx/").status_code == 404  # a changed token is no token
    LinkToken.objects.filter(purpose="read").update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(link).status_code == 404  # nor is an expired one

    report = json.loads(cli("staff", "report", "--school", slug, "--format", "json").stdout)
    assert report == [
        {
            "name": "Sam <b>Lee</b>",
            "email": "sam@oakfield.example.org",
            "version": publication.version,
            "acknowledged": timezone.localdate().isoformat(),
            "last_read_version": publication.version,
        }
    ]
    trail = json.loads(cli("audit", "--school", slug, "--format", "json").stdout)
    actions = [(e["action"], e["actor"]) for e in trail]
    assert ("approval.approved", tenant.users["approver"].email) in actions
    assert ("staff.acknowledged", "sam@oakfield.example.org") in actions
    assert ("pack.published", "policypack command line") in actions
    assert [e["at"] for e in trail] == sorted(e["at"] for e in trail)


def test_staff_import_adds_every_row_or_none_and_places_each_bad_row(
    tenant: Tenant, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    bad = tmp_path / "staff.csv"
    bad.write_text("name,email\nAnn Example,ann@example.org\n,nobody@example.org\nBo,bo at example\n", "utf-8")
    result = cli("staff", "import", str(bad), "--school", tenant.school.slug)
    assert result.exit_code == 1
    assert f"{bad}:3:1: error: give the person's name" in result.output
    assert f"{bad}:4:1: error: 'bo at example' is not an e-mail address" in result.output
    assert "Traceback" not in result.output and not StaffMember.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text("Ann Example,ann@example.org\n=HYPERLINK(1),eve@example.org\n", "utf-8")
    assert cli("staff", "import", str(good), "--school", tenant.school.slug).exit_code == 0
    assert sorted(StaffMember.objects.values_list("email", flat=True)) == ["ann@example.org", "eve@example.org"]
    again = cli("staff", "import", str(good), "--school", tenant.school.slug)
    assert again.exit_code == 1 and "ann@example.org is already on the staff list" in again.output
    sheet = cli("staff", "report", "--school", tenant.school.slug, "--format", "csv").stdout
    assert sheet.splitlines()[0] == "name,email,version,acknowledged,last_read_version"
    assert "'=HYPERLINK(1),eve@example.org" in sheet  # no formula from a typed name
    assert cli("staff", "report", "--school", "no-such-school").exit_code == 1


def test_the_audit_trail_cannot_be_changed_or_deleted(tenant: Tenant) -> None:
    event = AuditEvent.objects.filter(school=tenant.school).first()
    assert event is not None
    event.action = "nothing happened"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert staff.report(tenant.school) == []
