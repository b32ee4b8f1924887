"""The example trust for `make serve`: Oakfield Academy and one user per role, with fresh passwords."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from policypack.portal.schools.models import Membership, School, Trust
from policypack.portal.schools.store import import_profile
from policypack.resources import bundled_path

TRUST = "Example Learning Trust"
USERS = [
    ("dsl@example.org", "Priya Raman", Membership.Role.DSL),
    ("head@example.org", "Helen Marsh", Membership.Role.APPROVER),
    ("staff@example.org", "Sam Taylor", Membership.Role.STAFF),
    ("trust@example.org", "Alex Morgan", Membership.Role.TRUST_ADMIN),
]


def ensure_demo() -> list[tuple[str, str, str]]:
    """Create the example trust, school and users if missing; give each user a new password.

    Returns (e-mail, password, role) for each, to print.
    """
    with transaction.atomic():
        trust, _ = Trust.objects.get_or_create(name=TRUST)
        school = School.objects.filter(trust=trust).first()
        if school is None:
            school = import_profile(bundled_path("examples") / "oakfield" / "school.yaml", trust, None)
        signed_in = []
        for email, name, role in USERS:
            user = get_user_model().objects.filter(username=email).first() or get_user_model()(username=email)
            user.email, (user.first_name, user.last_name) = email, name.split(" ", 1)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            Membership.objects.get_or_create(
                user=user, trust=trust, role=role, school=None if role == Membership.Role.TRUST_ADMIN else school
            )
            signed_in.append((email, password, str(role)))
    return signed_in
