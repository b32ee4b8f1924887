"""Staff pages: the DSL's staff list (add a member, who has read what), and a member's personal link
(no account) to the staff card and policy with "I have read this"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from policypack.portal.schools.access import editable_school
from policypack.portal.signoff import public, publish, staff, tokens
from policypack.portal.signoff.models import LinkToken, StaffMember

READABLE = ("staff-card.pdf", "policy.pdf", publish.WEB_PAGE)


@login_required
@require_http_methods(["GET", "POST"])
def staff_page(request: HttpRequest, slug: str) -> HttpResponse:
    school = editable_school(request.user, slug)
    problem, added, status = "", None, 200
    if request.method == "POST":
        try:
            added = staff.add(school, request.POST.get("name", ""), request.POST.get("email", ""), request.user)
        except staff.StaffRefused as exc:
            problem, status = str(exc), 400
    context = {
        "school": school,
        "rows": staff.report(school),
        "publication": staff.current(school),
        "problem": problem,
        "added": added,
        "typed": request.POST if problem else {},
    }
    return render(request, "portal/staff.html", context, status=status)


def _member(token: str) -> StaffMember:
    member = tokens.resolve(token, LinkToken.Purpose.READ)
    if member is None:
        raise Http404("this link has expired or is not valid")
    return member


@require_http_methods(["GET", "POST"])
def read_page(request: HttpRequest, token: str) -> HttpResponse:
    member = _member(token)
    publication = staff.current(member.school)
    if request.method == "POST":
        if publication is None or request.POST.get("version") != publication.version:
            raise Http404("that version is no longer the one in force")
        staff.acknowledge(member, publication.version)
        return redirect("read", token=token)
    done = member.acknowledgements.filter(version=publication.version).first() if publication else None
    files = [name for name in READABLE if publication and name in publication.files]
    context = {"member": member, "school": member.school, "publication": publication, "done": done, "files": files}
    response = render(request, "portal/read.html", context)
    # Referrer-Policy stays same-origin (settings): the token never reaches another site's logs, and
    # the browser still sends the Origin that Django's CSRF check compares ("no-referrer" sends null).
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def read_file(request: HttpRequest, token: str, name: str) -> HttpResponseBase:
    member = _member(token)
    publication = staff.current(member.school)
    if publication is None or name not in READABLE:
        raise Http404("no such file")
    return public.serve(publication, name)
