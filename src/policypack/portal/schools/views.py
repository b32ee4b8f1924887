"""Pages for one school: its overview, its profile as a form, export and import of school.yaml."""

from __future__ import annotations

from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policypack.portal.builds.models import BuildJob
from policypack.portal.schools import profile as form
from policypack.portal.schools import store
from policypack.portal.schools.access import (
    admin_trusts,
    can_audit,
    can_edit,
    editable_school,
    roles,
    school_for,
    visible_schools,
)
from policypack.portal.schools.models import AuditEvent, School
from policypack.portal.schools.uploads import UploadRefused, prune_logos, save_logo
from policypack.portal.signoff.reminders import reminders
from policypack.portal.signoff.status import after_save


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    trusts = list(admin_trusts(request.user))
    schools = visible_schools(request.user).select_related("trust")
    return render(request, "portal/home.html", {"trusts": trusts, "schools": schools})


AUDIT_PAGE = 100  # lines per page of the audit log


@login_required
@require_GET
def school_page(request: HttpRequest, slug: str) -> HttpResponse:
    school = school_for(request.user, slug)
    last = BuildJob.objects.filter(school=school).first()
    context = {
        "school": school,
        "last": last,
        "can_edit": can_edit(request.user, school),
        "can_audit": can_audit(request.user, school),
        "roles": roles(request.user, school),
        "reminders": reminders(school, store.today()),
    }
    return render(request, "portal/school.html", context)


def _form_context(school: School, shown: dict[str, Any], problems: dict[str, list[str]], saved: bool) -> dict[str, Any]:
    return {
        "school": school,
        "sections": form.sections(school.nation),
        "values": shown,
        "problems": problems,
        "general": problems.get("", []),
        "saved": saved,
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The profile form; a POST is checked by the same functions as `validate`, and saved if clean."""
    school = editable_school(request.user, slug)
    data = store.read_data(school)
    if request.method == "GET":
        return render(
            request, "portal/profile.html", _form_context(school, form.values(data, school.nation), {}, False)
        )
    try:
        logo = save_logo(school, request.FILES.get(form.LOGO_UPLOAD))
    except UploadRefused as exc:
        problems = {form.LOGO_UPLOAD: [f"error: {exc}"]}
        return render(request, "portal/profile.html", _form_context(school, request.POST, problems, False), status=400)
    new = form.apply(data, request.POST, school.nation, logo)
    text = form.dump(new)
    failed, problems = store.check_candidate(school, text)
    shown = form.values(new, school.nation)
    if failed:
        prune_logos(school)  # a logo sent with a refused form is not kept
        return render(request, "portal/profile.html", _form_context(school, shown, problems, False), status=400)
    changes = store.changed_keys(data, new)
    if changes:
        store.save_text(school, text, request.user, "profile.changed", keys=changes)
        after_save(school, request.user, store.today())
    prune_logos(school)
    return render(request, "portal/profile.html", _form_context(school, shown, problems, True))


@login_required
@require_POST
def profile_check(request: HttpRequest, slug: str) -> HttpResponse:
    """As the DSL types: the form's problems, each swapped in beside its field (htmx)."""
    school = editable_school(request.user, slug)
    new = form.apply(store.read_data(school), request.POST, school.nation)
    _, problems = store.check_candidate(school, form.dump(new))
    context = {"fields": form.all_fields(school.nation), "problems": problems, "general": problems.get("", [])}
    return render(request, "portal/_problems.html", context)


@login_required
@require_GET
def profile_export(request: HttpRequest, slug: str) -> HttpResponse:
    school = school_for(request.user, slug)
    response = HttpResponse(school.profile_path.read_bytes(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{school.slug}.yaml"'
    return response


@login_required
@require_POST
def profile_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Replace the profile with an uploaded school.yaml (checked first; the files it names stay)."""
    school = editable_school(request.user, slug)
    upload = request.FILES.get("profile")
    problems: dict[str, list[str]] = {}
    if upload is None or upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        problems[""] = ["error: choose a school.yaml of at most 2 MB to import"]
    else:
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            text, failed = "", True
            problems[""] = [
                f"error: the file is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8"
            ]
        else:
            failed, problems = store.check_candidate(school, text)
        if not failed:
            old = store.read_data(school)
            store.save_text(
                school, text, request.user, "profile.imported", keys=store.changed_keys(old, yaml.safe_load(text))
            )
            after_save(school, request.user, store.today())
            return redirect("profile", slug=school.slug)
    shown = form.values(store.read_data(school), school.nation)
    context = _form_context(school, shown, {"": [m for ms in problems.values() for m in ms]}, False)
    return render(request, "portal/profile.html", context, status=400)


@login_required
@require_GET
def audit_page(request: HttpRequest, slug: str) -> HttpResponse:
    school = school_for(request.user, slug)
    if not can_audit(request.user, school):
        raise Http404("no such page")
    events = Paginator(AuditEvent.objects.filter(school=school), AUDIT_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/audit.html", {"school": school, "events": events})
