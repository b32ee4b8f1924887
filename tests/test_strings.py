"""Words outside the templates come from one strings file per language, read as data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from policypack.layout.chart import build_graph
from policypack.load.flows import bundled_flow_set
from policypack.load.strings import bundled_strings, languages
from policypack.model.route import number_steps
from policypack.model.strings import Strings
from policypack.model.theme import Theme
from policypack.render.outline import outline_text
from policypack.render.templating import template_environment
from tests.conftest import copy_school


def test_english_is_the_default_and_dates_read_as_the_language_writes_them() -> None:
    assert languages() == ["en-GB"]
    words = bundled_strings()
    assert words.language == "en-GB"
    assert words.date(dt.date(2026, 9, 30)) == "30 September 2026"
    day = template_environment().from_string("{{ when | date }}").render(when=dt.date(2027, 1, 3))
    assert day == "3 January 2027"


def _other_language() -> Strings:
    """The bundled strings with every word the tests look for replaced, as a translation would."""
    words = bundled_strings()
    return words.model_copy(
        update={
            "dates": words.dates.model_copy(update={"format": "{day}/{month}/{year}", "months": list("ABCDEFGHIJKL")}),
            "chart": words.chart.model_copy(
                update={"continues_at": "CONT {number}", "from_step": "FROM {numbers}", "continues_in": "NEXT {title}"}
            ),
            "outline": words.outline.model_copy(update={"who": "WHO {lane}", "end": "(STOP)", "next": "=> {number}"}),
        }
    )


def test_chart_connectors_and_the_steps_in_words_come_from_the_strings() -> None:
    words = _other_language()
    flow_set = bundled_flow_set()
    flow = flow_set.find("england-dsl-review")
    assert flow is not None
    numbers = number_steps(flow.model)
    first = frozenset(s.id for s in flow.model.steps if numbers[s.id] <= 5)
    rest = frozenset(s.id for s in flow.model.steps if numbers[s.id] > 5)
    titles = flow_set.flow_titles()
    assert "CONT " in build_graph(flow.model, Theme(), titles, first, words.chart)
    assert "FROM " in build_graph(flow.model, Theme(), titles, rest, words.chart)
    assert "Continues at step" not in build_graph(flow.model, Theme(), titles, first, words.chart)
    text = outline_text(flow.model, flow_set.source_map(), flow_titles=titles, words=words.outline)
    assert "WHO " in text and "Who:" not in text and "=> " in text
    assert words.date(dt.date(2026, 9, 30)) == "30/I/2026"


def test_a_language_without_a_strings_file_is_an_error_at_its_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    profile = copy_school(tmp_path / "school", {"school:\n": "language: cy-GB\nschool:\n"})
    result = cli("validate", str(profile))
    assert result.exit_code == 1
    assert "school.yaml:6:1:" in result.stdout and "no strings for the language 'cy-GB'" in result.stdout
    assert "languages: en-GB" in result.stdout
