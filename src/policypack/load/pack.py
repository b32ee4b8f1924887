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


def load_pack(profile: Path, flows: FlowSet | None = None) -> tuple[PackInput | None, list[Problem]]:
    """Load a profile and the flows it is printed with (the bundled ones by default).

    The profile is parsed once here; every later stage takes the returned value.
    """
    school, problems = load_school(profile)
    if school is None:
        return None, problems
    return PackInput(school, flows or bundled_flow_set()), problems
