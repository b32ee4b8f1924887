"""Checks in the browser: a trust's safeguarding lead records that they read the passage a pending
part rests on, and the portal writes it into each school's checks file, the file the CLI reads
(`policy: {checks: checks.yaml}`), for every school of the trust whose text has that part."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import yaml

from policypack.portal import adapter
from policypack.portal.schools import profile as form
from policypack.portal.schools import store
from policypack.portal.schools.access import record
from policypack.portal.schools.models import School, Trust

CHECKS_FILE = "checks.yaml"
ROLE = "Trust safeguarding lead"


class CheckRefused(ValueError):
    pass


@dataclass
class Pending:
    claim: adapter.Claim
    schools: list[School]

    @property
    def key(self) -> str:
        return "|".join((self.claim.flow, self.claim.step, self.claim.source, self.claim.text))


def pending(trust: Trust, today: dt.date) -> list[Pending]:
    """Every pending claim of the trust's schools, once, with the schools whose text has it."""
    found: dict[tuple[str, str, str, str], Pending] = {}
    for school in trust.schools.all():
        for claim in adapter.pending_claims(school.profile_path, today):
            key = (claim.flow, claim.step, claim.source, claim.text)
            found.setdefault(key, Pending(claim, [])).schools.append(school)
    return list(found.values())


def _line(value: str, what: str) -> str:
    value = " ".join(value.split())
    if not value or len(value) > 300:
        raise CheckRefused(f"give the {what} (at most 300 characters)")
    return value


def record_check(trust: Trust, key: str, form_data: Any, actor: Any, today: dt.date) -> list[School]:
    """Write one check into the checks file of every school of the trust whose text has that pending part."""
    match = next((p for p in pending(trust, today) if p.key == key), None)
    if match is None:
        raise CheckRefused("that part is no longer pending: it was checked, or its text changed")
    try:
        checked_on = dt.date.fromisoformat(str(form_data.get("checked_on", "")))
    except ValueError:
        raise CheckRefused("give the date you read it as a date") from None
    if checked_on > today:
        raise CheckRefused("the date you read it cannot be in the future")
    name = str(getattr(actor, "get_full_name", lambda: "")() or actor.email)
    entry = {
        "flow": match.claim.flow,
        "step": match.claim.step,
        "source": match.claim.source,
        "checked_on": checked_on,
        "by": {"role": ROLE, "name": name},
        "edition": _line(str(form_data.get("edition", "")), "edition you read"),
        "place": _line(str(form_data.get("place", "")), "place of the passage (section, paragraph)"),
        "text": match.claim.text,
    }
    for school in match.schools:
        _append(school, entry, actor)
    return match.schools


def _append(school: School, entry: dict[str, Any], actor: Any) -> None:
    data = store.read_data(school)
    named = (data.get("policy") or {}).get("checks")
    name = named if isinstance(named, str) and "/" not in named and named.endswith(".yaml") else CHECKS_FILE
    path = school.folder / name
    checks = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
    checks["checks"] = [*(checks.get("checks") or []), entry]
    temp = school.folder / f".checks-{secrets.token_hex(8)}.tmp"
    temp.write_text(yaml.safe_dump(checks, sort_keys=False, allow_unicode=True), encoding="utf-8")
    temp.replace(path)
    if named != name:
        data.setdefault("policy", {})["checks"] = name
        store.save_text(school, form.dump(data), actor, "profile.changed", keys=["policy.checks"])
    detail = {k: entry[k] for k in ("flow", "step", "source", "edition", "place")}
    record(actor, "check.recorded", school.trust, school, checked_on=entry["checked_on"].isoformat(), **detail)
