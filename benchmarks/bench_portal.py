"""The portal's figures: how soon a preview follows an edit, and builds per minute with 1 and 2 workers.

Prints figures and asserts nothing (`make bench` runs it after bench.py). Uses SQLite in a
temporary data folder, the example school, and real `policypack worker` processes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"
EDITS = 7
SCHOOLS = 8


def start(data: Path) -> None:
    os.environ["POLICYPACK_DATA"] = str(data)
    os.environ["POLICYPACK_INSECURE_COOKIES"] = "1"
    from policypack.portal.setup import start as start_django

    start_django()


def preview_latency() -> list[float]:
    """Seconds from posting an edit of the DSL's phone number to both preview images being served."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from policypack.portal.schools import profile as form
    from policypack.portal.schools import store
    from policypack.portal.schools.models import Membership, Trust

    trust = Trust.objects.create(name="Bench Trust")
    school = store.import_profile(EXAMPLE, trust, None)
    user = get_user_model().objects.create_user(username="dsl@bench.example.org", password="bench-password-123")
    Membership.objects.create(user=user, role="dsl", trust=trust, school=school)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    values = form.values(store.read_data(school), school.nation)
    values = {k: v for k, v in values.items() if k != form.LOGO_UPLOAD}
    seconds = []
    for n in range(EDITS + 1):  # the first warms the process up (imports WeasyPrint) and is not counted
        values["people.dsl.phone"] = f"01632 960 {100 + n}"
        started = time.perf_counter()
        saved = client.post(f"/schools/{school.slug}/profile/", values)
        assert saved.status_code == 200, saved.content[:500]
        for kind in ("staff-card", "staff-poster"):
            image = client.get(f"/schools/{school.slug}/preview/{kind}.png")
            assert image.status_code == 200
            b"".join(getattr(image, "streaming_content"))  # noqa: B009 (a FileResponse streams)
        if n:
            seconds.append(time.perf_counter() - started)
    return seconds


def throughput(data: Path, workers: int) -> float:
    """Packs per minute: SCHOOLS schools' whole PDF packs, queued at once, built by `workers` workers."""
    import yaml

    from policypack.portal.builds.models import BuildJob
    from policypack.portal.builds.queue import request_build
    from policypack.portal.schools import store
    from policypack.portal.schools.models import Trust

    trust = Trust.objects.create(name=f"Trust with {workers} workers")
    jobs = []
    started = time.perf_counter()
    for n in range(SCHOOLS):
        school = store.import_profile(EXAMPLE, trust, None)
        data_ = yaml.safe_load(school.profile_path.read_text(encoding="utf-8"))
        data_["school"]["name"] = f"Bench School {workers}-{n}"
        data_["outputs"]["formats"] = ["pdf"]
        school.profile_path.write_text(yaml.safe_dump(data_, sort_keys=False), encoding="utf-8")
        jobs.append(request_build(school, None).pk)
    env = {**os.environ, "POLICYPACK_DATA": str(data)}
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "policypack", "worker"], env=env) for _ in range(workers)]
    try:
        while BuildJob.objects.filter(pk__in=jobs, status__in=["queued", "running"]).exists():
            time.sleep(0.25)
        wall = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    failed = BuildJob.objects.filter(pk__in=jobs).exclude(status="built").count()
    assert failed == 0, f"{failed} builds failed"
    return SCHOOLS / wall * 60


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="policypack-bench-portal-") as temp:
        data = Path(temp) / "data"
        start(data)
        latency = preview_latency()
        print(f"\nportal: an edit of the DSL's phone number until both previews are served, {EDITS} edits (warm)")
        print(f"  median {statistics.median(latency):.2f} s, slowest {max(latency):.2f} s (target: 1.5 s)")
        print(f"\nportal: build throughput, {SCHOOLS} schools' PDF packs queued at once (SQLite, `policypack worker`)")
        for workers in (1, 2):
            print(f"  {workers} worker{'s' if workers > 1 else ''}: {throughput(data, workers):.1f} packs per minute")


if __name__ == "__main__":
    main()
