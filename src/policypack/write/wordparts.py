"""Write stage, Word: the parts of a .docx that python-docx has no words for.

Numbered lists that restart for each list, page-number fields, the document's language,
and a file whose bytes depend only on its content and the policy's adoption date.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import RGBColor

LANGUAGE = "en-GB"
_ABSTRACT_IDS = {"decimal": 901, "bullet": 902}


def numbering(document: Any, kind: str) -> int:
    """A new list of `kind` ("decimal" or "bullet") that starts at 1: its numId."""
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
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def number_paragraph(paragraph: Any, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def add_field(paragraph: Any, instruction: str, shown: str) -> None:
    """A field Word and LibreOffice update when they lay the page out, e.g. PAGE or NUMPAGES."""
    paragraph._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} "><w:r><w:t>{shown}</w:t></w:r></w:fldSimple>')
    )


def set_language(document: Any) -> None:
    """British English for spelling and for screen readers, in every style that does not say otherwise."""
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
    properties.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{LANGUAGE}" w:eastAsia="{LANGUAGE}" w:bidi="ar-SA"/>'))
    document.core_properties.language = LANGUAGE


def set_properties(document: Any, title: str, author: str, subject: str, keywords: str, when: dt.datetime) -> None:
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.subject = subject
    properties.keywords = keywords
    properties.comments = ""
    properties.category = "Safeguarding policy"
    properties.revision = 1
    properties.created = when
    properties.modified = when
    properties.last_printed = when


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same .docx with every member dated `when`, so that two builds give the same bytes."""
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


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
