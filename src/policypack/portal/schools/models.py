"""Tenancy as data: every school belongs to one trust; every user reaches schools only through a membership."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school whose profile (school.yaml and the files it names) lives in the data folder."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting-approval", "Awaiting approval"  # set by sign-off (issue 20)
        APPROVED = "approved", "Approved"
        NEEDS_REAPPROVAL = "needs-reapproval", "Needs re-approval"  # the approved text has since changed

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=20)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def folder(self) -> Path:
        """The school's profile folder: school.yaml and its logo, brand and letterhead files."""
        return Path(settings.DATA) / "schools" / self.slug

    @property
    def profile_path(self) -> Path:
        return self.folder / "school.yaml"

    @property
    def output_root(self) -> Path:
        """Where this school's builds are written (one pack folder inside)."""
        return Path(settings.DATA) / "packs" / self.slug


class Membership(models.Model):
    """A user's role for one school, or for a whole trust (trust admins)."""

    class Role(models.TextChoices):
        TRUST_ADMIN = "trust-admin", "Trust administrator"
        DSL = "dsl", "Designated safeguarding lead"
        APPROVER = "approver", "Approver"
        STAFF = "staff", "Staff"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "trust", "school", "role"], name="one_membership_per_role"),
            models.CheckConstraint(
                condition=models.Q(role="trust-admin", school__isnull=True)
                | (~models.Q(role="trust-admin") & models.Q(school__isnull=False)),
                name="trust_admins_hold_a_trust_others_a_school",
            ),
        ]


class AuditEvent(models.Model):
    """Who did what, when: written by the portal, never edited or deleted through it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=254)  # kept when the user is removed
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="audit_events")
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, related_name="audit_events")
    action = models.CharField(max_length=60)
    detail: models.JSONField[Any, Any] = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("an audit event is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("an audit event is never deleted")
