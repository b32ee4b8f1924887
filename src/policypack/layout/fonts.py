"""Pre-flight: are the programs and fonts a pack prints with installed? Asked once, before any layout.

dot sizes every box from text it measures through Pango, and WeasyPrint later draws that
text through the same fontconfig; if either measured with another font, labels would
overflow. So every font question goes to `dot -v`, once per font per process:

- dot missing, dot without Pango, or the house font missing: `ToolMissing` (exit 3), since
  nothing could be built;
- a font a school's brand names that is not installed: a problem located at the brand's
  line, for that school alone (exit 1), the same from `validate`, `build` and `flowchart`.
"""

from __future__ import annotations

import functools
import re

from policypack.check.profile import FONT_FAMILY
from policypack.errors import InvalidInput, Problem, ToolMissing
from policypack.load.pack import CheckedPack
from policypack.load.profile import LoadedProfile
from policypack.model.theme import DEFAULT_FONT, Theme
from policypack.tools import INSTALL_HINTS, font_install_hint, run_tool

PROBE_TIMEOUT_SECONDS = 20


class FontMissing(ToolMissing):
    """A font is not installed; `fallback` is the one dot would have used instead."""

    def __init__(self, font: str, fallback: str) -> None:
        super().__init__(f"the font '{font}' is not installed (dot would use '{fallback}'); {font_install_hint(font)}")
        self.font, self.fallback = font, fallback


@functools.cache
def require_dot_font(font: str) -> str:
    """The font file dot measures `font` with; dot must measure through Pango.

    Without the Pango plugin, dot guesses text widths and labels overflow their boxes in
    the PDF, silently; without the font, dot and WeasyPrint may pick different fallbacks.
    """
    probe = f'digraph {{ node [fontname="{font}"]; a }}'
    done = run_tool("dot", ["-v", "-Tsvg"], stdin=probe.encode(), timeout=PROBE_TIMEOUT_SECONDS, check=False)
    report = done.stderr.decode(errors="replace")
    # e.g. fontname: "Open Sans" resolved to: (PangoCairoFcFont) "Open Sans, Regular" /usr/.../OpenSans-Regular.ttf
    match = re.search(r'resolved to: \(([^)]*)\)\s*"([^",]*)[^"]*"\s*(\S*)', report)
    if not match or "pango" not in match.group(1).casefold():
        raise ToolMissing(f"dot cannot measure text with Pango, so labels would overflow; {INSTALL_HINTS['dot']}")
    if match.group(2).strip().casefold() != font.casefold():
        raise FontMissing(font, match.group(2).strip())
    return match.group(3)


def require_tools() -> None:
    """dot, with Pango, and the house font: ToolMissing (exit 3) when any is missing."""
    require_dot_font(DEFAULT_FONT)


def font_problems(school: LoadedProfile, theme: Theme) -> list[Problem]:
    """A problem at the brand's line for each font it names that is not installed."""
    problems = []
    for part, family in (("base", theme.font), ("headings", theme.heading_font)):
        if not family or family == DEFAULT_FONT or not FONT_FAMILY.fullmatch(family):
            continue  # a name that could not be a font's is the check stage's error
        try:
            require_dot_font(family)
        except FontMissing as missing:
            message = f"the font '{family}' is not installed (documents would print in '{missing.fallback}')"
            problems.append(Problem(school.locate_brand("typography", part), message, font_install_hint(family)))
    return problems


def preflight(checked: CheckedPack | None = None) -> None:
    """Before anything is laid out: the tools (exit 3), then the fonts a school's theme names
    (InvalidInput, exit 1, at the brand's lines)."""
    require_tools()
    if checked is not None:
        problems = font_problems(checked.school, checked.theme)
        if problems:
            raise InvalidInput(problems)
