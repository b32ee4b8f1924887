"""A trust's dashboard: every school's status, build all, and what changed in the guidance since each build."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from policypack.portal import adapter
from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.queue import request_build
from policypack.portal.schools import store
from policypack.portal.schools.access import record, school_for, trust_for
from policypack.portal.schools.models import School
from policypack.portal.signoff.models import ReminderDay
from policypack.portal.signoff.reminders import last_sent, reminders

REVIEW_SOON_DAYS = 30


@dataclass
class Row:
    school: School
    last: BuildJob | None  # the last build that made a pack
    latest: BuildJob | None  # the latest build, whatever became of it
    next_review: dt.date | None
    review_due: bool
    older_guidance: bool
    reminders: list[str]
    reminded: ReminderDay | None  # when the DSL was last e-mailed them


def guidance_store() -> Path:
    return Path(settings.DATA) / "guidance"


def row(school: School, current: str, today: dt.date) -> Row:
    done = BuildJob.objects.filter(school=school, status__in=[BuildJob.Status.BUILT, BuildJob.Status.UNCHANGED])
    last = done.first()
    next_review = adapter.next_review(school.profile_path)
    return Row(
        school,
        last,
        BuildJob.objects.filter(school=school).first(),
        next_review,
        bool(next_review and next_review <= today + dt.timedelta(days=REVIEW_SOON_DAYS)),
        bool(last and last.guidance and last.guidance != current),
        reminders(school, today),
        last_sent(school),
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    trust = trust_for(request.user, pk)
    current = adapter.guidance_snapshot(guidance_store())
    rows = [row(school, current, store.today()) for school in trust.schools.all()]
    return render(request, "portal/dashboard.html", {"trust": trust, "rows": rows})


@login_required
@require_POST
def build_all(request: HttpRequest, pk: int) -> HttpResponse:
    trust = trust_for(request.user, pk)
    jobs = [request_build(school, request.user).pk for school in trust.schools.all()]
    record(request.user, "build.all-requested", trust, None, jobs=jobs)
    return redirect("dashboard", pk=trust.pk)


@login_required
@require_GET
def guidance_changes(request: HttpRequest, slug: str) -> HttpResponse:
    """What changed in the school's nation's flows since its last pack was built (`policypack diff`)."""
    school = school_for(request.user, slug)
    current = adapter.guidance_snapshot(guidance_store())
    last = row(school, current, store.today()).last
    changes = (
        adapter.guidance_changes(guidance_store(), last.guidance, current, school.nation)
        if last and last.guidance and last.guidance != current
        else []
    )
    return render(request, "portal/guidance.html", {"school": school, "last": last, "changes": changes})
