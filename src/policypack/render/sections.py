"""Render stage: the policy's numbered sections and the criteria, as the templates use them.

Section numbers, the contents list and every "see section 5.1" come from one list, so an
override or a new chart cannot leave a reference pointing at nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from policypack.load.strings import bundled_strings
from policypack.model.flow import Flow, Step
from policypack.model.strings import Strings


class UnknownSection(jinja2.TemplateRuntimeError, LookupError):
    """A template names a policy section that does not exist (reported at its line)."""


@dataclass(frozen=True)
class Heading:
    id: str
    number: str  # "5", "5.2", or "Appendix A"
    title: str
    level: int
    appendix: bool = False


class SectionOutline:
    """The policy's numbered sections, from one list: headings, contents and cross-references.

    `chapters` (id, title) comes from the templates; the procedure's parts are its charts,
    given as (key, flow). A reference to an id that is not a section is an error.
    """

    def __init__(
        self, chapters: Sequence[Sequence[str]], charts: Sequence[tuple[str, Flow]], words: Strings | None = None
    ) -> None:
        self.words = words or bundled_strings()
        self.headings: list[Heading] = []
        index = letter = 0
        for key, title, *kind in chapters:
            if kind == ["appendix"]:
                letter += 1
                self.headings.append(Heading(key, f"Appendix {chr(64 + letter)}", title, 2, appendix=True))
                continue
            index += 1
            self.headings.append(Heading(key, str(index), title, 2))
            if key == "procedure":
                for sub, (chart, flow) in enumerate(charts, start=1):
                    name = flow.short_title or flow.title
                    self.headings.append(Heading(f"chart-{chart}", f"{index}.{sub}", name, 3))
        self._by_id = {heading.id: heading for heading in self.headings}

    def __getitem__(self, key: str) -> Heading:
        try:
            return self._by_id[key]
        except KeyError:
            raise UnknownSection(f"no policy section '{key}'; the sections are: {', '.join(self._by_id)}") from None

    def ref(self, key: str) -> Markup:
        """'section 5.1', linked to its heading."""
        heading = self[key]
        said = heading.number if heading.appendix else self.words.section_ref.format(number=heading.number)
        return Markup('<a class="xref" href="#{}">{}</a>').format(key, said)


def criteria(charts: Sequence[tuple[str, Flow, dict[str, int]]]) -> list[dict[str, Any]]:
    """The immediate-referral criteria in order, as the flows mark them (chart key, flow, numbers)."""
    found: list[tuple[str, Step, int]] = [
        (key, step, numbers[step.id]) for key, flow, numbers in charts for step in flow.steps if step.criterion
    ]
    found.sort(key=lambda entry: entry[1].criterion or 0)
    return [
        {
            "number": step.criterion,
            "chart": key,
            "place": (key, step.id),  # as the review marks take it
            "step": step,
            "step_number": number,
            "question": re.sub(r"^Criterion \d+:\s*", "", step.title),
        }
        for key, step, number in found
    ]
