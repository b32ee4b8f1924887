"""Load a school's checks file and apply it to the flows its pack prints.

`policy: {checks: checks.yaml}` names a file beside the profile that gives it (the school's
or its trust's). Each check marks the pending citations of one part as checked, by whom and
when, provided the part's text is still the text that was checked; otherwise the check has
lapsed and is a warning at its line, and the part stays pending.
"""

from __future__ import annotations

from dataclasses import replace

from policypack.errors import Problem, Severity, suggest
from policypack.load.files import inside, is_file
from policypack.load.flows import FlowSet
from policypack.load.located import Located, load_model
from policypack.load.profile import LoadedProfile
from policypack.model.basics import Citation, TrustCheck
from policypack.model.checks import RULE, CheckEntry, ChecksFile, fingerprint, part_text
from policypack.model.flow import Flow


def load_checks(school: LoadedProfile) -> tuple[Located[ChecksFile] | None, list[Problem]]:
    """The school's checks file, if its profile names one, read safely from beside that profile."""
    given = school.model.policy.checks
    if given is None:
        return None, []
    where = school.locate("policy", "checks")
    folder = where.file.parent
    path = (folder / given).resolve()
    if not inside(path, folder) or not is_file(path) or path.suffix not in (".yaml", ".yml"):
        return None, [Problem(where, f"checks file '{given}' is not a .yaml file beside the profile that names it")]
    return load_model(path, ChecksFile)


def apply_checks(flows: FlowSet, checks: Located[ChecksFile]) -> tuple[FlowSet, list[Problem]]:
    """The flows with each still-current check recorded on its citations; problems for the rest."""
    by_id = {doc.model.id: doc for doc in flows.flows}
    problems: list[Problem] = []
    for index, entry in enumerate(checks.model.checks):
        at = checks.locate("checks", index)
        doc = by_id.get(entry.flow)
        if doc is None:
            problems.append(Problem(at, f"no flow '{entry.flow}' in this pack", suggest(entry.flow, by_id)))
            continue
        text = part_text(doc.model, entry.step)
        if text is None:
            problems.append(
                Problem(at, f"{entry.flow} has no part '{entry.step}'", "copy flow, step and source from review")
            )
            continue
        if fingerprint(text) != entry.text:
            message = f"the check of {entry.flow}, {entry.step} ({entry.source}) has lapsed: the part's text changed"
            hint = f"read the part again and record text: {fingerprint(text)} (policypack review --profile)"
            problems.append(Problem(checks.locate("checks", index, "text"), message, hint, Severity.WARNING))
            continue
        flow, found = _checked(doc.model, entry)
        if not found:
            message = f"{entry.flow}, {entry.step} has nothing pending from '{entry.source}' to check"
            problems.append(Problem(checks.locate("checks", index, "source"), message, None, Severity.WARNING))
        by_id[entry.flow] = doc.replace(flow)
    return replace(flows, flows=[by_id[doc.model.id] for doc in flows.flows]), problems


def _checked(flow: Flow, entry: CheckEntry) -> tuple[Flow, bool]:
    record = TrustCheck(checked_on=entry.checked_on, by=entry.by, edition=entry.edition, place=entry.place)
    found = False

    def mark(cites: list[Citation]) -> list[Citation]:
        """The first pending citation of the source is checked: review lists one claim per citation."""
        nonlocal found
        out = []
        for c in cites:
            if c.source == entry.source and c.is_pending and not found:
                c = c.model_copy(update={"checked": record})
                found = True
            out.append(c)
        found = found or any(c.source == entry.source and c.checked == record for c in cites)
        return out

    if entry.step.startswith(RULE):
        rules = [r.model_copy(update={"cites": mark(r.cites)}) if RULE + r.id == entry.step else r for r in flow.rules]
        return flow.model_copy(update={"rules": rules}), found
    steps = [s.model_copy(update={"cites": mark(s.cites)}) if s.id == entry.step else s for s in flow.steps]
    return flow.model_copy(update={"steps": steps}), found
