"""A logo uploaded through the form: size-capped, a known kind, stored under a name of its content.

The image itself is then checked by the profile's loader (Pillow decodes and re-encodes PNG
and JPEG; SVG is parsed without entities or external references) like any logo a profile names.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from policypack.portal.schools.models import School

KINDS = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"<svg": ".svg", b"<?xml": ".svg"}


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
