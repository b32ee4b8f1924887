"""Checking a logo by reading it, whatever its name claims."""

from __future__ import annotations

import re
from pathlib import Path

from policypack.errors import Location, Problem
from policypack.load.files import UnreadableFile, read_bytes

LOGO_SIGNATURES = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".svg": b""}
LOGO_SUFFIXES = frozenset(LOGO_SIGNATURES)
MAX_LOGO_BYTES = 1_000_000


def check_image(path: Path, where: Location) -> list[Problem]:
    """Problems that make a logo unsafe or unusable in a document."""
    try:
        data = read_bytes(path, MAX_LOGO_BYTES)
    except UnreadableFile as exc:
        return [Problem(where, f"the logo {path.name}: {exc}")]
    suffix = path.suffix.lower()
    if suffix != ".svg":
        if not data.startswith(LOGO_SIGNATURES[suffix]):
            return [Problem(where, f"the logo {path.name} is not really a {suffix[1:].upper()} file")]
        return []
    text = data.decode("utf-8", errors="replace")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return [Problem(where, f"the SVG logo {path.name} declares a DOCTYPE or entities, which are not allowed")]
    references = re.findall(r"""(?:href|src)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^)"']*)""", text)
    outside = [a or b for a, b in references if (a or b) and not (a or b).startswith(("#", "data:"))]
    if outside:
        return [
            Problem(where, f"the SVG logo {path.name} refers to other files or addresses ({outside[0]}); embed them")
        ]
    return []
