"""Issue 20's acceptance in Chromium: a DSL submits, the approver receives the e-mail (through a real
SMTP server), signs in and approves; the rebuilt cover names the approver; a member of staff opens
their link and acknowledges; the staff report and the audit trail show both. Every page involved
passes axe-core at 320 and 1280 px. Then a changed flow step shows "needs re-approval" and the change."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from policypack.load import flows as flows_module
from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.tasks import run_build
from policypack.portal.schools.models import School
from policypack.resources import bundled_path
from policypack.tools import run_tool
from tests.portal.conftest import PASSWORD, Tenant
from tests.portal.mailbox import Inbox
from tests.portal.test_browser import WIDTHS, browser, check_page, sign_in, site
from tests.portal.test_publish_staff import small
from tests.portal.test_signoff import TODAY, check_everything

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_weasyprint")]
__all__ = ["browser", "site"]


def looked_at(page: Any, name: str, screenshots: Path) -> None:
    """axe-core at both widths, a screenshot of each; the page is left at 1280 px."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, width, name, screenshots)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.allow_warnings  # the last step changes a flow under an approved text, which the build says
def test_submit_approve_rebuild_read_and_report(
    browser: Any,
    site: tuple[str, Tenant],
    inbox: Inbox,
    screenshots: Path,
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Path,
) -> None:
    base, tenant = site
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())
    monkeypatch.setenv("POLICYPACK_BUILD_LEASE_SECONDS", "3600")
    monkeypatch.setenv("POLICYPACK_DATA", str(settings.DATA))
    school, slug = tenant.school, tenant.school.slug
    approver = tenant.users["approver"]
    approver.first_name, approver.last_name = "Amira", "Khan"  # not a name the profile holds
    approver.save()
    small(tenant)

    # while parts await a check, the DSL is told which and who can check them
    dsl, _ = sign_in(browser, base, tenant.users["dsl"].username, 1280)
    dsl.goto(f"{base}/schools/{slug}/approval/")
    dsl.click("text=Submit for approval")
    dsl.wait_for_load_state("networkidle")
    assert "still await a check" in dsl.inner_text(".alert")
    looked_at(dsl, "signoff-refused", screenshots)

    check_everything(school)
    dsl.goto(f"{base}/schools/{slug}/approval/")
    looked_at(dsl, "signoff-ready", screenshots)
    dsl.click("text=Submit for approval")
    dsl.wait_for_load_state("networkidle")
    assert "Awaiting approval" in dsl.inner_text("main")

    # the approver follows the link in the e-mail: sign-in first, then the submission's Approval page
    (message,) = inbox.to(approver.email)
    link = Inbox.link(message).replace("https://portal.example.org", base)
    assert link.startswith(f"{base}/approve/")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(link)
    assert page.url.startswith(f"{base}/sign-in/?next=/approve/")
    page.fill("#id_username", approver.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/schools/{slug}/approval/#waiting")
    looked_at(page, "signoff-approver", screenshots)
    page.click("button:text('Approve')")
    page.wait_for_load_state("networkidle")
    assert "Last approved by Amira Khan" in page.inner_text("main")
    looked_at(page, "signoff-approved", screenshots)

    job = BuildJob.objects.get(school=school, status="queued")
    assert run_build.call(job.pk) == "built"
    cover = run_tool("pdftotext", ["-l", "2", "-layout", str(job_folder(school) / "policy.pdf"), "-"], timeout=60)
    text = " ".join(cover.stdout.decode().split())
    assert "Approved by Amira Khan" in text, text[:2000]  # the cover
    # the first approval is the adoption: its date and approver, and still the first edition
    assert "Adopted 3 December 2026" in text and "Edition 1, December 2026 (approved)" in text
    assert "Edition 2" not in text

    anonymous = browser.new_page(viewport={"width": 1280, "height": 900})
    anonymous.goto(f"{base}/public/{slug}/")
    looked_at(anonymous, "public-index", screenshots)
    page.goto(link)  # decided: the link is spent, and says so plainly
    assert "This link can no longer be used" in page.inner_text("main")
    looked_at(page, "signoff-link-spent", screenshots)

    dsl.goto(f"{base}/schools/{slug}/staff/")
    dsl.fill("#name", "Sam Lee")
    dsl.fill("#email", "sam@oakfield.example.org")
    dsl.click("text=Add and send their link")
    dsl.wait_for_load_state("networkidle")
    looked_at(dsl, "staff-list", screenshots)
    (invite,) = inbox.to("sam@oakfield.example.org")
    anonymous.goto(Inbox.link(invite).replace("https://portal.example.org", base))
    looked_at(anonymous, "staff-read", screenshots)
    anonymous.click("text=I have read this")
    anonymous.wait_for_load_state("networkidle")
    assert "You confirmed that you have read version" in anonymous.inner_text("main")
    looked_at(anonymous, "staff-read-done", screenshots)

    (row,) = json.loads(cli("staff", "report", "--school", slug, "--format", "json").stdout)
    assert row["email"] == "sam@oakfield.example.org" and row["acknowledged"] is not None
    trail = json.loads(cli("audit", "--school", slug, "--format", "json").stdout)
    actions = {(e["action"], e["actor"]) for e in trail}
    assert {("approval.approved", approver.email), ("staff.acknowledged", "sam@oakfield.example.org")} <= actions
    page.goto(f"{base}/schools/{slug}/audit/")
    assert "staff.acknowledged" in page.inner_text("main") and "approval.approved" in page.inner_text("main")
    looked_at(page, "signoff-audit", screenshots)

    # a flow step the school's policy prints changes: re-approval, with the change shown
    changed = tmp_path / "flows"
    shutil.copytree(bundled_path("flows"), changed)
    staff_flow = changed / "england" / "staff-response.yaml"
    words = staff_flow.read_text(encoding="utf-8")
    staff_flow.write_text(words.replace("Never ask a child to", "Never ask any child to"), "utf-8")
    changed_flows = functools.partial(flows_module.load_flow_set, changed)  # takes the school's phase, as the real one
    monkeypatch.setattr("policypack.load.pack.bundled_flow_set", lambda phase=None: changed_flows(phase=phase))
    page.goto(f"{base}/schools/{slug}/approval/")
    assert "+[do-not-ask] Never ask any child to show, send or download it" in page.inner_text("pre.diff")
    assert School.objects.get(pk=school.pk).status == "needs-reapproval"
    looked_at(page, "signoff-needs-reapproval", screenshots)
    assert refused == []
    print(f"screenshots in {screenshots}")


def job_folder(school: School) -> Path:
    (folder,) = [p for p in Path(school.output_root).iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder


def test_the_dashboard_after_a_flow_change_and_the_checks_page_after_a_check_of_many_parts(
    browser: Any, site: tuple[str, Tenant], screenshots: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trust's pages in the states sign-off adds: "needs re-approval" and the day reminders were
    e-mailed on the dashboard, and the checks page after one check of several parts; axe at both widths."""
    import datetime as dt

    from policypack.portal.signoff.models import ReminderDay, Submission

    base, tenant = site
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())
    school = tenant.school
    Submission.objects.create(school=school, submitted_by_label="x", version="0badc0de", text="", status="approved")
    School.objects.filter(pk=school.pk).update(status="needs-reapproval")
    ReminderDay.objects.create(school=school, day=TODAY - dt.timedelta(days=1), count=2)
    page, refused = sign_in(browser, base, tenant.users["trust-admin"].username, 1280)
    page.goto(f"{base}/trusts/{tenant.trust.pk}/")
    assert "Needs re-approval: see what changed" in page.inner_text("main")
    assert "Reminders last e-mailed to the DSL on 2 Dec 2026." in page.inner_text("main")
    looked_at(page, "dashboard-needs-reapproval", screenshots)

    page.goto(f"{base}/trusts/{tenant.trust.pk}/checks/")
    form = page.locator("form", has=page.locator("button[name=every]")).first
    boxes = form.locator("input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    form.locator("input[name=edition]").fill("March 2024 edition")
    form.locator("input[name=place]").fill("Section 2")
    form.locator("button:not([name])").click()
    page.wait_for_load_state("networkidle")
    assert "Check of 2 parts recorded for 1 school" in page.inner_text("[role=status]")
    looked_at(page, "checks-recorded", screenshots)
    assert refused == []
