"""Loading a school's Word letterhead: a .docx whose styles, header and footer the Word copies use.

A letterhead is untrusted like everything a school sends: it must lie beside the profile,
be a regular file of modest size, and be a real Word document whose unpacked size is
bounded, so a crafted zip cannot fill the memory of the build.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from policypack.errors import Location, Problem
from policypack.load.files import UnreadableFile, inside, read_bytes

MAX_LETTERHEAD_BYTES = 5_000_000
MAX_UNPACKED_BYTES = 50_000_000
MAX_MEMBERS = 1_000


def load_letterhead(given: str, folder: Path, where: Location) -> tuple[Path | None, list[Problem]]:
    """The resolved letterhead, or the problem that makes it unusable."""
    path = (folder / given).resolve()
    if not inside(path, folder):
        return None, [Problem(where, f"the letterhead '{given}' is outside the folder of the profile")]
    if path.suffix.lower() != ".docx":
        return None, [Problem(where, f"the letterhead must be a Word .docx file, not '{path.suffix or given}'")]
    try:
        data = read_bytes(path, MAX_LETTERHEAD_BYTES)
    except UnreadableFile as exc:
        return None, [Problem(where, f"the letterhead {path.name}: {exc}")]
    problem = _not_a_letterhead(data)
    return (None, [Problem(where, f"the letterhead {path.name} {problem}")]) if problem else (path, [])


def _not_a_letterhead(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "is not a Word file (it is not a .docx package)"
    names = {m.filename for m in members}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return "is not a Word document (it has no word/document.xml)"
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        return f"unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB or {MAX_MEMBERS} parts"
    return None
