"""The portal's commands: `serve`, `worker`, `schools ...` and `users ...`.

Registered on the main group by cli.py; Django is imported only when one of them runs, so the
other commands start as fast as before. Every command reads the same environment
(POLICYPACK_DATA, POLICYPACK_DATABASE_URL) and applies migrations itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from policypack.errors import PolicypackError


class PortalError(PolicypackError):
    """A portal command was asked for something that does not exist or is not allowed."""


def _start(migrate: bool = True) -> None:
    from policypack.portal.setup import start

    start(migrate)


def server_options(env: Mapping[str, str]) -> dict[str, Any]:
    """waitress's settings: request bodies capped before they are read, idle connections closed,
    and, behind an HTTPS proxy (POLICYPACK_TRUSTED_PROXY: its address), the client's address and
    scheme taken from the headers that proxy adds and from no one else's."""
    options: dict[str, Any] = {
        "threads": 8,
        "ident": "policypack",
        "_quiet": True,
        "max_request_body_size": 4 * 1024 * 1024,  # a 2 MB upload and its form, nothing bigger is read
        "channel_timeout": 30,
        "connection_limit": 200,
    }
    proxy = env.get("POLICYPACK_TRUSTED_PROXY", "").strip()
    if proxy:
        options |= {
            "trusted_proxy": proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "clear_untrusted_proxy_headers": True,
        }
    return options


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(0, 64), help="Build workers to start.")
@click.option("--demo", is_flag=True, help="Add the example trust and print a sign-in for each role.")
def serve(host: str, port: int, workers: int, demo: bool) -> None:
    """Start the portal (web app and build workers) on the data folder's database.

    \b
    Example:
      POLICYPACK_DATA=/srv/policypack policypack serve --host 0.0.0.0 --workers 2
    """
    from policypack.portal.setup import LOOPBACK

    if host in LOOPBACK:  # no network to cross: cookies may go over plain HTTP on this machine alone
        os.environ.setdefault("POLICYPACK_INSECURE_COOKIES", "1")
    _start()
    if demo:
        from policypack.portal.demo import ensure_demo

        click.echo("Demo sign-ins for the example trust (new passwords each start):")
        for email, password, role in ensure_demo():
            click.echo(f"  {role:12} {email:20} {password}")
    import waitress

    from policypack.portal.wsgi import application

    children = [_spawn_worker() for _ in range(workers)]
    signal.signal(signal.SIGTERM, _stop_on_term)  # so that `kill` also stops the workers, below
    click.echo(f"policypack portal on http://{host}:{port}/ with {workers} build worker(s); Ctrl-C stops it")
    try:
        waitress.serve(application, host=host, port=port, **server_options(os.environ))
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(10)


def _stop_on_term(*_: object) -> None:
    raise SystemExit(0)


def _spawn_worker() -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "policypack", "worker"]
    return subprocess.Popen(command, env=os.environ.copy(), preexec_fn=_end_with_parent)


