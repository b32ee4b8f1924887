"""The words a language prints outside the templates, as data (templates/strings/<language>.yaml).

Chart labels and connectors, the steps in words, text alternatives, dates and the Word
files' own words: layout, render and write read them from here, so a second language is
a new strings file (and its templates' text), not a change to the code.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from policypack.model.basics import StrictModel

Template = Annotated[str, Field(min_length=1)]  # text with {placeholders}
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Z]{2})?$"  # en-GB, cy-GB, cy
DEFAULT_LANGUAGE = "en-GB"


class _Words(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=False)  # spaces around words are kept


class Dates(_Words):
    format: Template
    months: Annotated[list[Template], Field(min_length=12, max_length=12)]


class ChartWords(_Words):
    kinds: dict[str, Template]  # start, action, decision, end, continues
    continues_at: Template
    from_step: Template
    from_steps: Template
    continues_in: Template


class AltWords(_Words):
    chart: Template
    chart_part: Template


class OutlineWords(_Words):
    heading: Template
    who: Template
    sources: Template
    next: Template
    branch: Template
    branch_separator: str
    end: Template
    end_continues: Template
    pending: Template


class WordWords(_Words):
    page_of: Annotated[list[str], Field(min_length=2, max_length=2)]
    category: Template


class Strings(_Words):
    language: Annotated[str, Field(pattern=LANGUAGE_TAG)]
    dates: Dates
    chart: ChartWords
    alt: AltWords
    outline: OutlineWords
    section_ref: Template
    word: WordWords

    def date(self, day: dt.date) -> str:
        """A date as this language writes it in running text, e.g. 30 September 2026."""
        return self.dates.format.format(day=day.day, month=self.dates.months[day.month - 1], year=day.year)
