"""Link tokens: 256 random bits from `secrets`, kept only as a SHA-256, each for one purpose and one
person, until it expires. A token is looked up by its digest; nothing about it can be guessed or made."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from policypack.portal.signoff.models import LinkToken, StaffMember

READ_LINK_DAYS = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue(member: StaffMember, purpose: str, days: int = READ_LINK_DAYS) -> str:
    """A new token for this member of staff and purpose; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    LinkToken.objects.create(
        digest=_digest(token), purpose=purpose, member=member, expires=timezone.now() + dt.timedelta(days=days)
    )
    return token


def resolve(token: str, purpose: str) -> StaffMember | None:
    """The member of staff a live token of this purpose was issued to, else None."""
    if not 20 <= len(token) <= 100:
        return None
    found = LinkToken.objects.filter(digest=_digest(token), purpose=purpose, expires__gt=timezone.now())
    link = found.select_related("member__school__trust").first()
    return link.member if link else None
