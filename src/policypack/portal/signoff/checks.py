"""Checks in the browser: a trust's safeguarding lead records that they read the passage a pending
part rests on, and the portal writes it into each school's checks file, the file the CLI reads
(`policy: {checks: checks.yaml}`), for every school of the trust whose text has that part.

Parts that rest on one source are listed together, so one check (date, edition, place) can be
recorded for several of them, or all, in one post: one entry a part, as the CLI reads them."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
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
    claims: dict[int, int] = field(default_factory=dict)  # by school: the claims this part stands for

    @property
    def key(self) -> str:
        return "|".join((self.claim.flow, self.claim.step, self.claim.source, self.claim.text))


def pending(trust: Trust, today: dt.date) -> list[Pending]:
    """Every pending claim of the trust's schools, once, with the schools whose text has it."""
    found: dict[tuple[str, str, str, str], Pending] = {}
    for school in trust.schools.all():
        for claim in adapter.pending_claims(school.profile_path, today):
            key = (claim.flow, claim.step, claim.source, claim.text)
            item = found.setdefault(key, Pending(claim, []))
            if school not in item.schools:
                item.schools.append(school)
            # two citations of one source in one step are one part here, but two claims to the CLI
            # (a check marks the first pending one), so the check is written once for each
            item.claims[school.pk] = item.claims.get(school.pk, 0) + 1
    return list(found.values())


def _line(value: str, what: str) -> str:
    value = " ".join(value.split())
    if not value or len(value) > 300:
        raise CheckRefused(f"give the {what} (at most 300 characters)")
    return value


@dataclass
class Group:
    """The pending parts that rest on one source: read once, checked together."""

    source: str
    parts: list[Pending]


def by_source(found: list[Pending]) -> list[Group]:
    groups: dict[str, Group] = {}
    for item in found:
        groups.setdefault(item.claim.source, Group(item.claim.source, [])).parts.append(item)
    return list(groups.values())


def keys_of(trust: Trust, source: str, today: dt.date) -> list[str]:
    """Every pending part that rests on this source."""
    return [p.key for p in pending(trust, today) if p.claim.source == source]


def record_checks(trust: Trust, keys: list[str], form_data: Any, actor: Any, today: dt.date) -> list[School]:
    """Write one check of each chosen part into the checks file of every school of the trust that has it."""
    now = {p.key: p for p in pending(trust, today)}
    chosen = list(dict.fromkeys(keys))
    if not chosen:
        raise CheckRefused("choose at least one part that you checked")
    gone = [key for key in chosen if key not in now]
    if gone:
        raise CheckRefused(f"{len(gone)} of the parts chosen are no longer pending: checked, or their text changed")
    try:
        checked_on = dt.date.fromisoformat(str(form_data.get("checked_on", "")))
    except ValueError:
        raise CheckRefused("give the date you read it as a date") from None
    if checked_on > today:
        raise CheckRefused("the date you read it cannot be in the future")
    edition = _line(str(form_data.get("edition", "")), "edition you read")
    place = _line(str(form_data.get("place", "")), "place of the passage (section, paragraph)")
    name = str(getattr(actor, "get_full_name", lambda: "")() or actor.email)
    entries: dict[int, tuple[School, list[dict[str, Any]]]] = {}
    for key in chosen:
        claim = now[key].claim
        entry = {
            "flow": claim.flow,
            "step": claim.step,
            "source": claim.source,
            "checked_on": checked_on,
            "by": {"role": ROLE, "name": name},
            "edition": edition,
            "place": place,
            "text": claim.text,
        }
        for school in now[key].schools:
            entries.setdefault(school.pk, (school, []))[1].extend([entry] * now[key].claims[school.pk])
    for school, found in entries.values():
        _append(school, found, actor)
    return [school for school, _ in entries.values()]


def _append(school: School, entries: list[dict[str, Any]], actor: Any) -> None:
    data = store.read_data(school)
    named = (data.get("policy") or {}).get("checks")
    name = named if isinstance(named, str) and "/" not in named and named.endswith(".yaml") else CHECKS_FILE
    path = school.folder / name
    checks = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
    checks["checks"] = [*(checks.get("checks") or []), *entries]
    temp = school.folder / f".checks-{secrets.token_hex(8)}.tmp"
    temp.write_text(yaml.safe_dump(checks, sort_keys=False, allow_unicode=True), encoding="utf-8")
    temp.replace(path)
    if named != name:
        data.setdefault("policy", {})["checks"] = name
        store.save_text(school, form.dump(data), actor, "profile.changed", keys=["policy.checks"])
    for entry in entries:
        detail = {k: entry[k] for k in ("flow", "step", "source", "edition", "place")}
        record(actor, "check.recorded", school.trust, school, checked_on=entry["checked_on"].isoformat(), **detail)
