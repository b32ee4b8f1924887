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
from policypack.portal.signoff import tokens
from policypack.portal.signoff.models import Submission
from policypack.portal.signoff.status import reassess


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
        for replaced in school.submissions.filter(status=Submission.Status.WAITING):
            tokens.spend(replaced)
        school.submissions.filter(status=Submission.Status.WAITING).update(status=Submission.Status.WITHDRAWN)
        submission = Submission.objects.create(
            school=school, submitted_by=user, submitted_by_label=name_of(user), version=state.version, text=state.text
        )
        school.status = School.Status.AWAITING_APPROVAL
        school.save(update_fields=["status", "updated"])
        record(user, "approval.submitted", school.trust, school, submission=submission.pk, version=state.version)
    sent = 0
    for approver in approvers(school):  # each their own link, bound to them and to this submission
        link = mail.absolute(f"/approve/{tokens.issue_for_approver(approver, submission)}/")
        context = {"school": school, "by": name_of(user), "link": link, "version": state.version}
        sent += mail.send("approval-request", [approver.email], context | {"days": tokens.APPROVE_LINK_DAYS})
    record(user, "approval.e-mailed", school.trust, school, submission=submission.pk, messages=sent)
    return submission


def approve(submission: Submission, user: Any, today: dt.date) -> Submission:
    """Record the approval in the school's profile, then rebuild the pack so its cover names the approver.

    The first approval is the adoption: the approver and the date become the policy's adoption,
    and it stays Edition 1. A later approval is a review line in the history (a new edition).
    Neither moves the fingerprint: the version recorded is the version submitted.
    """
    school = submission.school
    state = adapter.sign_off_state(school.profile_path, today)
    if state.version != submission.version:
        raise Refused("the text changed after it was submitted: the DSL must submit it again")
    data = store.read_data(school)
    policy = data.setdefault("policy", {})
    signed = signature(data, user)
    earlier = last_approved(school)
    if earlier is None and not policy.get("approved_version"):
        policy.update(adopted=today, approved_by=signed)
    else:
        same = earlier is not None and earlier.approved_version == submission.version
        change = "Reviewed and approved again" if same else "Changed text approved"
        entry = {"date": today, "change": f"{change} (submitted by {submission.submitted_by_label})"}
        policy["history"] = [*policy.get("history", []), {**entry, "by": signed, "kind": "review"}]
        policy["last_reviewed"] = today
    policy["approved_version"] = submission.version
    with adapter.beside_its_files(school.folder, form.dump(data)) as candidate:
        version = adapter.sign_off_state(candidate, today).version
    if version != submission.version:  # the approval record is never part of the text it approves
        raise Refused("the approval could not be written into the school's details")
    with transaction.atomic():
        store.save_text(school, form.dump(data), user, "approval.approved", submission=submission.pk, version=version)
        _decide(submission, user, Submission.Status.APPROVED, approved_version=version)
        school.status = School.Status.APPROVED
        school.save(update_fields=["status", "updated"])
    request_build(school, user)
    return submission


def signature(data: dict[str, Any], user: Any) -> str:
    """The approver as the cover names them, "<name>, <role>": the profile's headteacher or chair if one of them."""
    name = " ".join(name_of(user).split())
    words = set(name.casefold().split())
    people = data.get("people") or {}
    for key, role in (("headteacher", "Headteacher"), ("chair_of_governors", "Chair of governors")):
        listed = " ".join(str((people.get(key) or {}).get("name") or "").split())
        if listed and words <= set(listed.casefold().split()):
            return f"{listed}, {role}"[:200]
    return f"{name}, for the governing board"[:200]


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
    tokens.spend(submission)
    submission.refresh_from_db()


@dataclass
class Standing:
    """Where a school's approval stands now, and what changed since the text was approved."""

    state: adapter.SignOffState
    approved: Submission | None
    waiting: Submission | None
    changes: list[str]


def standing(school: School, today: dt.date, actor: Any = None) -> Standing:
    """The school's sign-off now, with what changed since the approved text (the status is kept by status.py)."""
    state = adapter.sign_off_state(school.profile_path, today)
    approved = last_approved(school)
    changes = diff(approved.text, state.text) if approved else []
    reassess(school, state.version, actor, "approval page")
    return Standing(state, approved, waiting(school), changes)


def diff(old: str, new: str) -> list[str]:
    """The approved text against the current one, as a unified diff (empty when the words are the same)."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "approved", "now", n=2, lineterm="")
    return list(lines)
