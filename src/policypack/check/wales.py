"""Check stage: a Wales profile that carries England's safeguarding contacts.

Wales has no LADO (allegations go to the local authority's Designated Officer for
Safeguarding under the Wales Safeguarding Procedures) and no safeguarding partnerships
(it has regional Safeguarding Boards). A Wales school whose contacts use England's words
probably copied an English profile: a warning at the line, never an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from policypack.errors import Problem, Severity
from policypack.load.profile import LoadedProfile

ENGLISH_WORDS = {
    "lado": "Designated Officer for Safeguarding",
    "local authority designated officer": "Designated Officer for Safeguarding",
    "partnership": "Regional Safeguarding Board",
    "children's social care": "local authority social services",
    "front door": "local authority social services",
    "safer schools": "school police officer (SchoolBeat), where the force still provides one",
}


def england_only_contacts(school: LoadedProfile) -> Iterator[Problem]:
    if school.model.school.nation != "wales":
        return
    contacts = school.model.contacts
    for key in ("childrens_social_care", "police", "lado", "safeguarding_partnership"):
        agency = getattr(contacts, key)
        if agency is None:
            continue
        said = f"{agency.name} {agency.notes or ''}".casefold()
        for words, instead in ENGLISH_WORDS.items():
            if words in said:
                yield Problem(
                    school.locate("contacts", key, "name"),
                    f"a school in Wales with an English contact: '{agency.name}' says '{words}'",
                    f"in Wales this is the {instead}; give the Welsh body's name and number",
                    Severity.WARNING,
                )
                break
