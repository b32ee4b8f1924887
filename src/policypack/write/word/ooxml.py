"""Write stage, Word: the parts of a .docx that python-docx has no words for.

Numbered lists that restart for each list, page-number fields, the document's language,
and a file whose bytes depend only on its content and the policy's adoption date.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor

from policypack.load.files import UnreadableFile, read_bytes
from policypack.write.pdf import BuildFailed

MAX_PICTURE_BYTES = 5_000_000
_ABSTRACT_IDS = {"decimal": 901, "bullet": 902}


def numbering(document: Any, kind: str, start: int = 1) -> int:
    """A new list of `kind` ("decimal" or "bullet") that starts at `start`: its numId."""
    part = document.part.numbering_part.element
    abstract_id = _ABSTRACT_IDS[kind]
    if not part.xpath(f'w:abstractNum[@w:abstractNumId="{abstract_id}"]'):
        text = "%1." if kind == "decimal" else "\u2022"
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            '<w:multiLevelType w:val="singleLevel"/>'
            f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{kind}"/><w:lvlText w:val="{text}"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="454" w:hanging="454"/></w:pPr></w:lvl>'
            "</w:abstractNum>"
        )
        nums = part.xpath("w:num")
        if nums:
            nums[0].addprevious(abstract)
        else:
            part.append(abstract)
    num = part.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return int(num.numId)


def ensure_styles(document: Any) -> None:
    """The styles the writer uses, added to a letterhead that lacks them (Word's own names and levels)."""
    styles = document.styles
    names = {style.name for style in styles}
    for level, (name, size) in enumerate((("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)), start=0):
        if name not in names:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style, style.font.bold, style.font.size = styles["Normal"], True, Pt(size)
            style.paragraph_format.keep_with_next = True
            style.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{level}"/>'))
    if "Title" not in names:
        title = styles.add_style("Title", WD_STYLE_TYPE.PARAGRAPH)
        title.base_style, title.font.size = styles["Normal"], Pt(26)


def start_columns(document: Any, count: int) -> None:
    """What follows in `count` columns, on the same page (a continuous section break)."""
    section = document.add_section(WD_SECTION.CONTINUOUS)
    columns = section._sectPr.find(qn("w:cols"))
    if columns is None:
        columns = parse_xml(f"<w:cols {nsdecls('w')}/>")
        grid = section._sectPr.find(qn("w:docGrid"))
        grid.addprevious(columns) if grid is not None else section._sectPr.append(columns)
    columns.set(qn("w:num"), str(count))
    columns.set(qn("w:space"), "340")  # 6 mm between columns, as the PDFs have


def number_paragraph(paragraph: Any, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def add_field(paragraph: Any, instruction: str, shown: str, size: float) -> None:
    """A field Word and LibreOffice update when they lay the page out, e.g. PAGE or NUMPAGES."""
    run = f'<w:r><w:rPr><w:sz w:val="{round(size * 2)}"/></w:rPr><w:t>{shown}</w:t></w:r>'
    paragraph._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} ">{run}</w:fldSimple>'))


def set_language(document: Any, language: str) -> None:
    """The documents' language (a tag such as en-GB) for spelling and for screen readers, in every
    style that does not say otherwise."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = parse_xml(f"<w:docDefaults {nsdecls('w')}/>")
        document.styles.element.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = parse_xml(f"<w:rPrDefault {nsdecls('w')}><w:rPr/></w:rPrDefault>")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    properties.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{language}" w:eastAsia="{language}" w:bidi="ar-SA"/>'))
    document.core_properties.language = language


def set_properties(
    document: Any, title: str, author: str, subject: str, keywords: str, when: dt.datetime, category: str
) -> None:
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.subject = subject
    properties.keywords = keywords
    properties.comments = ""
    properties.category = category
    properties.revision = 1
    properties.created = when
    properties.modified = when
    properties.last_printed = when


def package_bytes(document: Any, when: dt.datetime) -> bytes:
    """The .docx's bytes with every member dated `when`, so that two builds give the same bytes.

    python-docx's own writer puts each part in the zip; only the archive is ours: fixed
    dates, and pictures stored as they are (deflating a PNG again gains nothing).
    """
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    archive = _DatedZip(when)
    writer: Any = PackageWriter  # its steps are static and take any object with write()
    writer._write_content_types_stream(archive, package.parts)
    writer._write_pkg_rels(archive, package.rels)
    writer._write_parts(archive, package.parts)
    return archive.close()


class _DatedZip:
    """What python-docx's PackageWriter writes into, in place of its own zip."""

    def __init__(self, when: dt.datetime) -> None:
        self.stamp = (when.year, when.month, when.day, 0, 0, 0)
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w")

    def write(self, pack_uri: Any, blob: bytes) -> None:
        member = zipfile.ZipInfo(pack_uri.membername, date_time=self.stamp)
        packed = member.filename.lower().endswith((".png", ".jpg", ".jpeg"))
        member.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
        member.external_attr = 0o644 << 16
        self.zip.writestr(member, blob)

    def close(self) -> bytes:
        self.zip.close()
        return self.buffer.getvalue()


def has_words(part: Any) -> bool:
    return any(p.text.strip() for p in part.paragraphs) or bool(part._element.xpath(".//w:drawing"))


def describe(shape: Any, alt: str) -> None:
    """The picture's alternative text, which Word shows and reads out."""
    shape._inline.docPr.set("descr", alt)


def rgb(colour: str) -> RGBColor:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return RGBColor.from_string(value.upper())


def image_bytes(src: str, allowed: list[Path]) -> tuple[bytes, bool]:
    """What an <img> shows, and whether it is SVG: a PNG, JPEG or SVG `data:` URL (the logo, as
    the load stage rebuilt it), or a file inside one of the `allowed` folders."""
    parsed = urlparse(src)
    if parsed.scheme == "data":
        media, _, payload = parsed.path.partition(",")
        if media in ("image/png;base64", "image/jpeg;base64", "image/svg+xml;base64"):
            with contextlib.suppress(binascii.Error, ValueError):
                return base64.b64decode(payload, validate=True), media.startswith("image/svg")
    elif parsed.scheme == "file":
        path = Path(unquote(parsed.path)).resolve()
        if any(path.is_relative_to(root) for root in allowed) and path.suffix.lower() in (
            ".png",
            ".jpg",
            ".jpeg",
            ".svg",
        ):
            try:
                return read_bytes(path, MAX_PICTURE_BYTES), path.suffix.lower() == ".svg"
            except UnreadableFile as exc:
                raise BuildFailed(f"{path.name}: {exc}") from None
    raise BuildFailed(f"refused to put {src[:80]} in a Word file: only the school's own PNG, JPEG or SVG images")
