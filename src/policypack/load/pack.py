"""The values a build passes down: what load read (`PackInputs`) and what check made of it
(`CheckedPack`).

Both are declared here, below the check stage, so that layout, render and write can take a
checked pack without importing the check stage: check produces the value, later stages
only read it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from policypack.errors import Problem
from policypack.load.checks import apply_checks, load_checks
from policypack.load.flows import FlowSet, bundled_flow_set
from policypack.load.profile import LoadedProfile, load_school
from policypack.load.strings import load_strings
from policypack.model.approval import Approval
from policypack.model.flow import Flow
from policypack.model.phases import flow_for_phase
from policypack.model.profile import PosterSpec
from policypack.model.strings import Strings
from policypack.model.theme import Theme
from policypack.resources import bundled_path


@dataclass(frozen=True)
class PackInputs:
    """Everything a school's pack is made from, with every path resolved and every place known."""

    school: LoadedProfile
    flows: FlowSet
    strings: Strings  # the words of the profile's language that are not in a template

    @property
    def allowed(self) -> tuple[Path, ...]:
        """The only folders a document may load files from: the bundled templates, and the school's own.

        Not the profile's folder: in a trust it may hold every school's profile (the logo,
        checked and rebuilt at load time, goes into documents as data, not as a file).
        """
        own = (self.school.templates,) if self.school.templates else ()
        return (bundled_path("templates"), *own)

    @property
    def base(self) -> Path:
        """Where relative addresses in a school's templates point: its templates folder."""
        return self.school.templates or bundled_path("templates")


def load_pack(profile: Path, flows: FlowSet | None = None) -> tuple[PackInputs | None, list[Problem]]:
    """Load a profile and the flows it is printed with (the bundled ones by default).

    The profile is parsed once here; every later stage takes the returned value. The
    flows are the ones a school of its phase prints (see model/phases.py), with the checks
    its trust recorded (see load/checks.py).
    """
    school, problems = load_school(profile)
    if school is None:
        return None, problems
    strings, found = load_strings(school.model.language, school.locate("language"))
    if strings is None:
        return None, problems + found
    phase = school.model.school.phase
    flow_set = flows or bundled_flow_set(phase)
    printed = replace(flow_set, flows=[doc.replace(flow_for_phase(doc.model, phase)) for doc in flow_set.flows])
    checks, check_problems = load_checks(school)
    if checks is not None:
        printed, lapsed = apply_checks(printed, checks)
        check_problems += lapsed
        parsed = hashlib.sha256(checks.model.model_dump_json().encode()).hexdigest()
        school = replace(school, inputs=(*school.inputs, (checks.path, parsed)))  # a new check rebuilds the pack
    return PackInputs(school, printed, strings), problems + check_problems


@dataclass(frozen=True)
class CheckedPack:
    """A pack input that passed every check, with the check stage's verdicts.

    Only the check stage makes one (`check_pack`): holding one means the charts and posters
    exist for the school's nation, and the theme is the brand's, resolved once.
    """

    inputs: PackInputs
    theme: Theme
    approval: Approval  # this text's version, and whether the governors approved it
    pending: tuple[tuple[str, str], ...]  # (flow id, step id) of each part of the text awaiting checking
    charts: dict[str, Flow]  # the procedure's charts, by name, in the order the policy presents them
    posters: tuple[tuple[PosterSpec, Flow], ...]  # the posters the profile asks for, with their flows
    problems: tuple[Problem, ...] = ()  # warnings and notes (a pack with errors is never checked)
    overdue: tuple[str, ...] = ()  # what the policy says of each watch item that has fallen due

    @property
    def school(self) -> LoadedProfile:
        return self.inputs.school

    @property
    def flows(self) -> FlowSet:
        return self.inputs.flows
