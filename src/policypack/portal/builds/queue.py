"""Queueing builds on django-tasks' database backend, and taking back jobs whose worker died.

The task queue (django-tasks with django-tasks-db) stores each task as a row that one worker
claims with a locked update. It does not notice a worker that dies mid-task, so each job also
holds a lease here: its worker renews `heartbeat` while it builds, and any worker that finds a
running job whose heartbeat is older than the lease puts it back in the queue (up to
MAX_ATTEMPTS times). A partial unique index allows one running job per school at most.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from policypack.portal.builds.lease import lease_seconds
from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.tasks import run_build
from policypack.portal.schools.models import School

log = logging.getLogger("policypack.portal")
MAX_ATTEMPTS = 3


def request_build(school: School, user: Any) -> BuildJob:
    """Queue a build of the school's pack, or return the one already waiting."""
    return queue_build(school, user)[0]


def queue_build(school: School, user: Any) -> tuple[BuildJob, bool]:
    """The school's queued build, and whether this request queued it (False: it joined one)."""
    try:
        with transaction.atomic():
            job = BuildJob.objects.filter(school=school, status=BuildJob.Status.QUEUED).first()
            if job:
                return job, False
            job = BuildJob.objects.create(school=school, requested_by=user)
            run_build.enqueue(job.pk)  # in the same transaction: both or neither
            return job, True
    except IntegrityError:  # another request queued it a moment ago
        return BuildJob.objects.get(school=school, status=BuildJob.Status.QUEUED), False


def take_back_stalled(now: dt.datetime | None = None) -> int:
    """Put back in the queue every running job whose worker stopped renewing its lease."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=lease_seconds())
    count = 0
    for job in BuildJob.objects.filter(status=BuildJob.Status.RUNNING, heartbeat__lt=cutoff):
        stalled = BuildJob.objects.filter(pk=job.pk, status=BuildJob.Status.RUNNING, heartbeat__lt=cutoff)
        note = f"the worker {job.worker} stopped during attempt {job.attempts}"
        try:
            with transaction.atomic():
                if job.attempts >= MAX_ATTEMPTS:
                    stalled.update(status=BuildJob.Status.FAILED, finished=timezone.now(), message=note)
                elif stalled.update(status=BuildJob.Status.QUEUED, worker="", message=f"{note}; queued again"):
                    run_build.enqueue(job.pk)
                    count += 1
        except IntegrityError:  # a newer request for the school is already queued: it builds the same profile
            stalled.update(
                status=BuildJob.Status.FAILED, finished=timezone.now(), message=f"{note}; rebuilt by a newer request"
            )
        log.warning("build %s of %s: %s", job.pk, job.school_id, note)
    return count


def watch_for_stalled(stop: threading.Event) -> threading.Thread:
    """A worker's thread that takes back stalled jobs every few seconds until `stop` is set."""

    def loop() -> None:
        try:
            while not stop.wait(lease_seconds() / 3):
                close_old_connections()
                take_back_stalled()
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="stalled-builds", daemon=True)
    thread.start()
    return thread
