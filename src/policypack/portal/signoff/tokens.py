"""Link tokens: 256 random bits from `secrets`, kept only as a SHA-256, each for one purpose and one
person, until it expires. A token is looked up by its digest; nothing about it can be guessed or made.

Staff get a reading link (no account); an approver gets a link to one submission, which works
only once they are signed in as themselves, and only until that submission is decided."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.utils import timezone

from policypack.portal.signoff.models import LinkToken, StaffMember, Submission

READ_LINK_DAYS = 60
APPROVE_LINK_DAYS = 30


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue(member: StaffMember, purpose: str, days: int = READ_LINK_DAYS) -> str:
    """A new token for this member of staff and purpose; only its digest is stored."""
    return _issue(purpose, days, member=member)


def issue_for_approver(user: Any, submission: Submission, days: int = APPROVE_LINK_DAYS) -> str:
    """A new token that takes this approver, signed in, to this one submission."""
    return _issue(LinkToken.Purpose.APPROVE, days, user=user, submission=submission)


def _issue(purpose: str, days: int, **owner: Any) -> str:
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days)
    LinkToken.objects.create(digest=_digest(token), purpose=purpose, expires=expires, **owner)
    return token


def resolve(token: str, purpose: str) -> StaffMember | None:
    """The member of staff a live token of this purpose was issued to, else None."""
    if not 20 <= len(token) <= 100:
        return None
    found = LinkToken.objects.filter(digest=_digest(token), purpose=purpose, expires__gt=timezone.now())
    link = found.filter(member__isnull=False).select_related("member__school__trust").first()
    return link.member if link else None


def find(token: str, purpose: str) -> LinkToken | None:
    """The link a token of this purpose belongs to, whatever its state (expired, spent), else None."""
    if not 20 <= len(token) <= 100:
        return None
    found = LinkToken.objects.filter(digest=_digest(token), purpose=purpose)
    return found.select_related("submission__school__trust").first()


def spend(submission: Submission) -> None:
    """The approvers' links to a submission are spent once it is decided."""
    LinkToken.objects.filter(submission=submission, used__isnull=True).update(used=timezone.now())
