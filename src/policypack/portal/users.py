"""Adding a user from the command line: Django's own user model, password rules and hashing (Argon2)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from policypack.errors import PolicypackError
from policypack.portal.schools.access import record
from policypack.portal.schools.models import Membership, School, Trust


class UserRefused(PolicypackError):
    pass


def add_user(email: str, role: str, slug: str | None, trust_name: str | None, name: str, password: str | None) -> str:
    """Add (or give a new role to) the user with this e-mail; returns the password set."""
    try:
        validate_email(email)
    except ValidationError:
        raise UserRefused(f"'{email}' is not an e-mail address") from None
    school = School.objects.select_related("trust").filter(slug=slug).first() if slug else None
    trust = school.trust if school else Trust.objects.filter(name=trust_name).first()
    if slug and school is None:
        raise UserRefused(f"no school with the slug '{slug}' (see `policypack schools list`)")
    if trust is None:
        raise UserRefused(f"no trust named '{trust_name}' (a trust is made by `policypack schools add`)")
    model = get_user_model()
    user = model.objects.filter(username=email).first() or model(username=email, email=email)
    first, _, last = name.partition(" ")
    user.first_name, user.last_name = (first, last) if name else (user.first_name, user.last_name)
    password = password if password is not None else secrets.token_urlsafe(15)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserRefused("the password is refused: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        Membership.objects.get_or_create(user=user, role=role, trust=trust, school=school)
        record(None, "user.added", trust, school, email=email, role=role)
    return password
