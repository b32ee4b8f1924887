"""A trust's dashboard: each school's status, build all, and what changed in the guidance since its last build."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import lxml.html
import yaml

from policypack.portal import adapter
from policypack.portal.builds.models import BuildJob
from policypack.portal.schools.dashboard import guidance_store
from policypack.portal.schools.store import import_profile
from tests.conftest import FLOWS
from tests.portal.conftest import EXAMPLE, Tenant


def row_texts(html: bytes) -> dict[str, dict[str, str]]:
    """Each school's row: its cells by their column's label."""
    page = lxml.html.document_fromstring(html)
    return {
        row.xpath("string(th)").strip(): {
            td.get("data-label"): " ".join(td.text_content().split()) for td in row.xpath("td")
        }
        for row in page.xpath("//tbody/tr")
    }


def older_guidance(data: Path) -> str:
    """A snapshot of the flows as they were before a step of the staff response was reworded."""
    old = data / "old-flows"
    shutil.copytree(FLOWS, old)
    staff = old / "england" / "staff-response.yaml"
    text = staff.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    step = document["steps"][1]
    assert step["title"] in text
    staff.write_text(text.replace(step["title"], step["title"] + " at once", 1), encoding="utf-8")
    name = "0" * 16
    shutil.copytree(old, guidance_store() / name)
    return name


def test_the_dashboard_lists_every_school_with_its_status(tenant: Tenant, client_as: Any, data_folder: Path) -> None:
    second = import_profile(EXAMPLE, tenant.trust, None)
    current = adapter.guidance_snapshot(guidance_store())
    BuildJob.objects.create(school=tenant.school, status="built", guidance=current, files=["manifest.json"])
    BuildJob.objects.create(school=second, status="built", guidance=older_guidance(data_folder))
    second.name = "Second Oakfield"
    second.save()
    rows = row_texts(client_as(tenant.users["trust-admin"]).get(f"/trusts/{tenant.trust.pk}/").content)
    assert set(rows) == {"Oakfield Academy", "Second Oakfield"}
    assert rows["Oakfield Academy"]["Status"] == "Draft"
    assert rows["Oakfield Academy"]["Last build"].startswith("Built; pack of ")
    assert rows["Oakfield Academy"]["Guidance"] == "current"
    assert rows["Second Oakfield"]["Guidance"] == "built from older guidance: see changes"
    assert all(row["Next review"] == "1 Sep 2027" for row in rows.values())


def test_the_guidance_page_shows_the_changed_step_as_diff_prints_it(
    tenant: Tenant, client_as: Any, data_folder: Path
) -> None:
    adapter.guidance_snapshot(guidance_store())
    BuildJob.objects.create(school=tenant.school, status="built", guidance=older_guidance(data_folder))
    page = client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/guidance/").content.decode()
    assert "was built from older guidance" in page
    assert "at once" in page and "staff" in page


def test_a_school_built_from_the_current_guidance_has_nothing_to_show(tenant: Tenant, client_as: Any) -> None:
    current = adapter.guidance_snapshot(guidance_store())
    BuildJob.objects.create(school=tenant.school, status="built", guidance=current)
    page = client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/guidance/").content.decode()
    assert "no steps have changed since" in page


def test_build_all_queues_one_build_per_school_and_logs_it(tenant: Tenant, client_as: Any) -> None:
    import_profile(EXAMPLE, tenant.trust, None)
    client = client_as(tenant.users["trust-admin"])
    assert client.post(f"/trusts/{tenant.trust.pk}/build-all/").status_code == 302
    client.post(f"/trusts/{tenant.trust.pk}/build-all/")  # twice: the queued builds are joined, not doubled
    assert BuildJob.objects.filter(status="queued").count() == 2
    assert tenant.trust.audit_events.filter(action="build.all-requested").count() == 2
