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


def add_user(
    email: str, role: str, slug: str | None, trust_name: str | None, name: str, password: str | None
) -> str | None:
    """Add the user with this e-mail, or give an existing one a new role; returns the password set.

    An existing user keeps their password unless one is given: adding a role to someone is
    never a way to lock them out (None is returned then).
    """
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
    existing = model.objects.filter(username=email).first()
    user = existing or model(username=email, email=email)
    first, _, last = name.partition(" ")
    user.first_name, user.last_name = (first, last) if name else (user.first_name, user.last_name)
    if existing is not None and password is None:
        chosen = None
    else:
        chosen = password if password is not None else secrets.token_urlsafe(15)
        try:
            validate_password(chosen, user)
        except ValidationError as exc:
            raise UserRefused("the password is refused: " + " ".join(exc.messages)) from None
    with transaction.atomic():
        if chosen is not None:
            user.set_password(chosen)
        user.save()
        Membership.objects.get_or_create(user=user, role=role, trust=trust, school=school)
        record(None, "user.added", trust, school, email=email, role=role)
    return chosen
