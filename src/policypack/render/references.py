"""The policy's references: every cited source once, and where the policy rests on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from policypack.model.flow import Flow, Source, Step


class CitingChart(Protocol):
    """A chart of the policy as its references read it (render/pack.py's ChartSection)."""

    @property
    def flow(self) -> Flow: ...

    @property
    def steps(self) -> list[Step]: ...

    @property
    def numbers(self) -> dict[str, int]: ...


def references(sections: Sequence[CitingChart], sources: dict[str, Source]) -> list[dict[str, Any]]:
    """Every cited source once, in order of first citation, with the steps that rest on it.

    `steps` maps each chart's name to its step numbers, e.g.
    {"What every member of staff does": [1, 2, 4]}; `rules` lists the rules the policy states
    in its own sections (not in a step) that rest on it.
    """
    cited: dict[str, dict[str, Any]] = {}

    def entry(source: str) -> dict[str, Any]:
        return cited.setdefault(source, {"source": sources[source], "steps": {}, "rules": []})

    for section in sections:
        chart = section.flow.short_title or section.flow.title
        for step in section.steps:
            number = section.numbers[step.id]
            for citation in step.cites:
                _add(entry(citation.source)["steps"].setdefault(chart, []), number)
    for section in sections:  # then what the policy's own sections state: the law, the police
        texts = " ".join(step.text for step in section.steps)
        for rule in section.flow.rules:
            if rule.text not in texts:
                for citation in rule.cites:
                    rules = entry(citation.source)["rules"]
                    rules += [] if rule.id in rules else [rule.id]
    return list(cited.values())


def _add(numbers: list[int], number: int) -> None:
    if number not in numbers:
        numbers.append(number)
