"""Loading a school's Word letterhead: a .docx whose styles, page set-up, header and footer the Word copies use.

A letterhead is untrusted like everything a school sends: it must lie beside the profile,
be a regular file of modest size, and be a real Word document. It is proven the way the
build uses it, not by what its zip directory claims: every part is inflated against a real
byte budget (a directory that lies about sizes cannot get past it), its content type must
be a plain Word document (no macros), and python-docx must open it from the same bytes.
Those checked bytes travel in the loaded value; the build never opens the file by path.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from policypack.errors import Location, Problem
from policypack.load.files import UnreadableFile, inside, read_bytes, resolved

MAX_LETTERHEAD_BYTES = 5_000_000
MAX_UNPACKED_BYTES = 50_000_000
MAX_MEMBERS = 1_000
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


@dataclass(frozen=True)
class Letterhead:
    """A letterhead as it was checked: its place, and the bytes the Word writer opens."""

    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name


def load_letterhead(given: str, folder: Path, where: Location) -> tuple[Letterhead | None, list[Problem]]:
    """The letterhead, read once and checked, or the problem that makes it unusable."""
    try:
        path = resolved(folder / given)
    except UnreadableFile as exc:
        return None, [Problem(where, f"the letterhead: {exc}")]
    if not inside(path, folder):
        return None, [Problem(where, f"the letterhead '{given}' is outside the folder of the profile")]
    if path.suffix.lower() != ".docx":
        return None, [Problem(where, f"the letterhead must be a Word .docx file, not '{path.suffix or given}'")]
    try:
        data = read_bytes(path, MAX_LETTERHEAD_BYTES)
    except UnreadableFile as exc:
        return None, [Problem(where, f"the letterhead {path.name}: {exc}")]
    problem = not_a_letterhead(data)
    if problem:
        return None, [Problem(where, f"the letterhead {path.name} {problem}")]
    return Letterhead(path, data), []


def not_a_letterhead(data: bytes) -> str | None:
    """Why these bytes cannot be a letterhead (the end of a sentence), or None when they can."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return "is not a Word document (it has no word/document.xml)"
            if len(members) > MAX_MEMBERS:
                return f"has more than {MAX_MEMBERS} parts"
            if any(m.flag_bits & 0x1 for m in members):
                return "is encrypted (a password-protected part); save it again without a password"
            try:
                inflated = _inflate_all(archive, members)
            except zipfile.BadZipFile as exc:  # the directory opened, a part did not: sizes or CRC lie
                return f"is damaged: a part does not unpack as its directory says ({exc}); save it again from Word"
    except zipfile.BadZipFile:
        return "is not a Word file (it is not a .docx package)"
    except (ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        return f"is not a Word file that can be opened (a damaged .docx package: {exc})"
    except MemoryError:
        return f"unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB"
    if inflated is None:
        return f"unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB"
    found = _main_type(inflated)
    if found != WORD_MAIN:
        return f"is not a plain Word document (its content type is {found}); save it as a Word Document (.docx)"
    return _opened(data)


def _main_type(types: bytes) -> str:
    """The content type [Content_Types].xml gives word/document.xml ('none' when it gives none)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(types, parser)
    except etree.XMLSyntaxError:
        return "unreadable"
    for override in root.iter(f"{_TYPES}Override"):
        if override.get("PartName", "").lower() == "/word/document.xml":
            return str(override.get("ContentType", "none"))
    return "none"


def _inflate_all(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bytes | None:
    """Inflate every part against one budget (CRCs checked); the content types, or None when over budget."""
    left = MAX_UNPACKED_BYTES
    types = b""
    for member in members:
        with archive.open(member) as part:
            while chunk := part.read(1 << 20):
                left -= len(chunk)
                if left < 0:
                    return None
                if member.filename == "[Content_Types].xml" and len(types) < 1_000_000:
                    types += chunk
    return types


def _opened(data: bytes) -> str | None:
    """python-docx opens the same bytes the build will, and every style the writer needs can be made."""
    import docx  # only here: a profile without a letterhead never pays for importing it

    try:
        document = docx.Document(io.BytesIO(data))
        document.styles  # noqa: B018 - parses styles.xml, which the build copies
        for section in document.sections:
            section.header.paragraphs  # noqa: B018 - parses the header and footer parts
            section.footer.paragraphs  # noqa: B018
    except MemoryError:
        return f"unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB"
    except Exception as exc:  # a damaged or hostile part: the school's file, said in its terms
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot be opened as a Word document ({reason[:200]})"
    return None
