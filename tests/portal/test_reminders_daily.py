"""Reminders without cron: e-mailed at most once a day per school, whoever sends them (each worker's
daily thread, or `policypack reminders`), on a fixed clock; shown on the dashboard with the day sent."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from policypack.portal.schools.models import AuditEvent
from policypack.portal.signoff.models import ReminderDay, Submission
from policypack.portal.signoff.reminders import send_all, send_daily
from tests.portal.conftest import Tenant, make_tenant
from tests.portal.mailbox import Inbox, free_port
from tests.portal.test_signoff import TODAY, submitted


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())


def test_a_schools_reminders_are_emailed_once_a_day_whoever_sends_them(
    tenant: Tenant,
    client_as: Callable[[Any], Client],
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
    cli: Any,
    settings: Any,
) -> None:
    monkeypatch.setenv("POLICYPACK_DATA", str(settings.DATA))
    dsl = tenant.users["dsl"].email
    submission = submitted(tenant, client_as)
    Submission.objects.filter(pk=submission.pk).update(submitted=timezone.now() - dt.timedelta(days=8))
    inbox.messages.clear()

    assert send_all(TODAY) == 1
    assert send_all(TODAY) == 0  # a second worker's look the same day
    assert cli("reminders").exit_code == 0  # the command on the same day sends nothing more
    (message,) = inbox.to(dsl)
    assert "has waited 8 days" in Inbox.body(message)
    assert ReminderDay.objects.get(school=tenant.school).day == TODAY

    tomorrow = TODAY + dt.timedelta(days=1)
    monkeypatch.setenv("POLICYPACK_TODAY", tomorrow.isoformat())
    assert cli("reminders").exit_code == 0
    assert send_all(tomorrow) == 0
    assert [("has waited 9 days" in Inbox.body(m)) for m in inbox.to(dsl)] == [False, True]
    assert AuditEvent.objects.filter(school=tenant.school, action="reminders.e-mailed").count() == 2
    page = client_as(tenant.users["trust-admin"]).get(f"/trusts/{tenant.trust.pk}/").content.decode()
    assert "Reminders last e-mailed to the DSL on 4 Dec 2026." in page


def test_a_day_whose_email_failed_is_sent_at_the_next_look(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox, settings: Any
) -> None:
    submission = submitted(tenant, client_as)
    Submission.objects.filter(pk=submission.pk).update(submitted=timezone.now() - dt.timedelta(days=8))
    inbox.messages.clear()
    working = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the SMTP server is down
    with pytest.raises(OSError):
        send_all(TODAY)
    assert not ReminderDay.objects.exists() and not AuditEvent.objects.filter(action="reminders.e-mailed").exists()
    settings.EMAIL_PORT = working
    assert send_all(TODAY) == 1 and len(inbox.to(tenant.users["dsl"].email)) == 1


@pytest.mark.django_db(transaction=True)  # the worker's thread has its own connection: it sees committed rows
def test_a_workers_thread_sends_the_days_reminders_by_itself_once_a_day(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant("Acorn Trust")
    waiting = Submission.objects.create(school=tenant.school, submitted_by_label="x", version="0badc0de", text="")
    Submission.objects.filter(pk=waiting.pk).update(submitted=timezone.now() - dt.timedelta(days=8))
    monkeypatch.setenv("POLICYPACK_REMINDER_CHECK_SECONDS", "0.05")  # it looks every hour; here, often
    clock = [TODAY]
    stop = threading.Event()
    thread = send_daily(stop, lambda: clock[0])

    def arrived(count: int) -> bool:
        return wait_for(lambda: len(inbox.to(tenant.users["dsl"].email)) >= count)

    try:
        assert arrived(1)
        time.sleep(0.5)  # ten more looks on the same day
        assert len(inbox.to(tenant.users["dsl"].email)) == 1
        clock[0] = TODAY + dt.timedelta(days=1)
        assert arrived(2)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert list(ReminderDay.objects.order_by("day").values_list("day", flat=True)) == [
        clock[0] - dt.timedelta(1),
        clock[0],
    ]


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
