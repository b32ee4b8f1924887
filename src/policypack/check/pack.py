"""Check stage for a whole pack input: the school's profile against the flows it is printed with.

`check_pack` hands down a `CheckedPack`: the input, its warnings, the approval state, the
parts still awaiting checking, the charts and posters resolved for the school's nation,
and the theme worked out once from the brand. Later stages read these; none works them out again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from policypack.check.approval import approval_of, approval_problems
from policypack.check.nations import applies, superseded_at_adoption
from policypack.check.pending import pending_parts
from policypack.check.profile import check_school
from policypack.check.wales import england_only_contacts
from policypack.errors import Problem, has_errors
from policypack.load.pack import CheckedPack, PackInputs
from policypack.model.flow import Flow, flow_id
from policypack.model.profile import PROCEDURE_CHARTS
from policypack.model.theme import ThemeLogo, theme_from_brand


def check_pack(inputs: PackInputs, today: dt.date) -> tuple[CheckedPack | None, list[Problem]]:
    """Everything that must hold before a school's pack is laid out and printed; the checked
    pack, or None when any problem is an error."""
    school = inputs.school
    problems = check_school(school, {doc.model.id for doc in inputs.flows.flows}, today)
    problems += england_only_contacts(school)
    problems += superseded_at_adoption(school, inputs.flows)
    approval = approval_of(inputs)
    problems += approval_problems(inputs, approval)
    nation = school.model.school.nation
    charts: dict[str, Flow] = {}
    for name in PROCEDURE_CHARTS:
        found = inputs.flows.find(flow_id(nation, name))
        if found is None:
            problems.append(Problem(school.locate("school", "nation"), f"no flow '{flow_id(nation, name)}' to print"))
        else:
            charts[name] = found.model
    posters = []
    outputs = school.model.outputs
    for spec in outputs.posters if "posters" in outputs.documents and "pdf" in outputs.formats else ():
        poster = inputs.flows.find(flow_id(nation, spec.chart))
        if poster is not None:  # a chart that does not exist is check_school's error
            posters.append((spec, poster.model))
    if has_errors(problems):
        return None, problems
    logo = ThemeLogo(school.logo.image.uri, school.logo.alt) if school.logo else None
    theme = theme_from_brand(school.brand.model if school.brand else None, logo)
    pending = tuple(pending_parts(charts.values()))
    overdue = tuple(_overdue(inputs, today))
    checked = CheckedPack(inputs, theme, approval, pending, charts, tuple(posters), tuple(problems), overdue)
    return checked, problems


def _overdue(inputs: PackInputs, today: dt.date) -> Iterator[str]:
    """What the school's policy must say of each watch item of its nation that has fallen due."""
    registry = inputs.flows.sources.model if inputs.flows.sources else None
    nation = inputs.school.model.school.nation
    for item in registry.watch if registry else ():
        if item.due <= today and item.notice and applies(item.jurisdiction, nation):
            yield item.notice
