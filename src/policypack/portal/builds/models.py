"""A build job per request: its state, which worker holds it, and what it made."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models

from policypack.portal.schools.models import School


class BuildJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        BUILT = "built", "Built"
        UNCHANGED = "unchanged", "Up to date"
        FAILED = "failed", "Failed"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="builds")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True)
    finished = models.DateTimeField(null=True)
    attempts = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)  # builds that ran to the end (for "built once" checks)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat = models.DateTimeField(null=True)  # a running job whose heartbeat stops is taken back
    message = models.TextField(blank=True)
    files: models.JSONField[Any, Any] = models.JSONField(default=list)
    # the pack folder it made (named after the school as it was then) and its manifest's SHA-256:
    # its downloads are that pack's, and stop once a later build has replaced it
    folder = models.CharField(max_length=200, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    guidance = models.CharField(max_length=32, blank=True)  # the flows snapshot it was built from

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            # A second request joins the one already queued; and the database itself refuses a
            # second running job for a school, so no two workers ever build one school at once.
            models.UniqueConstraint(fields=["school"], condition=models.Q(status="queued"), name="one_queued_build"),
            models.UniqueConstraint(fields=["school"], condition=models.Q(status="running"), name="one_running_build"),
        ]

    @property
    def replaced(self) -> bool:
        """A finished build whose pack a later build (or a rename) has replaced on disk."""
        if self.status not in (self.Status.BUILT, self.Status.UNCHANGED) or not self.folder:
            return False
        manifest = self.school.output_root / self.folder / "manifest.json"
        try:
            return hashlib.sha256(manifest.read_bytes()).hexdigest() != self.manifest_sha256
        except OSError:
            return True

    @property
    def done(self) -> bool:
        return self.status in {self.Status.BUILT, self.Status.UNCHANGED, self.Status.FAILED}
