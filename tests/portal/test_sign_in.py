"""Signing in: Argon2, throttled after repeated failures, secure cookies, and a CSP with no inline script."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.portal.conftest import PASSWORD, Tenant


def test_pages_need_a_sign_in(tenant: Tenant) -> None:
    response = Client().get(f"/schools/{tenant.school.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.argon2
def test_a_user_signs_in_and_sees_their_school(tenant: Tenant) -> None:
    client = Client()
    signed = client.post("/sign-in/", {"username": tenant.users["dsl"].username, "password": PASSWORD})
    assert signed.status_code == 302
    home = client.get("/")
    assert tenant.school.name in home.content.decode()
    assert tenant.users["dsl"].password.startswith("argon2$argon2id$")


def test_sign_in_is_throttled_after_five_wrong_passwords(tenant: Tenant) -> None:
    client = Client()
    email = tenant.users["dsl"].username
    for _ in range(5):
        wrong = client.post("/sign-in/", {"username": email, "password": "not-the-password"})
    assert wrong.status_code in (200, 429)
    locked = client.post("/sign-in/", {"username": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_headers_forbid_inline_script_and_framing(tenant: Tenant, client_as: Any) -> None:
    response = client_as(tenant.users["dsl"]).get("/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert b"<script>" not in response.content and b" on" + b"click=" not in response.content


def test_session_and_csrf_cookies_are_secure(tenant: Tenant) -> None:
    client = Client()
    page = client.get("/sign-in/")
    assert page.cookies["csrftoken"]["secure"]
    signed = client.post("/sign-in/", {"username": tenant.users["dsl"].username, "password": PASSWORD})
    cookie = signed.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]


def test_sign_in_form_needs_the_csrf_token(tenant: Tenant) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/sign-in/", {"username": tenant.users["dsl"].username, "password": PASSWORD})
    assert refused.status_code == 403
