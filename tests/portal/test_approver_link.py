"""The approver's e-mailed link: a single-purpose, expiring, unguessable token, bound to that approver and
that submission; it leads, after sign-in, to the Approval page; any other use is a plain page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from policypack.portal.schools.models import AuditEvent
from policypack.portal.signoff.models import LinkToken, Submission
from tests.portal.conftest import PASSWORD, Tenant
from tests.portal.mailbox import Inbox
from tests.portal.test_signoff import TODAY, submitted

BASE = "https://portal.example.org"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPACK_TODAY", TODAY.isoformat())


def emailed_link(inbox: Inbox, user: Any) -> str:
    (message,) = inbox.to(user.email)
    return Inbox.link(message).removeprefix(BASE)


def plain(response: Any) -> str:
    text: str = response.content.decode()
    assert "Traceback" not in text and "<form" not in text.split("<main", 1)[-1]
    return text


def test_each_approver_gets_their_own_link_which_leads_after_sign_in_to_the_approval_page(
    tenant: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    approver = tenant.users["approver"]
    second = approver.__class__.objects.create_user(username="chair@x.org", email="chair@x.org", password=PASSWORD)
    tenant.school.memberships.create(user=second, role="approver", trust=tenant.trust)
    submission = submitted(tenant, client_as)
    mine, theirs = emailed_link(inbox, approver), emailed_link(inbox, second)
    assert mine.startswith("/approve/") and mine != theirs and len(mine.split("/")[2]) >= 43
    token = mine.split("/")[2]
    assert not LinkToken.objects.filter(digest__contains=token).exists()  # only a digest is kept
    assert mine == f"/approve/{token}/" and tenant.school.slug not in mine  # nothing but the token

    anonymous = Client()
    to_sign_in = anonymous.get(mine)
    assert to_sign_in.status_code == 302 and to_sign_in["Location"].startswith("/sign-in/?next=/approve/")
    signed_in = anonymous.post(to_sign_in["Location"], {"username": approver.username, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == mine
    landed = anonymous.get(mine)
    assert landed.status_code == 302 and landed["Location"] == f"/schools/{tenant.school.slug}/approval/#waiting"
    page = anonymous.get(landed["Location"]).content.decode()
    assert "Approve" in page and submission.version in page
    followed = AuditEvent.objects.get(school=tenant.school, action="approval.link-followed")
    assert followed.actor == approver and followed.detail == {"submission": submission.pk}

    # another user's link, even another approver's of the same school, is not theirs to follow
    refused = client_as(approver).get(theirs)
    assert refused.status_code == 403 and "This link was sent to someone else" in plain(refused)
    for role in ("dsl", "staff", "trust-admin"):
        assert client_as(tenant.users[role]).get(mine).status_code == 403
    refusals = AuditEvent.objects.filter(school=tenant.school, action="approval.link-refused")
    assert sorted(refusals.values_list("actor_label", flat=True)) == sorted(
        [approver.email, *(tenant.users[role].email for role in ("dsl", "staff", "trust-admin"))]
    )  # someone trying another's link is on the record

    # once the submission is decided, every link to it is spent
    assert anonymous.post(f"/schools/{tenant.school.slug}/approval/{submission.pk}/approve/").status_code == 302
    spent = client_as(second).get(theirs)
    assert spent.status_code == 410 and "This link can no longer be used" in plain(spent)
    assert not LinkToken.objects.filter(submission=submission, used__isnull=True).exists()


def test_an_expired_a_replaced_and_a_made_up_link_give_a_plain_page(
    tenant: Tenant, other: Tenant, client_as: Callable[[Any], Client], inbox: Inbox
) -> None:
    approver = tenant.users["approver"]
    submitted(tenant, client_as)
    link = emailed_link(inbox, approver)
    LinkToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    expired = client_as(approver).get(link)
    assert expired.status_code == 410 and "This link can no longer be used" in plain(expired)

    inbox.messages.clear()
    assert client_as(tenant.users["dsl"]).post(f"/schools/{tenant.school.slug}/approval/submit/").status_code == 302
    fresh = emailed_link(inbox, approver)
    assert client_as(approver).get(fresh).status_code == 302
    assert Submission.objects.filter(school=tenant.school, status="withdrawn").count() == 1
    inbox.messages.clear()
    client_as(tenant.users["dsl"]).post(f"/schools/{tenant.school.slug}/approval/submit/")  # replaces it
    replaced = client_as(approver).get(fresh)
    assert replaced.status_code == 410

    for made_up in ("/approve/" + "x" * 43 + "/", "/approve/short/", "/approve/" + "%00" * 30 + "/"):
        for client in (Client(), client_as(approver), client_as(other.users["approver"])):
            response = client.get(made_up)
            assert response.status_code == 404 and "This link is not valid" in plain(response), made_up
    assert client_as(other.users["approver"]).get(emailed_link(inbox, approver)).status_code == 403
    assert client_as(approver).post(fresh).status_code == 405
