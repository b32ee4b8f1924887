"""A running build's lease: its worker's name, and the heartbeat that keeps the job its own."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection
from django.utils import timezone

from policypack.portal.builds.models import BuildJob


def lease_seconds() -> float:
    return float(os.environ.get("POLICYPACK_BUILD_LEASE_SECONDS", "30"))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def heartbeat(job_id: int, worker: str) -> Iterator[None]:
    """Renew the job's lease from a thread while the build runs in this one."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(lease_seconds() / 5):
                try:
                    BuildJob.objects.filter(pk=job_id, worker=worker).update(heartbeat=timezone.now())
                except OperationalError:  # the database is busy (SQLite locked): beat again next time
                    continue
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