def _end_with_parent() -> None:
    """In the worker, before it starts: on Linux, a SIGTERM when `serve` dies, however it dies.

    A worker whose `serve` was killed outright would otherwise keep taking builds.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@click.command()
@click.option("--max-tasks", type=click.IntRange(1), help="Stop after this many builds (for tests).")
def worker(max_tasks: int | None) -> None:
    """Run build jobs from the shared database until stopped (start one per core, on any machine).

    \b
    Example:
      POLICYPACK_DATABASE_URL=postgresql://portal@db/policypack policypack worker
    """
    _start(migrate=False)
    from django.core.management import call_command

    from policypack.portal.background import start
    from policypack.portal.builds.lease import worker_name

    stop = threading.Event()
    start(stop)  # takes back stalled builds; re-assesses approvals after an upgrade
    options: dict[str, Any] = {"queue_name": "builds", "worker_id": worker_name(), "interval": 0.5}
    if max_tasks:
        options["max_tasks"] = max_tasks
    try:
        call_command("db_worker", startup_delay=False, reload=False, verbosity=0, **options)
    finally:
        stop.set()


@click.group()
def schools() -> None:
    """Add, list and build a trust's schools in the portal.

    \b
    Example:
      policypack schools add trust/oakfield/school.yaml --trust "Acorn Trust"
      policypack schools build --all --wait
    """


@schools.command("add")
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trust", "trust_name", required=True, help="The trust's name (made if new).")
def schools_add(profile: Path, trust_name: str) -> None:
    """Import a school.yaml with every file it names; prints the new school's slug last.

    \b
    Example:
      policypack schools add schools/oakfield/school.yaml --trust "Acorn Trust"
    """
    _start()
    from django.db import transaction

    from policypack.portal.schools.models import Trust
    from policypack.portal.schools.store import import_profile

    with transaction.atomic():  # a refused profile leaves no new trust behind
        trust, _ = Trust.objects.get_or_create(name=trust_name)
        school = import_profile(profile, trust, None)
    click.echo(f"added {school.name} to {trust.name}", err=True)
    click.echo(school.slug)


@schools.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def schools_list(fmt: str) -> None:
    """Every school: slug, name, trust, status and last build.

    \b
    Example:
      policypack schools list --format json
    """
    _start()
    from policypack.portal.builds.models import BuildJob
    from policypack.portal.schools.models import School

    rows = []
    for school in School.objects.select_related("trust").order_by("trust__name", "name"):
        last = BuildJob.objects.filter(school=school).first()
        build = {"status": last.status, "at": last.created.isoformat(), "id": last.pk} if last else None
        rows.append(
            {
                "slug": school.slug,
                "name": school.name,
                "trust": school.trust.name,
                "status": school.status,
                "last_build": build,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        made = row["last_build"]
        status = made["status"] if isinstance(made, dict) else "-"
        click.echo(f"{row['slug']}\t{row['name']}\t{row['trust']}\t{row['status']}\t{status}")


@schools.command("build")
@click.argument("slugs", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every school.")
@click.option("--wait", is_flag=True, help="Wait until the builds finish; exit 1 if one failed.")
def schools_build(slugs: tuple[str, ...], everything: bool, wait: bool) -> None:
    """Queue builds of schools' packs (the workers of `serve` or `worker` run them).

    \b
    Example:
      policypack schools build --all --wait
    """
    _start()
    from policypack.portal.builds.models import BuildJob
    from policypack.portal.builds.queue import request_build
    from policypack.portal.schools.access import record
    from policypack.portal.schools.models import School

    if bool(slugs) == everything:
        raise click.UsageError("name schools by slug, or give --all")
    chosen = list(School.objects.all()) if everything else [_school(slug) for slug in slugs]
    jobs = [request_build(school, None) for school in chosen]
    for job in jobs:
        record(None, "build.requested", job.school.trust, job.school, job=job.pk)
        click.echo(f"queued build {job.pk} of {job.school.slug}", err=True)
    if not wait:
        return
    ids = [job.pk for job in jobs]
    while BuildJob.objects.filter(pk__in=ids, status__in=["queued", "running"]).exists():
        time.sleep(0.5)
    failed = 0
    for job in BuildJob.objects.filter(pk__in=ids).select_related("school"):
        click.echo(f"{job.school.slug}\t{job.status}" + (f"\t{job.message.splitlines()[0]}" if job.message else ""))
        failed += job.status == "failed"
    if failed:
        raise PortalError(f"{failed} build{'s' if failed != 1 else ''} failed")


def _school(slug: str) -> Any:
    from policypack.portal.schools.models import School

    found = School.objects.filter(slug=slug).first()
    if found is None:
        raise PortalError(f"no school with the slug '{slug}' (see `policypack schools list`)")
    return found


@click.group()
def users() -> None:
    """Add people who sign in to the portal.

    \b
    Example:
      policypack users add head@acorn.example.org --role trust-admin --trust "Acorn Trust"
    """


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["trust-admin", "dsl", "approver", "staff"]))
@click.option("--school", "slug", help="The school (for dsl, approver and staff).")
@click.option("--trust", "trust_name", help="The trust (for trust-admin).")
@click.option("--name", default="", help="The person's full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(email: str, role: str, slug: str | None, trust_name: str | None, name: str, password_stdin: bool) -> None:
    """Add a user with a role for a school, or for a whole trust; prints a password if none is given.

    \b
    Example:
      policypack users add dsl@school.org --role dsl --school oakfield-academy --password-stdin < pw.txt
    """
    if (role == "trust-admin") != bool(trust_name) or (role != "trust-admin") != bool(slug):
        raise click.UsageError("give --trust NAME for a trust-admin, and --school SLUG for any other role")
    _start()
    from policypack.portal.users import add_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    made = add_user(email, role, slug, trust_name, name, password)
    if made is None:
        click.echo(f"{email} already has an account: its password is unchanged (--password-stdin sets a new one)")
    elif password is None:
        click.echo(f"password for {email}: {made}")
    click.echo(f"added {email} as {role}", err=True)


def register(main: click.Group) -> None:
    for command in (serve, worker, schools, users):
        main.add_command(command)
