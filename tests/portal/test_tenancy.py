"""Tenancy: every address of the portal, visited as a user of another trust, is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, get_resolver

from policypack.portal.builds.models import BuildJob
from tests.portal.conftest import ROLES, Tenant

PUBLIC = {"sign-in", "sign-out", "home"}  # no tenant's data: the sign-in page, sign-out, one's own list


def every_url(tenant: Tenant, job: BuildJob) -> dict[str, str]:
    """Each named address of the app, filled in with the tenant's school, trust and build."""
    values = {
        "slug": tenant.school.slug,
        "pk": job.pk,
        "kind": "staff-card",
        "name": "manifest.json",
        "token": "x" * 43,
    }
    urls = {}
    for pattern in get_resolver().url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        for key, value in values.items():
            route = route.replace(f"<slug:{key}>", str(value)).replace(f"<int:{key}>", str(value))
            route = route.replace(f"<str:{key}>", str(value))
        if route.startswith("trusts/"):
            route = route.replace(str(job.pk), str(tenant.trust.pk), 1)
        assert "<" not in route, route
        urls[str(pattern.name)] = "/" + route
    return urls


def test_every_url_is_listed(tenant: Tenant) -> None:
    job = BuildJob.objects.create(school=tenant.school, status="built", files=["manifest.json"])
    assert len(every_url(tenant, job)) == len(get_resolver().url_patterns)


@pytest.mark.parametrize("role", ROLES)
def test_another_trusts_user_gets_404_everywhere(tenant: Tenant, other: Tenant, role: str, client_as: Any) -> None:
    job = BuildJob.objects.create(school=tenant.school, status="built", files=["manifest.json"])
    client = client_as(other.users[role])
    tried = []
    for name, url in every_url(tenant, job).items():
        if name in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"
            tried.append((method, url, response.status_code))
        assert client.get(url).status_code == 404 or client.post(url).status_code == 404, url
    assert len(tried) == 2 * (len(every_url(tenant, job)) - len(PUBLIC))
    home = client.get("/").content.decode()
    assert f'href="/schools/{tenant.school.slug}/"' not in home and tenant.trust.name not in home
    assert not BuildJob.objects.filter(school=tenant.school).exclude(pk=job.pk).exists()


def test_a_trust_admin_reaches_every_school_of_their_trust_only(tenant: Tenant, other: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["trust-admin"])
    assert client.get(f"/trusts/{tenant.trust.pk}/").status_code == 200
    assert client.get(f"/schools/{tenant.school.slug}/profile/").status_code == 200
    assert client.get(f"/trusts/{other.trust.pk}/").status_code == 404
    assert client.get(f"/schools/{other.school.slug}/").status_code == 404


def test_school_roles_do_not_see_the_trust_dashboard(tenant: Tenant, client_as: Any) -> None:
    for role in ("dsl", "approver", "staff"):
        assert client_as(tenant.users[role]).get(f"/trusts/{tenant.trust.pk}/").status_code == 404
