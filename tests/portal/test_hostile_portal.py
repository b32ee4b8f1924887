"""The portal attacked (review of December 2026, cases P01–P15): each case that failed, now held."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from policypack.cli_portal import server_options
from policypack.portal.builds import previews
from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.tasks import run_build
from policypack.portal.schools import profile as form
from policypack.portal.schools.models import AuditEvent
from tests.portal.conftest import Tenant
from tests.portal.test_builds import small
from tests.portal.test_cli_portal import EXAMPLE, run
from tests.portal.test_profile_form import _upload, form_data, problems_beside


def test_a_number_field_with_a_unicode_digit_is_a_problem_beside_it_not_a_server_error(
    tenant: Tenant, client_as: Any
) -> None:
    client = client_as(tenant.users["dsl"])
    for odd in ("²", "9" * 5000):
        values = form_data(client, tenant.school.slug) | {"policy.review_interval_months": odd}
        for url in (f"/schools/{tenant.school.slug}/profile/", f"/schools/{tenant.school.slug}/profile/check/"):
            answer = client.post(url, values)
            assert answer.status_code in (200, 400), (odd[:5], url)
        assert problems_beside(client.post(url.removesuffix("check/"), values).content, "policy.review_interval_months")


def test_a_refused_logo_is_not_kept_and_a_replaced_one_is_removed(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    folder = Path(tenant.school.folder)
    before = sorted(p.name for p in folder.iterdir())
    bomb = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4000  # PNG magic, then noise: refused by the check
    for _ in range(3):
        values = form_data(client, tenant.school.slug) | {form.LOGO_UPLOAD: _upload("logo.png", bomb)}
        assert client.post(f"/schools/{tenant.school.slug}/profile/", values).status_code == 400
    assert sorted(p.name for p in folder.iterdir()) == before
    svg = (EXAMPLE.parent / "crest.svg").read_bytes()
    for size in (b"1", b"2"):  # two good logos saved one after the other: only the last stays
        logo = svg.replace(b"</svg>", b'<rect width="' + size + b'" height="1"/></svg>')
        values = form_data(client, tenant.school.slug) | {form.LOGO_UPLOAD: _upload("logo.svg", logo)}
        assert client.post(f"/schools/{tenant.school.slug}/profile/", values).status_code == 200
    logos = [p.name for p in folder.iterdir() if p.name.startswith("logo-")]
    assert len(logos) == 1 and logos[0] in tenant.school.profile_path.read_text(encoding="utf-8")


def test_an_import_that_is_not_utf8_is_refused_with_a_message(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    before = tenant.school.profile_path.read_bytes()
    broken = before.replace(b"Oakfield Academy", b"Oak\xff\xfe Academy", 1)
    answer = client.post(f"/schools/{tenant.school.slug}/profile/import/", {"profile": _upload("school.yaml", broken)})
    assert answer.status_code == 400
    assert "is not UTF-8 text" in answer.content.decode()
    assert tenant.school.profile_path.read_bytes() == before


def test_the_audit_log_is_for_the_dsl_approvers_and_trust_and_pages_without_losing_lines(
    tenant: Tenant, client_as: Any
) -> None:
    slug = tenant.school.slug
    assert client_as(tenant.users["staff"]).get(f"/schools/{slug}/audit/").status_code == 404
    assert "Audit log" not in client_as(tenant.users["staff"]).get(f"/schools/{slug}/").content.decode()
    for role in ("dsl", "approver", "trust-admin"):
        assert client_as(tenant.users[role]).get(f"/schools/{slug}/audit/").status_code == 200, role
    imported = AuditEvent.objects.get(school=tenant.school, action="school.imported")
    assert imported.detail["source"] == "school.yaml"  # the file's name, not the server's folders
    dsl = client_as(tenant.users["dsl"])
    for _ in range(5):  # a request that joins the build already queued adds no line
        dsl.post(f"/schools/{slug}/build/")
    assert AuditEvent.objects.filter(school=tenant.school, action="build.requested").count() == 1
    for n in range(150):
        AuditEvent.objects.create(trust=tenant.trust, school=tenant.school, action="profile.changed", detail={"n": n})
    first, second = (dsl.get(f"/schools/{slug}/audit/?page={n}").content.decode() for n in (1, 2))
    assert "Page 1 of 2" in first and "Older lines" in first
    assert "school.imported" in second  # the oldest line is still there, on the last page


@pytest.mark.usefixtures("needs_weasyprint")
def test_a_renamed_schools_builds_serve_their_own_pack_and_an_old_build_says_it_was_replaced(
    tenant: Tenant, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYPACK_BUILD_LEASE_SECONDS", "3600")
    small(tenant)
    slug, client = tenant.school.slug, client_as(tenant.users["dsl"])
    client.post(f"/schools/{slug}/build/")
    old = BuildJob.objects.get(school=tenant.school)
    assert run_build.call(old.pk) == "built"
    data = yaml.safe_load(tenant.school.profile_path.read_text(encoding="utf-8"))
    data["school"]["name"] = "Oakfield Park Academy"
    tenant.school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    client.post(f"/schools/{slug}/build/")
    new = BuildJob.objects.filter(school=tenant.school).exclude(pk=old.pk).get()
    assert run_build.call(new.pk) == "built"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/schools/{slug}/builds/{new.pk}/pack.zip").content))
    assert f"{slug}/staff-card.pdf" in archive.namelist()
    assert client.get(f"/schools/{slug}/builds/{old.pk}/files/staff-card.pdf").status_code == 404
    status = client.get(f"/schools/{slug}/builds/{old.pk}/status/").content.decode()
    assert "A later build has replaced this build's files" in status and f"/builds/{new.pk}/" in status
    folders = [p.name for p in tenant.school.output_root.iterdir() if not p.name.startswith(".")]
    assert folders == ["oakfield-park-academy"]  # the old name's pack is gone once the new one is whole


def test_a_preview_that_outlives_its_time_limit_is_stopped_in_its_own_process(
    tenant: Tenant, client_as: Any, monkeypatch: pytest.MonkeyPatch, data_folder: Path
) -> None:
    monkeypatch.setattr(previews, "TIME_LIMIT", 0.05)  # no preview is made in 50 ms: the child is killed
    answer = client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/preview/staff-card.png")
    assert answer.status_code == 409
    assert list((data_folder / "previews" / tenant.school.slug).iterdir()) == []  # no picture, no half-written one


def test_users_add_for_an_existing_user_keeps_their_password(tmp_path: Path) -> None:
    data = tmp_path / "portal-data"
    assert run(data, "schools", "add", str(EXAMPLE), "--trust", "Acorn Trust").returncode == 0
    first = run(data, "users", "add", "t@oak.example.org", "--role", "staff", "--school", "oakfield-academy")
    again = run(data, "users", "add", "t@oak.example.org", "--role", "approver", "--school", "oakfield-academy")
    assert first.stdout.startswith("password for t@oak.example.org: ")
    assert again.returncode == 0 and "its password is unchanged" in again.stdout
    bad = tmp_path / "bad" / "school.yaml"
    bad.parent.mkdir()
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("01632 960 101", "call me"), encoding="utf-8")
    (bad.parent / "crest.svg").write_bytes((EXAMPLE.parent / "crest.svg").read_bytes())
    refused = run(data, "schools", "add", str(bad), "--trust", "Nowhere Trust")
    assert refused.returncode == 1
    made = run(data, "users", "add", "n@x.example.org", "--role", "trust-admin", "--trust", "Nowhere Trust")
    assert made.returncode == 1 and "no trust named 'Nowhere Trust'" in made.stderr  # the refusal left no trust


def test_behind_a_proxy_the_client_address_and_scheme_come_from_that_proxy_alone() -> None:
    direct = server_options({})
    assert "trusted_proxy" not in direct
    assert direct["max_request_body_size"] <= 4 * 1024 * 1024  # a huge body is refused before it is read
    proxied = server_options({"POLICYPACK_TRUSTED_PROXY": "127.0.0.1"})
    assert proxied["trusted_proxy"] == "127.0.0.1" and proxied["trusted_proxy_count"] == 1
    assert proxied["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto"}
