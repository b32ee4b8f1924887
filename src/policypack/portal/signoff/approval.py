"""Submit, approve, return: the approval of a school's text, recorded in its profile and the audit log.

An approval is written into the school's profile (policy.approved_by, policy.approved_version
and a policy.history line) through the portal's profile store, and the pack is rebuilt, so
the pack the CLI builds from an exported school.yaml names the same approver and date.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from policypack.errors import PolicypackError
from policypack.portal import adapter, mail
from policypack.portal.builds.queue import request_build
from policypack.portal.schools import profile as form
from policypack.portal.schools import store
from policypack.portal.schools.access import Role, record
from policypack.portal.schools.models import School
from policypack.portal.signoff.models import Submission


class Refused(PolicypackError):
    """A sign-off step that cannot be taken now, with what stands in the way."""

    def __init__(self, message: str, pending: list[tuple[str, str, str]] | None = None) -> None:
        super().__init__(message)
        self.pending = pending or []


def name_of(user: Any) -> str:
    return str(user.get_full_name() or user.email or user.username)


def approvers(school: School) -> list[Any]:
    return list(get_user_model().objects.filter(memberships__school=school, memberships__role=Role.APPROVER))


def checkers(school: School) -> list[Any]:
    """Who can record a check of a pending part: the trust's administrators (its safeguarding lead)."""
    users = get_user_model().objects.filter(memberships__trust=school.trust, memberships__role=Role.TRUST_ADMIN)
    return list(users.distinct())


def last_approved(school: School) -> Submission | None:
    return school.submissions.filter(status=Submission.Status.APPROVED).order_by("-decided", "-id").first()


def waiting(school: School) -> Submission | None:
    return school.submissions.filter(status=Submission.Status.WAITING).first()


def submit(school: School, user: Any, today: dt.date) -> Submission:
    """Ask the school's approvers to approve its text; refused while a part awaits a check."""
    state = adapter.sign_off_state(school.profile_path, today)
    if state.version is None:
        raise Refused("the school's details have problems to fix first: " + "; ".join(state.problems[:3]))
    if state.pending:
        raise Refused(f"{len(state.pending)} parts of the text still await a check", state.pending)
    with transaction.atomic():
        school.submissions.filter(status=Submission.Status.WAITING).update(status=Submission.Status.WITHDRAWN)
        submission = Submission.objects.create(
            school=school, submitted_by=user, submitted_by_label=name_of(user), version=state.version, text=state.text
        )
        school.status = School.Status.AWAITING_APPROVAL
        school.save(update_fields=["status", "updated"])
        record(user, "approval.submitted", school.trust, school, submission=submission.pk, version=state.version)
    link = mail.absolute(f"/schools/{school.slug}/approval/")
    sent = mail.send(
        "approval-request",
        [a.email for a in approvers(school)],
        {"school": school, "by": name_of(user), "link": link, "version": state.version},
    )
    record(user, "approval.e-mailed", school.trust, school, submission=submission.pk, messages=sent)
    return submission


def approve(submission: Submission, user: Any, today: dt.date) -> Submission:
    """Record the approval in the school's profile, then rebuild the pack so its cover names the approver."""
    school = submission.school
    state = adapter.sign_off_state(school.profile_path, today)
    if state.version != submission.version:
        raise Refused("the text changed after it was submitted: the DSL must submit it again")
    data = store.read_data(school)
    policy = data.setdefault("policy", {})
    policy["approved_by"] = name_of(user)
    entry = {"date": today, "change": f"Approved in the portal (submitted by {submission.submitted_by_label})"}
    policy["history"] = [*policy.get("history", []), {**entry, "by": name_of(user), "kind": "review"}]
    policy.pop("approved_version", None)
    with adapter.beside_its_files(school.folder, form.dump(data)) as candidate:
        version = adapter.sign_off_state(candidate, today).version  # approver and history are part of the record
    if version is None:
        raise Refused("the approval could not be written into the school's details")
    policy["approved_version"] = version
    with transaction.atomic():
        store.save_text(school, form.dump(data), user, "approval.approved", submission=submission.pk, version=version)
        _decide(submission, user, Submission.Status.APPROVED, approved_version=version)
        school.status = School.Status.APPROVED
        school.save(update_fields=["status", "updated"])
    request_build(school, user)
    return submission


def send_back(submission: Submission, user: Any, comments: str) -> Submission:
    """Return the text to the DSLs with the approver's comments."""
    school = submission.school
    with transaction.atomic():
        _decide(submission, user, Submission.Status.RETURNED, comments=comments)
        school.status = School.Status.DRAFT
        school.save(update_fields=["status", "updated"])
        record(user, "approval.returned", school.trust, school, submission=submission.pk, comments=comments)
    dsls = school.memberships.filter(role=Role.DSL).select_related("user")
    link = mail.absolute(f"/schools/{school.slug}/approval/")
    context = {"school": school, "by": name_of(user), "comments": comments, "link": link}
    mail.send("approval-returned", [m.user.email for m in dsls], context)
    return submission


def _decide(submission: Submission, user: Any, status: str, **fields: str) -> None:
    updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.WAITING).update(
        status=status, decided_by=user, decided_by_label=name_of(user), decided=timezone.now(), **fields
    )
    if not updated:
        raise Refused("this submission was already decided or replaced")
    submission.refresh_from_db()


@dataclass
class Standing:
    """Where a school's approval stands now, and what changed since the text was approved."""

    state: adapter.SignOffState
    approved: Submission | None
    waiting: Submission | None
    changes: list[str]


def standing(school: School, today: dt.date, actor: Any = None) -> Standing:
    """The school's sign-off now; an approved school whose text changed becomes "needs re-approval"."""
    state = adapter.sign_off_state(school.profile_path, today)
    approved = last_approved(school)
    changes = diff(approved.text, state.text) if approved else []
    lapsed = approved is not None and state.version is not None and state.version != approved.approved_version
    if approved is not None and lapsed and school.status == School.Status.APPROVED:
        school.status = School.Status.NEEDS_REAPPROVAL
        school.save(update_fields=["status", "updated"])
        record(actor, "approval.lapsed", school.trust, school, approved=approved.approved_version, now=state.version)
    return Standing(state, approved, waiting(school), changes)


def diff(old: str, new: str) -> list[str]:
    """The approved text against the current one, as a unified diff (empty when the words are the same)."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "approved", "now", n=2, lineterm="")
    return list(lines)
