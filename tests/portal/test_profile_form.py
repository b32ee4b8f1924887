"""The profile form: validate's own problems beside their fields; saving, the audit log, the school.yaml round trip."""

from __future__ import annotations

import datetime as dt
from typing import Any

import lxml.html
import yaml

from policypack.portal.schools import profile as form
from policypack.portal.schools.models import AuditEvent
from policypack.validate import validate_school
from tests.portal.conftest import Tenant


def form_data(client: Any, slug: str) -> dict[str, Any]:
    """The form's fields as the browser would send them, read from the page."""
    page = lxml.html.document_fromstring(client.get(f"/schools/{slug}/profile/").content)
    found: dict[str, Any] = {}
    for element in page.xpath("//form[@hx-post]//input | //form[@hx-post]//select | //form[@hx-post]//textarea"):
        name, kind = element.get("name"), element.get("type")
        if kind == "file" or not name:
            continue
        if kind == "checkbox":
            if element.get("checked") is not None:
                found.setdefault(name, []).append(element.get("value"))
        elif element.tag == "select":
            found[name] = next((o.get("value") for o in element.xpath("option[@selected]")), "")
        elif element.tag == "textarea":
            found[name] = element.text or ""
        else:
            found[name] = element.get("value") or ""
    return found


def problems_beside(html: bytes, field: str) -> list[str]:
    page = lxml.html.document_fromstring(html)
    box = page.get_element_by_id("err-" + form.Field(field, "", "text").html_id)
    return [p.text_content() for p in box.xpath("p")]


