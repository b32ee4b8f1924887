"""A logo uploaded through the form: size-capped, a known kind, stored under a name of its content.

The image itself is then checked by the profile's loader (Pillow decodes and re-encodes PNG
and JPEG; SVG is parsed without entities or external references) like any logo a profile names.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from policypack.portal.schools.models import School

KINDS = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"<svg": ".svg", b"<?xml": ".svg"}
UPLOADED = re.compile(r"logo-[0-9a-f]{12}\.(png|jpg|svg)")  # the names save_logo gives


class UploadRefused(Exception):
    pass


def save_logo(school: School, upload: UploadedFile[bytes] | None) -> str | None:
    """Store an uploaded logo in the school's folder; its file name, or None when none was sent."""
    if upload is None:
        return None
    if upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        raise UploadRefused("the logo is larger than 2 MB; save it smaller and try again")
    data = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    head = data[:64].lstrip()
    suffix = next((kind for magic, kind in KINDS.items() if head.startswith(magic)), None)
    if suffix is None:
        raise UploadRefused("the logo must be a PNG, JPEG or SVG image")
    name = f"logo-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"
    path = Path(school.folder) / name
    if not path.exists():
        path.write_bytes(data)
    return name


def prune_logos(school: School) -> None:
    """Remove uploaded logos the saved profile does not name: one refused by the profile's check,
    or replaced by a newer one. A school's folder keeps only what its profile uses."""
    try:
        saved = school.profile_path.read_text(encoding="utf-8")
    except OSError:
        return
    for path in Path(school.folder).iterdir():
        if UPLOADED.fullmatch(path.name) and path.name not in saved and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()
