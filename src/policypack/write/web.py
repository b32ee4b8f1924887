"""Write stage: the web page, as the render stage made it (self-contained, one file), through the
allow-list sanitiser (`write/sanitise.py`)."""

from __future__ import annotations

from pathlib import Path

from policypack.load.pack import CheckedPack
from policypack.model.text import visible_controls
from policypack.render.pack import Rendered
from policypack.write.atomic import replacing
from policypack.write.sanitise import clean_web_page


class WebWriter:
    """The `html` format: a page a school can upload as it is."""

    def __init__(self, checked: CheckedPack) -> None:
        self.checked = checked

    def prepare(self, document: Rendered) -> None:
        return None

    def write(self, document: Rendered, out: Path) -> None:
        with replacing(out) as temp:
            temp.write_text(clean_web_page(visible_controls(document.html)), encoding="utf-8")

    def close(self) -> None:
        return None
