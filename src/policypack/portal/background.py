"""What a build worker does besides building, started once when it starts (`policypack worker`)."""

from __future__ import annotations

import threading

import click

from policypack.portal.builds.queue import watch_for_stalled
from policypack.portal.schools.store import today
from policypack.portal.signoff.reminders import send_daily
from policypack.portal.signoff.status import after_upgrade


def start(stop: threading.Event) -> None:
    """Re-assess the approved schools last built from other flows; then, until `stop`, watch for stalled
    builds and send each day's reminders."""
    for school in after_upgrade(today()):
        click.echo(f"{school.slug}: built from other flows; status {school.status}, rebuild queued", err=True)
    watch_for_stalled(stop)
    send_daily(stop, today)