def test_the_form_shows_every_field_with_the_saved_values(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    values = form_data(client, tenant.school.slug)
    assert values["people.dsl.phone"] == "01632 960 101"
    assert values["people.deputies.1.name"] == "Mrs Grace Okafor"
    assert values["policy.adopted"] == "2026-09-01"
    assert values["brand.color.primary"] == "#1b4965"
    assert values["outputs.formats"] == ["pdf", "docx", "html"]
    page = client.get(f"/schools/{tenant.school.slug}/profile/").content.decode()
    assert "Designated Safeguarding Lead" in page and "Local authority designated officer" in page


def test_a_bad_phone_number_shows_validates_problem_beside_the_field(
    tenant: Tenant, client_as: Any, tmp_path: Any
) -> None:
    client = client_as(tenant.users["dsl"])
    values = form_data(client, tenant.school.slug) | {"people.dsl.phone": "ring the office"}
    checked = client.post(f"/schools/{tenant.school.slug}/profile/check/", values)
    saved = client.post(f"/schools/{tenant.school.slug}/profile/", values)
    # the same profile through the CLI's validate: the same message
    broken = tmp_path / "school.yaml"
    text = tenant.school.profile_path.read_text(encoding="utf-8").replace("01632 960 101", "ring the office")
    broken.write_text(text, encoding="utf-8")
    (tmp_path / "crest.svg").write_bytes((tenant.school.folder / "crest.svg").read_bytes())
    (expected,) = [p for p in validate_school(broken, dt.date(2026, 12, 1)) if p.severity == "error"]
    for html in (checked.content, saved.content):
        (shown,) = problems_beside(html, "people.dsl.phone")
        assert shown == f"error: {expected.message}"
    assert saved.status_code == 400
    assert "01632 960 101" in tenant.school.profile_path.read_text(encoding="utf-8")  # not saved
    assert 'aria-invalid="true"' in saved.content.decode()


def test_a_blank_required_field_is_an_error_beside_it(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    values = form_data(client, tenant.school.slug) | {"contacts.police.name": ""}
    saved = client.post(f"/schools/{tenant.school.slug}/profile/", values)
    assert saved.status_code == 400
    assert problems_beside(saved.content, "contacts.police.name")


def test_saving_a_change_writes_school_yaml_and_the_audit_log(tenant: Tenant, client_as: Any) -> None:
    user = tenant.users["dsl"]
    client = client_as(user)
    values = form_data(client, tenant.school.slug) | {"people.dsl.phone": "01632 960 555", "contacts.lado.email": ""}
    saved = client.post(f"/schools/{tenant.school.slug}/profile/", values)
    shown = lxml.html.document_fromstring(saved.content).xpath("//div[@class='problems']/p | //div[@role='alert']")
    assert saved.status_code == 200, [p.text_content() for p in shown]
    data = yaml.safe_load(tenant.school.profile_path.read_text(encoding="utf-8"))
    assert data["people"]["dsl"]["phone"] == "01632 960 555"
    assert "email" not in data["contacts"]["lado"]
    assert data["brand"]["color"]["primary"] == "oak-blue"  # the palette's name is kept when unchanged
    event = AuditEvent.objects.get(school=tenant.school, action="profile.changed")
    assert event.actor == user
    assert event.detail["keys"] == ["contacts.lado.email", "people.dsl.phone"]
    assert validate_school(tenant.school.profile_path, dt.date(2026, 12, 1)) == []


def test_export_then_import_gives_the_same_profile(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    values = form_data(client, tenant.school.slug) | {"people.dsl.email": "lead@oakfield.example.org"}
    client.post(f"/schools/{tenant.school.slug}/profile/", values)
    exported = client.get(f"/schools/{tenant.school.slug}/profile/export/")
    assert exported["Content-Disposition"] == f'attachment; filename="{tenant.school.slug}.yaml"'
    values = form_data(client, tenant.school.slug) | {"people.dsl.email": "someone@else.example.org"}
    client.post(f"/schools/{tenant.school.slug}/profile/", values)
    upload = _upload("school.yaml", exported.content)
    imported = client.post(f"/schools/{tenant.school.slug}/profile/import/", {"profile": upload})
    assert imported.status_code == 302
    assert tenant.school.profile_path.read_bytes() == exported.content
    assert client.get(f"/schools/{tenant.school.slug}/profile/export/").content == exported.content


def test_importing_a_broken_profile_changes_nothing(tenant: Tenant, client_as: Any, tmp_path: Any) -> None:
    client = client_as(tenant.users["dsl"])
    before = tenant.school.profile_path.read_bytes()
    imported = client.post(
        f"/schools/{tenant.school.slug}/profile/import/", {"profile": _upload("s.yaml", b"school: [")}
    )
    assert imported.status_code == 400
    broken = tmp_path / "school.yaml"
    broken.write_text("school: [", encoding="utf-8")
    (expected,) = validate_school(broken, dt.date(2026, 12, 1))
    page = lxml.html.document_fromstring(imported.content)
    assert f"error: {expected.message}" in page.xpath("string(//div[@role='alert'])")
    assert tenant.school.profile_path.read_bytes() == before


def test_a_logo_that_is_not_an_image_is_refused(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    values = form_data(client, tenant.school.slug) | {form.LOGO_UPLOAD: _upload("logo.png", b"MZ not an image")}
    saved = client.post(f"/schools/{tenant.school.slug}/profile/", values)
    assert saved.status_code == 400
    assert problems_beside(saved.content, form.LOGO_UPLOAD) == ["error: the logo must be a PNG, JPEG or SVG image"]


def test_a_broken_png_logo_gets_the_loaders_image_problem(tenant: Tenant, client_as: Any) -> None:
    client = client_as(tenant.users["dsl"])
    truncated = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    values = form_data(client, tenant.school.slug) | {form.LOGO_UPLOAD: _upload("logo.png", truncated)}
    saved = client.post(f"/schools/{tenant.school.slug}/profile/", values)
    assert saved.status_code == 400
    assert problems_beside(saved.content, form.LOGO_UPLOAD)
    assert "crest.svg" in tenant.school.profile_path.read_text(encoding="utf-8")


def test_staff_and_approvers_cannot_edit(tenant: Tenant, client_as: Any) -> None:
    for role in ("staff", "approver"):
        client = client_as(tenant.users[role])
        assert client.get(f"/schools/{tenant.school.slug}/profile/").status_code == 404
        assert client.get(f"/schools/{tenant.school.slug}/").status_code == 200


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_every_field_in_fields_yaml_has_only_known_keys() -> None:
    known = {"key", "label", "kind", "help", "choices", "optional"}
    spec = yaml.safe_load(form.FIELDS_FILE.read_text(encoding="utf-8"))["sections"]
    assert [f for section in spec for f in section["fields"] if set(f) - known] == []
    assert {f.kind for f in form.all_fields("england")} <= {
        "text",
        "select",
        "url",
        "tel",
        "email",
        "textarea",
        "date",
        "number",
        "checkboxes",
        "color",
        "file",
    }
