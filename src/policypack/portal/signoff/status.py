"""Whether an approved school still prints the text that was approved, kept as a fact, not found on a visit.

Every finished build compares the version its manifest records with the approved one; a saved
profile is compared when it is saved; and when a worker starts it compares the bundled flows
with those each approved school was last built from, re-assesses the schools built from other
flows at once and queues their rebuilds. So the dashboard, the school's page and the reminders
say "needs re-approval" as soon as the text differs, with no one opening the Approval page.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from policypack.portal import adapter
from policypack.portal.schools.access import record
from policypack.portal.schools.models import School
from policypack.portal.signoff.models import Submission

SIGNED = (School.Status.APPROVED, School.Status.NEEDS_REAPPROVAL)


def approved_version(school: School) -> str | None:
    """The version of the school's last approval, or None when nothing was approved."""
    last = school.submissions.filter(status=Submission.Status.APPROVED).order_by("-decided", "-id").first()
    return last.approved_version if last else None


def reassess(school: School, version: str | None, actor: Any, cause: str) -> str:
    """Set "approved" or "needs re-approval" from the text's version now; returns the school's status.

    Only an approved school, or one that needs re-approval, changes: a school awaiting approval
    or in draft keeps its status. Each change is one audit line, written by whoever changed it.
    """
    approved = approved_version(school)
    if approved is None or version is None:
        return str(school.status)
    old, new = (School.Status.APPROVED, School.Status.NEEDS_REAPPROVAL)
    if version == approved:
        old, new = new, old
    changed = School.objects.filter(pk=school.pk, status=old).update(status=new, updated=timezone.now())
    school.refresh_from_db(fields=["status", "updated"])
    if changed:
        action = "approval.lapsed" if new == School.Status.NEEDS_REAPPROVAL else "approval.current"
        record(actor, action, school.trust, school, approved=approved, now=version, cause=cause)
    return str(school.status)


def after_build(school: School, folder: Path) -> None:
    """A finished build's verdict: the version in its manifest against the approved one."""
    try:
        version = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return
    reassess(school, version if isinstance(version, str) else None, None, "build")


def after_save(school: School, actor: Any, today: dt.date) -> None:
    """A saved profile's verdict, before any build: its text's version against the approved one."""
    if school.status in SIGNED:
        reassess(school, adapter.sign_off_state(school.profile_path, today).version, actor, "profile")


def after_upgrade(today: dt.date) -> list[School]:
    """Re-assess every approved school whose last pack was built from other flows, and queue its rebuild.

    Run when a worker starts: the bundled flows change only with a new policypack. Returns the
    schools whose rebuild was queued.
    """
    from policypack.portal.builds.models import BuildJob
    from policypack.portal.builds.queue import queue_build

    current = adapter.guidance_snapshot(Path(settings.DATA) / "guidance")
    stale = []
    for school in School.objects.filter(status__in=SIGNED).select_related("trust"):
        finished = school.builds.filter(status__in=[BuildJob.Status.BUILT, BuildJob.Status.UNCHANGED]).first()
        if finished is not None and finished.guidance == current:
            continue
        reassess(school, adapter.sign_off_state(school.profile_path, today).version, None, "guidance")
        job, queued = queue_build(school, None)
        if queued:
            record(None, "build.guidance-changed", school.trust, school, job=job.pk, guidance=current)
        stale.append(school)
    return stale
