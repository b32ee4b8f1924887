"""The approval page: submit (a DSL), approve or return with comments (an approver), and what changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policypack.portal.schools import store
from policypack.portal.schools.access import Role, can_edit, editable_school, record, roles, school_for, trust_for
from policypack.portal.schools.models import School
from policypack.portal.signoff import approval, checks, tokens
from policypack.portal.signoff.models import LinkToken, Submission

MAX_COMMENTS = 4000


def _page(request: HttpRequest, school: School, status: int = 200, **extra: Any) -> HttpResponse:
    held = roles(request.user, school)
    context = {
        "school": school,
        "standing": approval.standing(school, store.today(), request.user),
        "can_submit": can_edit(request.user, school),
        "can_decide": Role.APPROVER in held,
        "checkers": approval.checkers(school),
        "history": school.submissions.all()[:20],
        **extra,
    }
    return render(request, "portal/approval.html", context, status=status)


@login_required
@require_GET
def approval_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, school_for(request.user, slug))


def _plain(request: HttpRequest, status: int, heading: str, advice: str) -> HttpResponse:
    """A short page for a link that cannot be followed: what happened and what to do, nothing else."""
    response = render(request, "portal/link.html", {"heading": heading, "advice": advice}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def approver_link(request: HttpRequest, token: str) -> HttpResponse:
    """An approver's e-mailed link: once they are signed in as themselves, the Approval page of its submission."""
    link = tokens.find(token, LinkToken.Purpose.APPROVE)
    if link is None or link.submission is None:
        return _plain(request, 404, "This link is not valid", "Check that the whole address in the e-mail was copied.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    submission = link.submission
    school = submission.school
    if link.user_id != request.user.pk or Role.APPROVER not in roles(request.user, school):
        advice = "It works only for the approver it was e-mailed to. Sign out, then sign in as that person."
        record(request.user, "approval.link-refused", school.trust, school, submission=submission.pk)
        return _plain(request, 403, "This link was sent to someone else", advice)
    if link.used or link.expires <= timezone.now() or submission.status != Submission.Status.WAITING:
        advice = "The submission it was for has been decided or replaced, or the link is too old. "
        advice += "Your list of schools leads to each school's Approval page."
        return _plain(request, 410, "This link can no longer be used", advice)
    record(request.user, "approval.link-followed", school.trust, school, submission=submission.pk)
    return redirect(reverse("approval", kwargs={"slug": school.slug}) + "#waiting")


@login_required
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    school = editable_school(request.user, slug)
    try:
        approval.submit(school, request.user, store.today())
    except approval.Refused as exc:
        return _page(request, school, 400, refused=str(exc), pending=exc.pending)
    return redirect("approval", slug=school.slug)


def _deciding(request: HttpRequest, slug: str, pk: int) -> Submission:
    school = school_for(request.user, slug)
    if Role.APPROVER not in roles(request.user, school):
        raise Http404("no such page")
    return get_object_or_404(Submission, pk=pk, school=school)


@login_required
@require_POST
def approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    submission = _deciding(request, slug, pk)
    try:
        approval.approve(submission, request.user, store.today())
    except approval.Refused as exc:
        return _page(request, submission.school, 409, refused=str(exc))
    return redirect("approval", slug=submission.school.slug)


@login_required
@require_POST
def send_back(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    submission = _deciding(request, slug, pk)
    comments = request.POST.get("comments", "").strip()
    if not comments or len(comments) > MAX_COMMENTS:
        problem = f"Say what should change (at most {MAX_COMMENTS} characters) before returning the text."
        return _page(request, submission.school, 400, comment_problem=problem, comments=comments[:MAX_COMMENTS])
    try:
        approval.send_back(submission, request.user, comments)
    except approval.Refused as exc:
        return _page(request, submission.school, 409, refused=str(exc))
    return redirect("approval", slug=submission.school.slug)


@login_required
@require_http_methods(["GET", "POST"])
def trust_checks(request: HttpRequest, pk: int) -> HttpResponse:
    """The trust's pending parts, each with a form to record a check (trust administrators only)."""
    trust = trust_for(request.user, pk)
    today = store.today()
    problem, done, status, parts = "", None, 200, 0
    if request.method == "POST":
        try:
            every = request.POST.get("every")  # "all the parts of this source" rather than those ticked
            keys = checks.keys_of(trust, every, today) if every else request.POST.getlist("part")
            done = checks.record_checks(trust, keys, request.POST, request.user, today)
            parts = len(set(keys))
        except checks.CheckRefused as exc:
            problem, status = str(exc), 400
    context = {
        "trust": trust,
        "groups": checks.by_source(checks.pending(trust, today)),
        "today": today,
        "problem": problem,
        "done": done,
        "parts": parts,
        "chosen": request.POST.getlist("part") if problem else [],  # kept ticked after a problem
    }
    return render(request, "portal/checks.html", context, status=status)
