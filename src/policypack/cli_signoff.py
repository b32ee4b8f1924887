"""The portal's sign-off commands: `staff import`, `staff report` and `audit`.

Like cli_portal.py, Django is imported only when one of them runs, and they read the same
environment (POLICYPACK_DATA, POLICYPACK_DATABASE_URL, POLICYPACK_SMTP_URL, POLICYPACK_BASE_URL).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import click

from policypack.cli_portal import PortalError


def _school(slug: str) -> Any:
    from policypack.portal.setup import start

    start(True)
    from policypack.portal.schools.models import School

    found = School.objects.select_related("trust").filter(slug=slug).first()
    if found is None:
        raise PortalError(f"no school with the slug '{slug}' (see `policypack schools list`)")
    return found


@click.group()
def staff() -> None:
    """Staff who read the policy through a personal e-mailed link (no account).

    \b
    Example:
      policypack staff import staff.csv --school oakfield-academy
      policypack staff report --school oakfield-academy --format csv
    """


@staff.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "slug", required=True, help="The school's slug.")
def staff_import(csv_file: Path, slug: str) -> None:
    """Add the staff listed in a CSV file (name,email; a header row is optional), all or none.

    Once the school's policy is approved, each new member is e-mailed their link.

    \b
    Example:
      policypack staff import staff.csv --school oakfield-academy
    """
    school = _school(slug)
    from policypack.portal.signoff.staff import import_csv

    added = import_csv(csv_file, school, None)
    click.echo(f"added {len(added)} member(s) of staff to {school.name}", err=True)


@staff.command("report")
@click.option("--school", "slug", required=True, help="The school's slug.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def staff_report(slug: str, fmt: str) -> None:
    """Each member of staff, the approved version in force and when they acknowledged it (or null).

    \b
    Example:
      policypack staff report --school oakfield-academy --format csv > training-record.csv
    """
    school = _school(slug)
    from policypack.portal.signoff.staff import report

    rows = [dataclasses.asdict(row) for row in report(school)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["name", "email", "version", "acknowledged", "last_read_version"])
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    click.echo(out.getvalue(), nl=False)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: no formula from a name someone typed."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@click.command()
@click.option("--school", "slug", required=True, help="The school's slug.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def audit(slug: str, fmt: str) -> None:
    """The school's audit trail, oldest first: every change, check, submission, approval, return,
    publication and acknowledgement, with who did it and when.

    \b
    Example:
      policypack audit --school oakfield-academy --format json
    """
    school = _school(slug)
    from policypack.portal.schools.models import AuditEvent

    events = AuditEvent.objects.filter(school=school).order_by("at", "id")
    rows = [{"at": e.at.isoformat(), "actor": e.actor_label, "action": e.action, "detail": e.detail} for e in events]
    click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))


@click.command()
def reminders() -> None:
    """E-mail each school's DSLs what is due: a review within 30 days, an approval waiting over 7 days,
    staff who have not read the version in force. Run it once a day; POLICYPACK_TODAY fixes the date.

    \b
    Example:
      POLICYPACK_SMTP_URL=smtp://mail.trust.example:25 policypack reminders
    """
    from policypack.portal.setup import start

    start(True)
    from policypack.portal.schools.store import today
    from policypack.portal.signoff.reminders import send_all

    click.echo(f"reminders e-mailed for {send_all(today())} school(s)", err=True)


def register(main: click.Group) -> None:
    for command in (staff, audit, reminders):
        main.add_command(command)
