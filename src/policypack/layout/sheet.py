"""Lay-out stage: paper sizes, the boxes on a sheet, and fitting a chart into its box.

The legibility rule: the smallest text on a poster must be at least 7 pt for every metre
it is meant to be read from, and never under 9 pt. Each paper size has an intended
reading distance, so A2 (read from 2 m) needs 14 pt. See the README for why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from policypack.model.flow import Flow
from policypack.model.profile import Profile
from policypack.model.theme import Theme

PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210, 297), "A3": (297, 420), "A2": (420, 594), "A1": (594, 841)}
READING_DISTANCE_M: dict[str, float] = {"A4": 1.0, "A3": 1.5, "A2": 2.0, "A1": 3.0}
PT_PER_METRE = 7.0
FLOOR_PT = 9.0
MM_PER_PT = 25.4 / 72
BLEED_MM = 3.0
MARK_MM = 5.0  # crop marks: 5 mm long, starting outside the 3 mm bleed, on a slug


def minimum_text_pt(size: str) -> float:
    """The smallest text size that reads from the paper size's intended distance."""
    return max(FLOOR_PT, PT_PER_METRE * READING_DISTANCE_M[size])


@dataclass(frozen=True)
class TitleLengths:
    """About how long (in characters) each line of a poster's title block is, to keep room for it.

    The words are the template's; these lengths only decide how many lines to reserve, so
    a long title, a long school name or many people to tell never run off the header.
    """

    title: int = 0
    detail: int = 0
    tell: tuple[int, ...] = ()  # a school's poster names who to tell under its title: its parts' lengths
    logo: bool = False
    footer: int = 0  # the footer's line under the legend: the flow's rules for posters, the caution


CHAR_EM = 0.55  # an average character of Open Sans, in em
FOOTER_CHAR_EM = 0.44  # the footer's words: a 127-character footer fills one 180 mm line at 9 pt (0.446 em)
# The who-to-tell line is the largest text after the title: at least this many em of the
# poster's base size, the title a fifth larger again, and the chart's largest text under it.
TELL_EM = 1.2
TELL_CHAR_EM = 0.5  # an average character of the line, partly bold (Open Sans measures about 0.5)
MAX_TELL_EM = 2.4
TITLE_OVER_TELL = 1.2
CHART_UNDER_TELL = 0.98
# The fixed words of the poster template's detail lines (documents/poster.html.j2), in characters.
DETAIL_WORDS_SCHOOL = len(" · policy adopted 30 September 2026, next review 30 September 2027 · based on ")
DETAIL_WORDS_PLAIN = len(
    "Based on  · checked against its sources on 30 September 2026 · step numbers match the written procedure"
)


# The footer's fixed words (documents/poster.html.j2): the caution after a flow's rules, and
# the caution of a flow without any.
FOOTER_AFTER_RULES = len("Not legal advice.")
FOOTER_CAUTION = len(
    "Not legal advice: follow your school's child protection policy and local safeguarding arrangements."
)


def title_lengths(flow: Flow, profile: Profile | None = None, logo: bool = False) -> TitleLengths:
    """The title block and footer of a poster of `flow`: a school's when `profile` is given."""
    rules = [rule for rule in flow.rules if rule.poster]
    footer = (
        sum(len(rule.poster or "") + len(" · ") for rule in rules) + FOOTER_AFTER_RULES if rules else FOOTER_CAUTION
    )
    if profile is None:
        return TitleLengths(len(flow.title), DETAIL_WORDS_PLAIN + len(flow.edition), footer=footer)
    # a rule that sends staff to an agency prints its numbers after the rule's words (poster.html.j2)
    for rule in rules:
        agency = getattr(profile.contacts, rule.call) if rule.call else None
        if agency:
            footer += len(f" {agency.phone}") + (
                len(f", out of hours {agency.out_of_hours}") if agency.out_of_hours else 0
            )
    detail = len(profile.school.name) + DETAIL_WORDS_SCHOOL + len(flow.edition)
    tell = profile.people.tell_words(str(flow.terms.get("lead", "DSL")))
    return TitleLengths(len(flow.title), detail, tell, logo, footer)


