"""Building a school's pack from the browser, following its progress, and downloading it; previews."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from policypack.errors import PolicypackError
from policypack.portal import adapter
from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.queue import request_build
from policypack.portal.schools.access import can_edit, record, school_for
from policypack.portal.schools.models import School
from policypack.portal.schools.store import today
from policypack.workers import run_here

PREVIEWS = {"staff-card": adapter.preview_staff_card, "staff-poster": adapter.preview_poster}
PREVIEW_TIME_LIMIT = 60.0
_preview_lock = threading.Lock()  # the memory cap is per process: one preview at a time


@login_required
@require_POST
def build_school(request: HttpRequest, slug: str) -> HttpResponse:
    school = school_for(request.user, slug)
    if not can_edit(request.user, school):
        raise Http404("no such page")
    job = request_build(school, request.user)
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
    if job.status not in (BuildJob.Status.BUILT, BuildJob.Status.UNCHANGED) or not school.output_root.is_dir():
        raise Http404("this build made no pack")
    folders = [p for p in school.output_root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    if len(folders) != 1:
        raise Http404("no pack")
    return {name: folders[0] / name for name in job.files if (folders[0] / name).is_file()}


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
    if kind not in PREVIEWS:
        raise Http404("no such preview")
    image = preview_path(school, kind)
    if image is None:
        return HttpResponse("The preview cannot be made until the profile's problems are fixed.", status=409)
    response = FileResponse(image.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def preview_key(school: School) -> str:
    return hashlib.sha256(school.profile_path.read_bytes()).hexdigest()[:16]


def preview_path(school: School, kind: str) -> Path | None:
    folder = Path(settings.DATA) / "previews" / school.slug
    image = folder / f"{kind}-{preview_key(school)}.png"
    if image.is_file():
        return image
    folder.mkdir(parents=True, exist_ok=True)
    with _preview_lock:
        try:
            run_here(PREVIEWS[kind], (school.profile_path, image, today()), PREVIEW_TIME_LIMIT)
        except (PolicypackError, MemoryError):
            return None
    for old in folder.glob(f"{kind}-*.png"):
        if old != image:
            old.unlink(missing_ok=True)
    return image
