"""Builds from the portal: queued once per school, run by the same batch code, retried when a worker dies."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone

from policypack.portal.builds.models import BuildJob
from policypack.portal.builds.queue import request_build, take_back_stalled
from policypack.portal.builds.tasks import run_build
from tests.portal.conftest import Tenant

pytestmark = pytest.mark.usefixtures("needs_weasyprint")


@pytest.fixture(autouse=True)
def long_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    """No heartbeat during these builds: the test's database is this process's, and one thread's."""
    monkeypatch.setenv("POLICYPACK_BUILD_LEASE_SECONDS", "3600")


def small(tenant: Tenant) -> None:
    """The staff card alone: a build of a second or so."""
    data = yaml.safe_load(tenant.school.profile_path.read_text(encoding="utf-8"))
    data["outputs"] = {"documents": ["staff-card", "parent-leaflet"], "formats": ["pdf"]}
    tenant.school.profile_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_a_second_request_joins_the_queued_build(tenant: Tenant) -> None:
    first = request_build(tenant.school, tenant.users["dsl"])
    second = request_build(tenant.school, tenant.users["trust-admin"])
    assert first.pk == second.pk
    assert BuildJob.objects.filter(school=tenant.school).count() == 1


def test_the_database_refuses_two_running_builds_of_one_school(tenant: Tenant) -> None:
    BuildJob.objects.create(school=tenant.school, status="running", heartbeat=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        BuildJob.objects.create(school=tenant.school, status="running", heartbeat=timezone.now())


def test_a_queued_build_waits_while_the_schools_build_runs(tenant: Tenant) -> None:
    BuildJob.objects.create(school=tenant.school, status="running", heartbeat=timezone.now(), worker="elsewhere")
    job = request_build(tenant.school, None)
    assert run_build.call(job.pk) == "waiting for the school's running build"
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 0


def test_a_build_makes_the_pack_and_offers_it_as_a_zip_and_file_by_file(tenant: Tenant, client_as: Any) -> None:
    small(tenant)
    client = client_as(tenant.users["dsl"])
    queued = client.post(f"/schools/{tenant.school.slug}/build/")
    job = BuildJob.objects.get(school=tenant.school)
    assert queued["Location"] == f"/schools/{tenant.school.slug}/builds/{job.pk}/"
    status = client.get(f"/schools/{tenant.school.slug}/builds/{job.pk}/status/").content.decode()
    assert 'hx-trigger="every 1s"' in status  # still asking for progress
    assert run_build.call(job.pk) == "built"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.runs) == ("built", 1, 1)
    assert {"staff-card.pdf", "parent-leaflet.pdf", "manifest.json"} <= set(job.files)
    status = client.get(f"/schools/{tenant.school.slug}/builds/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in status and "pack.zip" in status
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/schools/{tenant.school.slug}/builds/{job.pk}/pack.zip").content))
    assert sorted(archive.namelist()) == sorted(f"{tenant.school.slug}/{name}" for name in job.files)
    card = client.get(f"/schools/{tenant.school.slug}/builds/{job.pk}/files/staff-card.pdf")
    assert b"".join(card.streaming_content).startswith(b"%PDF")
    assert client.get(f"/schools/{tenant.school.slug}/builds/{job.pk}/files/..%2Fschool.yaml").status_code == 404


def test_a_failed_build_says_why(tenant: Tenant, client_as: Any) -> None:
    small(tenant)
    text = tenant.school.profile_path.read_text(encoding="utf-8").replace("crest.svg", "missing.svg")
    tenant.school.profile_path.write_text(text, encoding="utf-8")
    job = request_build(tenant.school, None)
    assert run_build.call(job.pk) == "failed"
    page = client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/builds/{job.pk}/").content.decode()
    assert "could not be built" in page and "missing.svg" in page
    assert (
        client_as(tenant.users["dsl"]).get(f"/schools/{tenant.school.slug}/builds/{job.pk}/pack.zip").status_code == 404
    )


@pytest.mark.allow_warnings
def test_a_job_whose_worker_stopped_is_queued_again_then_given_up(tenant: Tenant) -> None:
    job = request_build(tenant.school, None)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    BuildJob.objects.filter(pk=job.pk).update(status="running", worker="gone:1", heartbeat=long_ago, attempts=1)
    assert take_back_stalled() == 1
    job.refresh_from_db()
    assert (job.status, job.worker) == ("queued", "")
    assert "stopped during attempt 1" in job.message
    BuildJob.objects.filter(pk=job.pk).update(status="running", worker="gone:2", heartbeat=long_ago, attempts=3)
    assert take_back_stalled() == 0
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_fresh_heartbeat_is_left_alone(tenant: Tenant) -> None:
    job = request_build(tenant.school, None)
    BuildJob.objects.filter(pk=job.pk).update(status="running", worker="busy:1", heartbeat=timezone.now(), attempts=1)
    assert take_back_stalled() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_only_editors_can_build(tenant: Tenant, client_as: Any) -> None:
    for role in ("staff", "approver"):
        assert client_as(tenant.users[role]).post(f"/schools/{tenant.school.slug}/build/").status_code == 404
    assert not BuildJob.objects.exists()
