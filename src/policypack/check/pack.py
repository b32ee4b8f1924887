"""Check stage for a whole pack input: the school's profile against the flows it is printed with."""

from __future__ import annotations

import datetime as dt

from policypack.check.approval import approval_problems
from policypack.check.nations import superseded_at_adoption
from policypack.check.profile import check_school
from policypack.errors import Problem
from policypack.load.pack import PackInput


def check_pack(pack: PackInput, today: dt.date) -> list[Problem]:
    """Everything that must hold before a school's pack is laid out and printed."""
    problems = check_school(pack.school, {doc.model.id for doc in pack.flows.flows}, today)
    return problems + list(superseded_at_adoption(pack.school, pack.flows)) + approval_problems(pack)
