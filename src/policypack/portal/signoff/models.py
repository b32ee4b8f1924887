"""A submission for approval, the text it asked to approve, and what became of it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from policypack.portal.schools.models import School


class Submission(models.Model):
    """One "Submit for approval": kept for good, so every approval keeps the text it approved."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Awaiting approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with comments"
        WITHDRAWN = "withdrawn", "Replaced by a later submission"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_by_label = models.CharField(max_length=254)
    submitted = models.DateTimeField(auto_now_add=True)
    version = models.CharField(max_length=8)  # the fingerprint of the text submitted
    text = models.TextField()  # that text, readable: what a later change is compared with
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by_label = models.CharField(max_length=254, blank=True)
    decided = models.DateTimeField(null=True)
    approved_version = models.CharField(max_length=8, blank=True)  # the version the rebuilt pack prints
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(status="waiting"), name="one_waiting_submission"
            )
        ]


class ReminderDay(models.Model):
    """A day on which a school's reminders were e-mailed: at most one a day, whoever sends them."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="reminder_days")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)  # how many reminders the message listed
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "day"], name="one_reminder_message_a_day")]


class Publication(models.Model):
    """An approved build's public files, kept under DATA/published/<slug>/<key>/ and served without sign-in."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="publications")
    key = models.CharField(max_length=40)  # <version>-<inputs digest>: one copy per distinct approved build
    version = models.CharField(max_length=8)
    published = models.DateTimeField(auto_now_add=True)
    files: models.JSONField[Any, Any] = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "key"], name="one_publication_per_build")]


class StaffMember(models.Model):
    """A member of staff who reads the policy through a personal link, without an account."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "email"], name="one_staff_member_per_email")]


class Acknowledgement(models.Model):
    """'I have read this': one member of staff, one approved version of the text."""

    member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="acknowledgements")
    version = models.CharField(max_length=8)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "version"], name="one_acknowledgement_per_version")]


class LinkToken(models.Model):
    """A link's token, stored only as its SHA-256: good for one purpose and one person until it expires.

    A reading link names a member of staff; an approver's link names the approver (a user, who
    must be signed in as that user) and the one submission it asks them to decide.
    """

    class Purpose(models.TextChoices):
        READ = "read", "Read and acknowledge the policy"
        APPROVE = "approve", "Decide one submission for approval"

    digest = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, null=True, related_name="tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, null=True, related_name="tokens")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True)  # an approver's link is spent once its submission is decided
