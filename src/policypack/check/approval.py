"""Check stage: is the text a pack prints the text the governors approved?

A policy is approved as a whole text. Its version is a fingerprint of what the text is
made from (the school's details and the nation's flows, not the brand or the tools), so
the same inputs always print the same version and any change to them prints a new one.
A school records the version its governors approved (policy.approved_version); only
then can a rebuild tell that its text changed. Dates alone cannot: a maintainer's review
moves a flow's date without changing a word.
"""

from __future__ import annotations

import hashlib
import json

from policypack.errors import Problem, Severity
from policypack.load.pack import PackInput
from policypack.model.approval import Approval

# Fields that record the approval itself, or only change how the pack looks.
NOT_TEXT = {"policy": {"approved_version", "history", "last_reviewed"}, "brand": True, "outputs": True}


def approval_of(pack: PackInput) -> Approval:
    """This text's version, and whether it differs from what was approved."""
    profile = pack.school.model
    nation = profile.school.nation
    flows = sorted((doc.model for doc in pack.flows.flows if doc.model.nation == nation), key=lambda f: f.id)
    text = {
        "profile": profile.model_dump(mode="json", exclude=NOT_TEXT),  # type: ignore[arg-type]
        "flows": [flow.model_dump(mode="json") for flow in flows],
    }
    version = hashlib.sha256(json.dumps(text, sort_keys=True).encode()).hexdigest()[:8]
    approved = profile.policy.approved_version
    reason = None
    if approved is not None and approved != version:
        reason = f"this text is version {version}; the governors approved version {approved}"
    return Approval(version, approved, reason)


def approval_problems(pack: PackInput, approval: Approval) -> list[Problem]:
    if not approval.differs:
        return []
    return [
        Problem(
            pack.school.locate("policy", "approved_version"),
            f"the pack's text differs from what was approved ({approval.reason}); it needs re-approval",
            "`policypack diff OLD NEW` shows what changed in a flow; once the governors approve this text, "
            f"set policy.approved_version: {approval.version}",
            Severity.WARNING,
        )
    ]
