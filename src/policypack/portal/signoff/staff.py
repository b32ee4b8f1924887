"""Staff who have read the policy: added one by one or from a CSV file, each e-mailed a personal link
(no account), their "I have read this" recorded per approved version, and asked again when it changes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from policypack.errors import InvalidInput, Location, Problem
from policypack.portal import mail
from policypack.portal.schools.access import record
from policypack.portal.schools.models import School
from policypack.portal.signoff import tokens
from policypack.portal.signoff.models import Acknowledgement, LinkToken, Publication, StaffMember

MAX_CSV_BYTES = 1_000_000


class StaffRefused(ValueError):
    pass


def checked_member(name: str, email: str) -> tuple[str, str]:
    """A name and e-mail address fit to keep, or StaffRefused saying what is wrong."""
    name, email = " ".join(name.split()), email.strip()
    if not name or len(name) > 200:
        raise StaffRefused("give the person's name (at most 200 characters)")
    try:
        validate_email(email)
    except ValidationError:
        raise StaffRefused(f"'{email}' is not an e-mail address") from None
    return name, email.lower()


def add(school: School, name: str, email: str, actor: Any) -> StaffMember:
    name, email = checked_member(name, email)
    try:
        with transaction.atomic():
            member = StaffMember.objects.create(school=school, name=name, email=email)
            record(actor, "staff.added", school.trust, school, name=name, email=email)
    except IntegrityError:
        raise StaffRefused(f"{email} is already on the school's staff list") from None
    ask(member, actor)
    return member


def import_csv(path: Path, school: School, actor: Any) -> list[StaffMember]:
    """Every row (name,email) of a CSV file, or none when any row is bad (each said as file:line: message)."""
    raw = path.read_bytes()[: MAX_CSV_BYTES + 1]
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidInput([Problem(Location(path), "the file is over 1 MB: split it")])
    rows, problems = [], []
    known = set(school.staff.values_list("email", flat=True))
    for number, row in enumerate(csv.reader(io.StringIO(raw.decode("utf-8-sig", errors="replace"))), 1):
        cells = [c.strip() for c in row]
        if not any(cells) or (number == 1 and [c.lower() for c in cells] == ["name", "email"]):
            continue
        try:
            if len(cells) != 2:
                raise StaffRefused(f"expected 2 columns (name,email), found {len(cells)}")
            name, email = checked_member(*cells)
            if email in known:
                raise StaffRefused(f"{email} is already on the staff list")
        except StaffRefused as exc:
            problems.append(Problem(Location(path, number), str(exc)))
            continue
        known.add(email)
        rows.append((name, email))
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        members = [StaffMember.objects.create(school=school, name=n, email=e) for n, e in rows]
        record(actor, "staff.imported", school.trust, school, file=path.name, added=len(members))
    for member in members:
        ask(member, actor)
    return members


def current(school: School) -> Publication | None:
    return school.publications.order_by("-published", "-id").first()


def ask(member: StaffMember, actor: Any) -> bool:
    """E-mail the member a new personal link to the approved policy; False while nothing is approved."""
    publication = current(member.school)
    if publication is None or member.acknowledgements.filter(version=publication.version).exists():
        return False
    link = mail.absolute(f"/read/{tokens.issue(member, LinkToken.Purpose.READ)}/")
    context = {"member": member, "school": member.school, "link": link, "days": tokens.READ_LINK_DAYS}
    mail.send("read-request", [member.email], context)
    record(actor, "staff.asked", member.school.trust, member.school, email=member.email, version=publication.version)
    return True


def ask_everyone(school: School, actor: Any) -> int:
    """After a new approved version is published: every member who has not read it is asked."""
    return sum(ask(member, actor) for member in school.staff.all())


def acknowledge(member: StaffMember, version: str) -> Acknowledgement:
    found = member.acknowledgements.filter(version=version).first()
    if found:
        return found
    with transaction.atomic():
        made = Acknowledgement.objects.create(member=member, version=version)
        school = member.school
        record(None, "staff.acknowledged", school.trust, school, label=member.email, version=version)
    return made


@dataclass(frozen=True)
class ReportRow:
    name: str
    email: str
    version: str | None  # the approved version now in force
    acknowledged: str | None  # when they acknowledged that version (ISO date), else None
    last_read_version: str | None


def report(school: School) -> list[ReportRow]:
    publication = current(school)
    rows = []
    for member in school.staff.prefetch_related("acknowledgements"):
        acks = list(member.acknowledgements.all())
        now = next((a for a in acks if publication and a.version == publication.version), None)
        rows.append(
            ReportRow(
                member.name,
                member.email,
                publication.version if publication else None,
                timezone.localtime(now.at).date().isoformat() if now else None,
                acks[0].version if acks else None,
            )
        )
    return rows
