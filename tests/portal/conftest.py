"""Fixtures for the portal: a data folder per test, two trusts, and a user for every role in each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ROOT
from tests.portal.mailbox import inbox

__all__ = ["inbox"]  # the local SMTP server's fixture, for every portal test

EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"
PASSWORD = "correct-horse-battery-9"
ROLES = ("trust-admin", "dsl", "approver", "staff")


@pytest.fixture(autouse=True)
def data_folder(settings: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    settings.DATA = tmp_path / "data"
    settings.DATA.mkdir()
    # The portal hashes passwords with Argon2, which costs a quarter of a second of CPU a hash
    # on purpose, and every tenant makes four users: a test of the hashing itself is marked
    # `argon2` and keeps the portal's own settings; the others use a fast hasher.
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Path(settings.DATA)


@dataclass
class Tenant:
    trust: Any
    school: Any
    users: dict[str, Any]


def make_tenant(name: str, profile: Path = EXAMPLE) -> Tenant:
    from django.contrib.auth import get_user_model

    from policypack.portal.schools.models import Membership, Trust
    from policypack.portal.schools.store import import_profile

    trust = Trust.objects.create(name=name)
    school = import_profile(profile, trust, None)
    users = {}
    for role in ROLES:
        email = f"{role}@{school.slug}.example.org"
        user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
        Membership.objects.create(user=user, role=role, trust=trust, school=None if role == "trust-admin" else school)
        users[role] = user
    return Tenant(trust, school, users)


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant("Acorn Trust")


@pytest.fixture
def other(db: None) -> Tenant:
    return make_tenant("Birch Trust")


@pytest.fixture
def client_as() -> Callable[[Any], Client]:
    def signed_in(user: Any) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return signed_in
