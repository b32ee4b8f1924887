"""Reminders for a school's DSLs: a text that needs re-approval, a review falling due within 30 days,
an approval waiting over 7 days, and staff who have not read the approved version in force.

Shown on the dashboard and the school's page, and e-mailed once a day: every build worker sends
them by itself (a thread that looks every hour), and `policypack reminders` sends them on demand.
A school's reminders are e-mailed at most once a day, whoever sends them: the day is recorded
(ReminderDay) in the same transaction as the sending, so a second worker, or the command run
again, finds it and sends nothing."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from typing import Any

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from policypack.portal import adapter, mail
from policypack.portal.schools.access import Role, record
from policypack.portal.schools.models import School
from policypack.portal.signoff.models import ReminderDay, Submission

log = logging.getLogger("policypack.portal")

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
    """E-mail each school's DSLs its reminders, unless they were e-mailed today; returns how many schools."""
    sent = 0
    for school in School.objects.select_related("trust"):
        found = reminders(school, today)
        if not found or ReminderDay.objects.filter(school=school, day=today).exists():
            continue
        dsls = [m.user.email for m in school.memberships.filter(role=Role.DSL).select_related("user")]
        link = mail.absolute(f"/schools/{school.slug}/")
        try:
            with transaction.atomic():  # the day is kept only if the messages went
                ReminderDay.objects.create(school=school, day=today, count=len(found))
                mail.send("reminders", dsls, {"school": school, "reminders": found, "link": link})
                record(None, "reminders.e-mailed", school.trust, school, to=dsls, reminders=found)
        except IntegrityError:  # another worker sent them a moment ago
            continue
        sent += 1
    return sent


def last_sent(school: School) -> ReminderDay | None:
    return school.reminder_days.order_by("-day").first()


def check_seconds() -> float:
    return float(os.environ.get("POLICYPACK_REMINDER_CHECK_SECONDS") or 3600)


def send_daily(stop: threading.Event, today: Any) -> threading.Thread:
    """A worker's thread: send the day's reminders now, then look again every hour until `stop` is set."""

    def loop() -> None:
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    send_all(today())
                except Exception:  # an SMTP server that is down: the next look tries again
                    log.exception("reminders were not sent")
                if stop.wait(check_seconds()):
                    break
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="daily-reminders", daemon=True)
    thread.start()
    return thread
