"""Schools' profiles in the data folder: imported, checked, saved and exported, with an audit line each.

The CLI (`policypack schools add`) and the web form both go through here, so a profile made in
one is the same file the other reads.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from policypack.errors import InvalidInput, Location, Problem, has_errors
from policypack.portal import adapter
from policypack.portal.schools import profile as form
from policypack.portal.schools.access import record
from policypack.portal.schools.models import School, Trust


def today() -> dt.date:
    fixed = os.environ.get("POLICYPACK_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def unique_slug(name: str) -> str:
    base = adapter.school_slug(name) or "school"
    candidate, n = base, 2
    while School.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def import_profile(source: Path, trust: Trust, actor: Any) -> School:
    """A new school from a school.yaml and every file it names (which must lie in its folder)."""
    source = source.resolve()
    problems = adapter.check_profile(source, today())
    if has_errors(problems):
        raise InvalidInput(problems)
    facts = adapter.school_facts(source)
    assert facts is not None  # it loaded without errors
    files = adapter.named_files(source)
    outside = [f for f in files if not f.is_relative_to(source.parent)]
    if outside:
        raise InvalidInput([Problem(Location(source), f"the profile names {outside[0]}, outside its own folder")])
    with transaction.atomic():
        school = School.objects.create(trust=trust, slug=unique_slug(facts[0]), name=facts[0], nation=facts[1])
        with tempfile.TemporaryDirectory(dir=_schools_root()) as temp:
            staged = Path(temp) / "profile"
            for path in [source, *files]:
                target = staged / (path.relative_to(source.parent) if path != source else "school.yaml")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            staged.rename(school.folder)
        record(actor, "school.imported", trust, school, source=source.name, files=len(files) + 1)
    return school


def _schools_root() -> Path:
    from django.conf import settings

    root = Path(settings.DATA) / "schools"
    root.mkdir(parents=True, exist_ok=True)
    return root


def read_data(school: School) -> dict[str, Any]:
    return dict(yaml.safe_load(school.profile_path.read_text(encoding="utf-8")) or {})


def check_candidate(school: School, text: str) -> tuple[bool, dict[str, list[str]]]:
    """Whether a profile text has errors, and its problems by form field.

    It is checked as school.yaml in a copy of the school's folder, so that the files it names are found.
    """
    with adapter.beside_its_files(school.folder, text) as candidate:
        problems = adapter.check_profile(candidate, today())
        return has_errors(problems), form.place_problems(problems, text, candidate, school.nation)


def save_text(school: School, text: str, actor: Any, action: str, **detail: Any) -> None:
    """Replace the profile (already checked) in one rename, and log who changed what."""
    temp = school.folder / f".saving-{secrets.token_hex(8)}.tmp"  # not .yaml: never taken for a profile
    temp.write_text(text, encoding="utf-8")
    temp.replace(school.profile_path)
    facts = adapter.school_facts(school.profile_path)
    if facts:
        school.name = facts[0]
    school.save()
    record(actor, action, school.trust, school, **detail)


def changed_keys(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """The dotted keys whose values differ: what the audit log says was changed."""
    keys = []
    for key in sorted(set(old) | set(new), key=str):
        a, b, name = old.get(key), new.get(key), f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            keys += changed_keys(a, b, name + ".")
        elif a != b:
            keys.append(name)
    return keys
