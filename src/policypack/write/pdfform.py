"""Write stage: PDF form fields that print what any tool fills in.

WeasyPrint writes a text field's font size as the CSS gave it and a check box with no
default appearance (/DA) and no "off" appearance. A viewer that redraws the fields
(pypdf and others set /NeedAppearances) then clips a long answer at that size and draws a
ticked box empty. Here every text field's size becomes 0 (the viewer shrinks the text to
fit the box), every check box gets a /DA in the standard ZapfDingbats font with a tick as
its caption, and an empty "off" appearance; rectangles are put bottom-left to top-right.
"""

from __future__ import annotations

import re
from typing import Any

TICK = "4"  # a tick in ZapfDingbats
MULTILINE = 1 << 12
_SIZE = re.compile(r"(/\S+) [\d.]+ Tf")


def fix_form_fields(pdf: Any) -> None:
    """Make the form's fields print what is filled in, whoever fills them."""
    import pydyf

    form = pdf.catalog.get("AcroForm") if hasattr(pdf.catalog, "get") else None
    if not form:
        return
    dingbats = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/ZapfDingbats"})
    pdf.add_object(dingbats)
    _fonts(pdf, form)["ZaDb"] = dingbats.reference
    for field in [o for o in pdf.objects if isinstance(o, dict) and o.get("Subtype") == "/Widget"]:
        x1, y1, x2, y2 = (float(v) for v in field["Rect"])
        field["Rect"] = pydyf.Array([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)])
        if field.get("FT") == "/Tx":
            field["DA"] = pydyf.String(_SIZE.sub(r"\1 0 Tf", _text(field["DA"])))
        elif field.get("FT") == "/Btn" and "Parent" not in field:
            field["DA"] = pydyf.String("/ZaDb 0 Tf 0 g")
            field["MK"]["CA"] = pydyf.String(TICK)
            width, height = abs(x2 - x1), abs(y2 - y1)
            box = pydyf.Array((0, 0, width, height))
            off = pydyf.Stream(extra={"Type": "/XObject", "Subtype": "/Form", "BBox": box})
            pdf.add_object(off)
            field["AP"]["N"]["Off"] = off.reference


def _text(value: Any) -> str:
    raw = getattr(value, "string", value)
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _resolve(pdf: Any, value: Any) -> Any:
    """A dictionary given directly or as an indirect reference ("12 0 R")."""
    if isinstance(value, dict):
        return value
    return pdf.objects[int(_text(value).split()[0])]


def _fonts(pdf: Any, form: Any) -> Any:
    """The form's own font resources: the page fonts its fields use, in a dictionary of its own.

    WeasyPrint points the form's /DR at the pages' resources; a font added there would be a
    page font that is not embedded. The form gets a copy instead.
    """
    import pydyf

    resources = _resolve(pdf, form["DR"])
    fonts = pydyf.Dictionary(_resolve(pdf, resources["Font"]) if "Font" in resources else {})
    form["DR"] = pydyf.Dictionary({"Font": fonts})
    return fonts
