"""Tenancy in one place: every view reaches schools only through these queries.

A user sees the schools they hold a role for, and a trust admin every school of their trust.
Anything else is a 404, never a 403, so a user of another trust cannot even tell it exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from policypack.portal.schools.models import AuditEvent, Membership, School, Trust

Role = Membership.Role
EDITORS = {Role.TRUST_ADMIN, Role.DSL}


def visible_schools(user: Any) -> QuerySet[School]:
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(
        Q(memberships__user=user) | Q(trust__memberships__user=user, trust__memberships__role=Role.TRUST_ADMIN)
    ).distinct()


def school_for(user: Any, slug: str) -> School:
    try:
        return visible_schools(user).select_related("trust").get(slug=slug)
    except School.DoesNotExist:
        raise Http404("no such school") from None


def admin_trusts(user: Any) -> QuerySet[Trust]:
    if not user.is_authenticated:
        return Trust.objects.none()
    return Trust.objects.filter(memberships__user=user, memberships__role=Role.TRUST_ADMIN).distinct()


def trust_for(user: Any, pk: int) -> Trust:
    try:
        return admin_trusts(user).get(pk=pk)
    except Trust.DoesNotExist:
        raise Http404("no such trust") from None


def roles(user: Any, school: School) -> set[str]:
    found = set(
        Membership.objects.filter(user=user)
        .filter(Q(school=school) | Q(trust=school.trust, role=Role.TRUST_ADMIN))
        .values_list("role", flat=True)
    )
    return found


def can_edit(user: Any, school: School) -> bool:
    return bool(roles(user, school) & EDITORS)


def editable_school(user: Any, slug: str) -> School:
    """A school this user may change (its DSL or trust admin); anyone else gets the 404 of a
    school that does not exist."""
    school = school_for(user, slug)
    if not can_edit(user, school):
        raise Http404("no such page")
    return school


def can_audit(user: Any, school: School) -> bool:
    """The audit log names every user and what they did: the DSL, the approvers and the trust see it."""
    return bool(roles(user, school) & (EDITORS | {Role.APPROVER}))


def record(
    actor: Any, action: str, trust: Trust, school: School | None = None, label: str = "", **detail: Any
) -> AuditEvent:
    """Add one line to the audit log (who, when, what); LABEL names an actor without an account (staff)."""
    label = label or getattr(actor, "email", "") or getattr(actor, "username", "") or "policypack command line"
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        trust=trust,
        school=school,
        action=action,
        detail=detail,
    )
