"""Publishing: each approved build's public files, kept under a stable address per school.

A build whose manifest says the text is the approved one is copied, web page and PDFs only,
to DATA/published/<slug>/<version>-<inputs>/ and recorded; the public address serves the
latest such copy, so a draft built later never replaces what the school's website links to.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from policypack.portal.schools.access import record
from policypack.portal.schools.models import School
from policypack.portal.signoff import staff
from policypack.portal.signoff.models import Publication

WEB_PAGE = "policy.html"


PUBLIC_PDF = re.compile(r"(policy|staff-card|parent-leaflet|incident-form|poster-[a-z0-9-]+)\.pdf")


def is_public(name: str) -> bool:
    """The files a public address serves: the web page and the documents' PDFs (never the manifest,
    the Word files or the DSL's contacts proof)."""
    return name == WEB_PAGE or PUBLIC_PDF.fullmatch(name) is not None


def published_root(school: School) -> Path:
    return Path(settings.DATA) / "published" / school.slug


def after_build(school: School, folder: Path) -> Publication | None:
    """Publish an approved build; when its version is new, every member of staff is asked to read it."""
    before = current(school)
    publication = publish(school, folder)
    if publication and (before is None or before.version != publication.version):
        staff.ask_everyone(school, None)
    return publication


def publish(school: School, folder: Path, actor: Any = None) -> Publication | None:
    """Keep the built pack's public files when its text is the approved text; None for a draft."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("approved") is not True:
        return None
    key = f"{manifest['version']}-{str(manifest.get('inputs', ''))[:12]}"
    found = Publication.objects.filter(school=school, key=key).first()
    if found:
        return found
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.is_symlink() and is_public(p.name))
    root = published_root(school)
    root.mkdir(parents=True, exist_ok=True)
    if not (root / key).is_dir():
        with tempfile.TemporaryDirectory(dir=root) as temp:
            staged = Path(temp) / "copy"
            staged.mkdir()
            for name in files:
                shutil.copyfile(folder / name, staged / name)
            staged.rename(root / key)
    publication = Publication.objects.create(school=school, key=key, version=manifest["version"], files=files)
    record(actor, "pack.published", school.trust, school, version=manifest["version"], files=files)
    return publication


def current(school: School) -> Publication | None:
    return school.publications.order_by("-published", "-id").first()


def public_file(publication: Publication, name: str) -> Path | None:
    """The published file NAME, only when that publication lists it (no path from the address is trusted)."""
    if name not in publication.files:
        return None
    path = (published_root(publication.school) / publication.key / name).resolve()
    return path if path.is_file() and path.is_relative_to(published_root(publication.school).resolve()) else None
