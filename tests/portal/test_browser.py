"""Every page of the portal in Chromium, signed in as each role: axe-core finds no WCAG 2.2 AA
violation at 320 px and 1280 px, nothing scrolls sideways, and the CSP blocks nothing the page needs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from policypack.portal.builds.models import BuildJob
from tests.portal.conftest import PASSWORD, ROLES, Tenant, make_tenant
from tests.test_web import AXE, WCAG_22_AA, browser

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("needs_weasyprint")]  # browser: by its fixture
__all__ = ["browser"]  # the fixture, shared with the web page's test
WIDTHS = (320, 1280)
# Playwright's sync API keeps an event loop in this thread; the test's own queries stay synchronous,
# and pytest-django flushes the database after the test, so the flag stays set for the session.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def site(transactional_db: None, live_server: Any, settings: Any) -> tuple[str, Tenant]:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # the test server speaks plain HTTP
    tenant = make_tenant("Acorn Trust")
    BuildJob.objects.create(school=tenant.school, status="built", files=["manifest.json", "staff-card.pdf"])
    return str(live_server.url), tenant


def pages_for(role: str, tenant: Tenant) -> list[str]:
    slug, job = tenant.school.slug, BuildJob.objects.get(school=tenant.school)
    pages = [
        "/",
        f"/schools/{slug}/",
        f"/schools/{slug}/approval/",
        f"/schools/{slug}/guidance/",
        f"/schools/{slug}/builds/{job.pk}/",
    ]
    if role != "staff":
        pages.append(f"/schools/{slug}/audit/")
    if role in ("dsl", "trust-admin"):
        pages += [f"/schools/{slug}/profile/", f"/schools/{slug}/staff/"]
    if role == "trust-admin":
        pages += [f"/trusts/{tenant.trust.pk}/", f"/trusts/{tenant.trust.pk}/checks/"]
    return pages


def check_page(page: Any, width: int, name: str, screenshots: Path) -> None:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the debugger, so the page's CSP stays as it is
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_22_AA
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
    ]
    assert problems == [], f"{name} at {width} px: {json.dumps(problems, indent=1)}"
    page.screenshot(path=str(screenshots / f"portal-{name}-{width}.png"), full_page=True)
    wide = page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5 || e.scrollWidth > e.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.getBoundingClientRect().right)""",
        width,
    )
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    if scrolled > width:
        wide += page.evaluate("""() => [...document.querySelectorAll('main *, header *, footer *')].filter(e => {
            const old = e.style.display; e.style.display = 'none';
            const w = document.documentElement.scrollWidth; e.style.display = old; return w <= innerWidth; })
            .slice(-3).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + e.outerHTML.slice(0, 80))""")
    assert scrolled <= width, f"{name} scrolls sideways at {width} px ({scrolled} px): {wide}"


def sign_in(browser: Any, base: str, email: str, width: int) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(base + "/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return page, refused


def test_every_page_as_every_role(browser: Any, site: tuple[str, Tenant], screenshots: Path) -> None:
    base, tenant = site
    for width in WIDTHS:
        anonymous = browser.new_page(viewport={"width": width, "height": 900})
        anonymous.goto(base + "/sign-in/")
        check_page(anonymous, width, "sign-in", screenshots)
        anonymous.close()
        for role in ROLES:
            page, refused = sign_in(browser, base, tenant.users[role].username, width)
            for path in pages_for(role, tenant):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                check_page(page, width, f"{role}{path.rstrip('/').replace('/', '-') or '-home'}", screenshots)
            assert refused == [], f"the CSP blocked something for {role}: {refused}"
            page.context.close()


def test_the_profile_form_with_a_problem_shown_live(browser: Any, site: tuple[str, Tenant], screenshots: Path) -> None:
    base, tenant = site
    for width in WIDTHS:
        page, refused = sign_in(browser, base, tenant.users["dsl"].username, width)
        page.goto(f"{base}/schools/{tenant.school.slug}/profile/")
        page.fill("#f-people-dsl-phone", "ring the office")
        problem = page.locator("#err-f-people-dsl-phone p")
        problem.wait_for(timeout=10_000)
        assert "a phone number is digits" in problem.inner_text()
        check_page(page, width, "dsl-profile-problem", screenshots)
        assert refused == []
        page.context.close()


def test_the_dsl_changes_a_phone_number_and_the_preview_follows(browser: Any, site: tuple[str, Tenant]) -> None:
    base, tenant = site
    page, _ = sign_in(browser, base, tenant.users["dsl"].username, 1280)
    page.goto(f"{base}/schools/{tenant.school.slug}/profile/")
    before = page.locator("#previews img").first.get_attribute("src")
    page.fill("#f-people-dsl-phone", "01632 960 555")
    page.click("text=Save details")
    page.wait_for_load_state("networkidle")
    assert "Saved" in page.inner_text(".notice")
    after = page.locator("#previews img").first
    assert after.get_attribute("src") != before
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", after.element_handle())
    assert "01632 960 555" in tenant.school.profile_path.read_text(encoding="utf-8")


def test_the_other_trusts_pages_are_not_found_in_the_browser(browser: Any, site: tuple[str, Tenant]) -> None:
    base, tenant = site
    other = make_tenant("Birch Trust")
    page, _ = sign_in(browser, base, other.users["trust-admin"].username, 1280)
    for path in pages_for("trust-admin", tenant)[1:]:
        assert page.goto(base + path).status == 404, path
