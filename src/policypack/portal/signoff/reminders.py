"""Reminders for a school's DSLs: a review falling due within 30 days, an approval waiting over 7 days,
and staff who have not read the approved version in force. Shown on the dashboard and the school's
page, and e-mailed by `policypack reminders` (run it daily, e.g. from cron) with the date it is given."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from policypack.portal import adapter, mail
from policypack.portal.schools.access import Role, record
from policypack.portal.schools.models import School
from policypack.portal.signoff.models import Submission

REVIEW_AHEAD_DAYS = 30
APPROVAL_WAIT_DAYS = 7


def reminders(school: School, today: dt.date) -> list[str]:
    """What the school's DSL should act on, in plain words (empty when nothing is due)."""
    found = []
    if school.status == School.Status.NEEDS_REAPPROVAL:
        found.append("The approved text has changed since it was approved: submit it for approval again.")
    review = adapter.next_review(school.profile_path)
    if review and review <= today + dt.timedelta(days=REVIEW_AHEAD_DAYS):
        found.append(f"The policy's review is due by {review:%-d %B %Y}.")
    for waiting in school.submissions.filter(status=Submission.Status.WAITING):
        days = (today - timezone.localtime(waiting.submitted).date()).days
        if days > APPROVAL_WAIT_DAYS:
            found.append(f"The text submitted for approval on {waiting.submitted:%-d %B %Y} has waited {days} days.")
    publication = school.publications.order_by("-published", "-id").first()
    if publication:
        unread = school.staff.exclude(acknowledgements__version=publication.version).count()
        if unread:
            found.append(f"{unread} member(s) of staff have not yet read version {publication.version}.")
    return found


def send_all(today: dt.date) -> int:
    """E-mail each school's DSLs its reminders; returns how many schools had some."""
    sent = 0
    for school in School.objects.select_related("trust"):
        found = reminders(school, today)
        if not found:
            continue
        dsls = [m.user.email for m in school.memberships.filter(role=Role.DSL).select_related("user")]
        link = mail.absolute(f"/schools/{school.slug}/")
        mail.send("reminders", dsls, {"school": school, "reminders": found, "link": link})
        record(None, "reminders.e-mailed", school.trust, school, to=dsls, reminders=found)
        sent += 1
    return sent