@dataclass(frozen=True)
class Sheet:
    """A poster page, with the boxes the template lays out (all in millimetres)."""

    size: str
    landscape: bool
    print_marks: bool
    text: TitleLengths = TitleLengths()
    tell_em: float = TELL_EM  # the who-to-tell line's size, in em of `base_pt`

    @property
    def width(self) -> float:
        w, h = PAPER_MM[self.size]
        return h if self.landscape else w

    @property
    def height(self) -> float:
        w, h = PAPER_MM[self.size]
        return w if self.landscape else h

    @property
    def base_pt(self) -> float:
        """Body text size of the poster's own text (title block, legend, footer)."""
        return minimum_text_pt(self.size)

    @property
    def margin(self) -> float:
        return round(max(8.0, min(self.width, self.height) * 0.03), 1)  # 8 mm or more: an office printer's edge

    @property
    def logo_height(self) -> float:
        """The logo's height: 80 % of a plain title block (two title lines and one of detail)."""
        return round(self.base_pt * 5.4 * MM_PER_PT * 0.8, 1)

    @property
    def title_em(self) -> float:
        return max(1.6, round(self.tell_em * TITLE_OVER_TELL, 2)) if self.tell_lines else 1.9

    @property
    def tell_pt(self) -> float:
        """The who-to-tell line's text size (0 when the poster has none)."""
        return round(self.base_pt * self.tell_em, 2) if self.tell_lines else 0.0

    @property
    def header_height(self) -> float:
        """The title's lines, the detail's and the who-to-tell lines, in the template's line heights.

        Never less than the plain block (two title lines and one of detail) the charts were fitted with.
        """
        title = self.title_em * (1.15 * self.title_lines + 0.25)
        tell = 0.2 + 1.3 * self.tell_em * self.tell_lines if self.tell_lines else 0
        needed = title + 1.3 * self.detail_lines + tell + 0.3
        return round(self.base_pt * max(5.4, needed) * MM_PER_PT, 1)

    @property
    def title_lines(self) -> int:
        return self._lines(self.text.title, self.title_em)

    @property
    def detail_lines(self) -> int:
        return self._lines(self.text.detail, 1.0)

    @property
    def tell_lines(self) -> int:
        """The who-to-tell line's lines: its parts packed in turn (bold, so a little wider)."""
        if not self.text.tell:
            return 0
        em_mm = self.base_pt * MM_PER_PT * self.tell_em * TELL_CHAR_EM
        lines, used = 1, 0.0
        for chars in self.text.tell:
            width = chars * em_mm
            if used and used + em_mm + width > self._room():
                lines, used = lines + 1, width
            else:
                used += (em_mm if used else 0) + width
        return lines

    def _room(self) -> float:
        """The title block's width beside the logo."""
        em_mm = self.base_pt * MM_PER_PT
        return self.width - 2 * self.margin - ((self.logo_height + em_mm) if self.text.logo else 0)

    def _lines(self, chars: int, em: float) -> int:
        """Lines `chars` characters of `em`-sized text take beside the logo; 0 for no text."""
        if not chars:
            return 0
        em_mm = self.base_pt * MM_PER_PT
        return max(1, math.ceil(chars * CHAR_EM * em * em_mm / self._room()))

    @property
    def footer_lines(self) -> int:
        """The lines of the footer's text under the legend, across the sheet."""
        em_mm = self.base_pt * MM_PER_PT
        return max(1, math.ceil(self.text.footer * FOOTER_CHAR_EM * em_mm / (self.width - 2 * self.margin)))

    @property
    def footer_height(self) -> float:
        """Two lines of legend, then the footer's lines (5.6 em holds one, as every poster had)."""
        return round(self.base_pt * (5.6 + 1.3 * (self.footer_lines - 1)) * MM_PER_PT, 1)

    @property
    def gap(self) -> float:
        return round(self.base_pt * 0.6 * MM_PER_PT, 1)

    def chart_box(self) -> tuple[float, float]:
        """Width and height (mm) left for the chart, less 1 mm so rounding never spills a page."""
        width = self.width - 2 * self.margin
        height = self.height - 2 * self.margin - self.header_height - self.footer_height - 2 * self.gap - 1
        return width, round(height, 1)


