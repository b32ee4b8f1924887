"""The build task a worker runs: claim the job, build through the adapter, record the result."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from policypack.portal import adapter
from policypack.portal.builds.lease import heartbeat, lease_seconds, worker_name
from policypack.portal.builds.models import BuildJob
from policypack.portal.signoff import status
from policypack.portal.signoff.publish import after_build


def today() -> dt.date:
    fixed = os.environ.get("POLICYPACK_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


@task(queue_name="builds")
def run_build(job_id: int) -> str:
    """Build one queued job's school; returns what happened (kept by the task queue)."""
    worker = worker_name()
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = BuildJob.objects.filter(pk=job_id, status=BuildJob.Status.QUEUED).update(
                status=BuildJob.Status.RUNNING, worker=worker, heartbeat=now, started=now, attempts=F("attempts") + 1
            )
    except IntegrityError:  # this school's previous build still runs: try again after it
        later = timezone.now() + dt.timedelta(seconds=lease_seconds() / 5)
        run_build.using(run_after=later).enqueue(job_id)
        return "waiting for the school's running build"
    if not claimed:
        return "already taken or finished"
    job = BuildJob.objects.select_related("school").get(pk=job_id)
    guidance = adapter.guidance_snapshot(Path(settings.DATA) / "guidance")
    with heartbeat(job_id, worker):
        result = adapter.build(job.school.profile_path, job.school.output_root, today())
    files = sorted(p.name for p in result.folder.iterdir() if p.is_file()) if result.folder else []
    manifest = result.folder / "manifest.json" if result.folder else None
    sha = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest and manifest.is_file() else ""
    if result.folder and sha:
        adapter.remove_other_packs(job.school.output_root, result.folder)
    BuildJob.objects.filter(pk=job_id, worker=worker, status=BuildJob.Status.RUNNING).update(
        status=result.status,
        finished=timezone.now(),
        message="\n".join(m for m in (job.message, result.message) if m),  # a retry's note stays
        files=files,
        folder=result.folder.name if result.folder else "",
        manifest_sha256=sha,
        guidance=guidance,
        runs=F("runs") + 1,
    )
    if result.folder and result.status in (BuildJob.Status.BUILT, BuildJob.Status.UNCHANGED):
        status.after_build(job.school, result.folder)  # "needs re-approval" is a fact of the build
        after_build(job.school, result.folder)  # an approved pack goes to the school's public address
    return result.status
