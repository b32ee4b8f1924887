"""Check stage: is the text a pack prints the text the governors approved?

A policy is approved as a whole text. Its fingerprint covers what the procedure says and
the roles it names (the nation's flows; the school, its phase, the roles and services it
names), not how to reach them: a new phone number, e-mail or name in a role is a contact
update that never asks for re-approval. Nor does the approval record itself (who approved,
the adoption date, the review history), so recording an approval keeps the version that was
approved. The same text always has the same fingerprint.
A school records the fingerprint its governors approved (policy.approved_version); only
then can a rebuild tell that its text changed. Dates alone cannot: a maintainer's review
moves a flow's date without changing a word.

People read an edition, not a fingerprint: "Edition 3, December 2026" counts the adoption
and each review in the history that changed or re-approved the text.
"""

from __future__ import annotations

import hashlib
import json

from policypack.errors import Problem, Severity
from policypack.load.pack import PackInputs
from policypack.model.approval import Approval
from policypack.model.profile import Profile
from policypack.model.strings import DEFAULT_LANGUAGE

# Fields that record the approval itself (who approved it, when it was adopted, reviewed or
# approved again), only change how the pack looks, or say how to reach someone. Approving a
# text writes some of them, so they must not move the fingerprint of the text approved.
NOT_TEXT = {
    "policy": {"approved_version", "approved_by", "adopted", "history", "last_reviewed"},
    "brand": True,
    "outputs": True,
    "people": True,
    "contacts": True,
    "school": {"address", "website"},
}


def approval_of(inputs: PackInputs) -> Approval:
    """This text's version, and whether it differs from what was approved."""
    profile = inputs.school.model
    nation = profile.school.nation
    flows = sorted((doc.model for doc in inputs.flows.flows if doc.model.nation == nation), key=lambda f: f.id)
    # a text in the default language keeps the version it had before languages were a choice
    default = {"language": True} if profile.language == DEFAULT_LANGUAGE else {}
    text = {
        "profile": profile.model_dump(mode="json", exclude={**NOT_TEXT, **default}),  # type: ignore[arg-type]
        "flows": [flow.model_dump(mode="json") for flow in flows],
    }
    text["roles"] = _roles(profile)
    version = _fingerprint(text)
    approved = profile.policy.approved_version
    reason = None
    if approved is not None and approved != version:
        reason = f"this text is version {version}; the governors approved version {approved}"
    reviews = [entry.date for entry in profile.policy.history if entry.kind == "review"]
    edition_date = max([profile.policy.adopted, *reviews])
    contacts = _fingerprint(
        {
            "people": profile.people.model_dump(mode="json"),
            "contacts": profile.contacts.model_dump(mode="json"),
            "school": [profile.school.address, profile.school.website],
        }
    )
    return Approval(version, approved, reason, 1 + len(reviews), edition_date, contacts)


def _roles(profile: Profile) -> dict[str, object]:
    """The roles and services the text names, without who fills them or how to reach them."""
    people = profile.people
    return {
        "deputies": len(people.deputies),
        "services": [name for name, agency in profile.contacts if agency is not None],
    }


def _fingerprint(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:8]


def approval_problems(inputs: PackInputs, approval: Approval) -> list[Problem]:
    if not approval.differs:
        return []
    return [
        Problem(
            inputs.school.locate("policy", "approved_version"),
            f"the pack's text differs from what was approved ({approval.reason}); it needs re-approval",
            "`policypack diff OLD NEW` shows what changed in a flow; once the governors approve this text, "
            f"set policy.approved_version: {approval.version}",
            Severity.WARNING,
        )
    ]
