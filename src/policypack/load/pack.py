"""The one value a build starts from: a school's profile and the flows, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policypack.errors import Problem
from policypack.load.flows import FlowSet, bundled_flow_set
from policypack.load.profile import School, load_school
from policypack.resources import bundled_path


@dataclass(frozen=True)
class PackInput:
    """Everything a school's pack is made from, with every path resolved and every place known."""

    school: School
    flows: FlowSet

    @property
    def allowed(self) -> tuple[Path, ...]:
        """The only folders a document may load files from (templates, the school's, its brand's)."""
        return (bundled_path("templates"), self.school.folder, self.school.brand_dir)


def load_pack(profile: Path, flows: FlowSet | None = None) -> tuple[PackInput | None, list[Problem]]:
    """Load a profile and the flows it is printed with (the bundled ones by default).

    The profile is parsed once here; every later stage takes the returned value.
    """
    school, problems = load_school(profile)
    if school is None:
        return None, problems
    return PackInput(school, flows or bundled_flow_set()), problems
