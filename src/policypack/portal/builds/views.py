"""Building a school's pack from the browser, following its progress, and downloading it; previews."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.previews import KINDS, PreviewBusy, preview_path
from policypack.portal.builds.queue import queue_build
from policypack.portal.schools.access import editable_school, record, school_for
from policypack.portal.schools.models import School


@login_required
@require_POST
def build_school(request: HttpRequest, slug: str) -> HttpResponse:
    school = editable_school(request.user, slug)
    job, new = queue_build(school, request.user)
    if new:  # a request that joins the build already waiting adds nothing to the audit log
        record(request.user, "build.requested", school.trust, school, job=job.pk)
    return redirect("build", slug=school.slug, pk=job.pk)


def _job(request: HttpRequest, slug: str, pk: int) -> tuple[School, BuildJob]:
    school = school_for(request.user, slug)
    return school, get_object_or_404(BuildJob, school=school, pk=pk)


@login_required
@require_GET
def build_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    school, job = _job(request, slug, pk)
    return render(request, "portal/build.html", {"school": school, "job": job, "elapsed": _elapsed(job)})


@login_required
@require_GET
def build_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The job's progress as a fragment; htmx asks for it again every second until the job is done."""
    school, job = _job(request, slug, pk)
    return render(request, "portal/_build_status.html", {"school": school, "job": job, "elapsed": _elapsed(job)})


def _elapsed(job: BuildJob) -> int | None:
    """Whole seconds the running build has taken so far."""
    if job.status != BuildJob.Status.RUNNING or job.started is None:
        return None
    return int((timezone.now() - job.started).total_seconds())


def _pack_files(school: School, job: BuildJob) -> dict[str, Path]:
    """This build's own files: none once a later build (or a new school name) has replaced them."""
    if job.status not in (BuildJob.Status.BUILT, BuildJob.Status.UNCHANGED) or not job.folder or job.replaced:
        raise Http404("this build's pack is not on the server (a later build has replaced it)")
    folder = school.output_root / job.folder
    return {name: folder / name for name in job.files if (folder / name).is_file()}


@login_required
@require_GET
def pack_zip(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    school, job = _job(request, slug, pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in sorted(_pack_files(school, job).items()):
            archive.write(path, f"{school.slug}/{name}")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{school.slug}-pack.zip"'
    return response


@login_required
@require_GET
def pack_file(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponseBase:
    school, job = _job(request, slug, pk)
    files = _pack_files(school, job)
    if name not in files:
        raise Http404("no such file")
    return FileResponse(files[name].open("rb"), as_attachment=True, filename=name)


@login_required
@require_GET
def preview(request: HttpRequest, slug: str, kind: str) -> HttpResponseBase:
    """A PNG of the staff card or staff poster as the saved profile prints it (cached by its content)."""
    school = school_for(request.user, slug)
    if kind not in KINDS:
        raise Http404("no such preview")
    try:
        image = preview_path(school, kind)
    except PreviewBusy:
        busy = HttpResponse("Many previews are being made just now; try again in a minute.", status=503)
        busy["Retry-After"] = "60"
        return busy
    if image is None:
        return HttpResponse("The preview cannot be made until the profile's problems are fixed.", status=409)
    response = FileResponse(image.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