@dataclass(frozen=True)
class FittedChart:
    svg: str
    scale: float
    smallest_pt: float
    largest_pt: float = 0.0  # the chart's largest text as printed
    room_pt: float = 0.0  # its largest text had it filled the box (more than `largest_pt` when held smaller)


def fit_chart(svg: str, sheet: Sheet, style: Theme, largest_pt: float | None = None) -> FittedChart:
    """Scale dot's SVG to fill the sheet's chart box (the text alternative is the renderer's),
    but no larger than puts its largest text at `largest_pt`, when given."""
    match = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not match:
        raise ValueError("dot's SVG has no size in points")
    width_pt, height_pt = float(match.group(1)), float(match.group(2))
    box_w, box_h = sheet.chart_box()
    room = min(box_w / (width_pt * MM_PER_PT), box_h / (height_pt * MM_PER_PT))
    scale = min(room, largest_pt / style.largest_pt) if largest_pt else room
    width_mm, height_mm = width_pt * MM_PER_PT * scale, height_pt * MM_PER_PT * scale
    body = svg[svg.index("<svg") :]
    body = re.sub(r"<!--.*?-->\n?", "", body, flags=re.DOTALL)
    body = re.sub(r' id="[^"]*"', "", body)  # dot's ids repeat across charts; nothing links to them
    body = body.replace(match.group(0), f'<svg width="{width_mm:.2f}mm" height="{height_mm:.2f}mm"', 1)
    # text sizes to a thousandth of a point: a chart held at exactly 8 pt is not 7.999999 pt
    smallest, largest = round(style.smallest_pt * scale, 3), round(style.largest_pt * scale, 3)
    return FittedChart(body, scale, smallest, largest, style.largest_pt * room)


def lay_out_poster(
    svg: str, style: Theme, size: str, landscape: bool | None, print_marks: bool, text: TitleLengths = TitleLengths()
) -> tuple[Sheet, FittedChart]:
    """The chart on a poster sheet; with `landscape=None`, the orientation that prints larger text.

    `text`: how long the title block's lines are. A school's who-to-tell line is never left
    out: it is the largest text after the title, so the chart's largest text is held under
    it, and a chart with room to print larger makes the line (and the title) larger instead.
    Whether the chart then meets the legibility rule is the caller's to check (`legible`).
    """
    orientations = [landscape] if landscape is not None else [False, True]

    def best(tell_em: float) -> tuple[Sheet, FittedChart]:
        sheets = [Sheet(size, o, print_marks, text, tell_em) for o in orientations]
        fitted = [(fit_chart(svg, sheet, style, sheet.tell_pt * CHART_UNDER_TELL or None), sheet) for sheet in sheets]
        chart, sheet = max(fitted, key=lambda p: p[0].scale)
        return sheet, chart

    tell_em = TELL_EM
    sheet, chart = best(tell_em)
    for _ in range(4):  # a few rounds settle it: a larger line leaves the chart less room
        wanted = chart.room_pt / (CHART_UNDER_TELL * sheet.base_pt)
        if not text.tell or wanted <= tell_em + 0.01 or tell_em >= MAX_TELL_EM:
            break
        tell_em = min(MAX_TELL_EM, round(wanted, 3))
        sheet, chart = best(tell_em)
    return sheet, chart


def legible(sheet: Sheet, chart: FittedChart) -> bool:
    """Whether the chart's smallest text meets the legibility rule for the sheet's size."""
    return chart.smallest_pt >= minimum_text_pt(sheet.size) - 0.05
