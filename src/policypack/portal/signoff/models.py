"""A submission for approval, the text it asked to approve, and what became of it."""

from __future__ import annotations

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
