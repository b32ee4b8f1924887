"""The public address of a school's approved pack (no sign-in): its web page and PDFs, for its website to link to.

Only a build whose text was approved is ever served here (see publish.py); a school with
none, or a file the publication does not list, is a 404.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from policypack.portal.schools.models import School
from policypack.portal.signoff import publish
from policypack.portal.signoff.models import Publication

# The web page is one self-contained file: its own <style> and data: images, and no script at all.
# Set here, the header is kept by django-csp's middleware, which adds its own only where none is set.
WEB_PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _publication(slug: str) -> Publication:
    school = School.objects.filter(slug=slug).first()
    found = publish.current(school) if school else None
    if found is None:
        raise Http404("nothing published")
    return found


@require_GET
def public_index(request: HttpRequest, slug: str) -> HttpResponse:
    publication = _publication(slug)
    return render(request, "portal/public.html", {"publication": publication, "school": publication.school})


@require_GET
def public_file(request: HttpRequest, slug: str, name: str) -> HttpResponseBase:
    return serve(_publication(slug), name)


def serve(publication: Publication, name: str) -> HttpResponseBase:
    """One published file, shown in the browser: the web page under its own strict CSP, or a PDF."""
    path = publish.public_file(publication, name)
    if path is None:
        raise Http404("no such file")
    kind = "text/html; charset=utf-8" if name == publish.WEB_PAGE else "application/pdf"
    response = FileResponse(path.open("rb"), content_type=kind, filename=name)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = WEB_PAGE_CSP
    return response
