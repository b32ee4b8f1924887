"""Render stage: the contacts proof, every name and contact detail the pack prints and where.

A DSL checks one page before anything goes to the printer. "Where" is found by reading the
documents as rendered, not from a list kept by hand, so a template that stops (or starts)
printing a number changes the proof with it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from policypack.model.contacts import is_fiction
from policypack.model.profile import Agency, Profile
from policypack.render.links import shown_address

# Tags that end a block of text: read as a space, so words of two cells never join.
_BLOCK_END = re.compile(r"<(?:br|/p|/td|/th|/li|/div|/h[1-6]|/dt|/dd|/tr|/section)\b[^>]*>", re.IGNORECASE)
POSTER_PREFIX = "poster-"
_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(head|style|script|title)\b.*?</\1>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Detail:
    kind: str  # name, phone, out_of_hours, email, website, address
    value: str
    where: list[str]  # the documents (file stems) that print it
    fiction: bool = False  # a number in Ofcom's drama ranges: nobody answers it

    @property
    def documents(self) -> list[str]:
        """The documents other than posters that print it."""
        return [name for name in self.where if not name.startswith(POSTER_PREFIX)]

    @property
    def posters(self) -> int:
        """How many of the pack's posters print it."""
        return sum(name.startswith(POSTER_PREFIX) for name in self.where)


@dataclass(frozen=True)
class Entry:
    role: str  # dsl, deputy, headteacher, chair, childrens_social_care, police, lado, ...
    details: list[Detail] = field(default_factory=list)


def printed_text(page: str, tags: str = "") -> str:
    """A rendered document's visible text, spacing collapsed; inline tags read as `tags`."""
    body = _HIDDEN.sub(" ", page)
    text = html.unescape(_TAG.sub(tags, _BLOCK_END.sub(" ", body)))
    return " ".join(text.split())


def contact_entries(profile: Profile, documents: Sequence[tuple[str, str]]) -> list[Entry]:
    """Each person and agency the profile names, each detail with the documents that print it.

    `documents` are (file stem, rendered HTML) of the pack's printed documents. Each is read
    twice: inline tags as nothing (an address split by <wbr> is whole again) and as a space
    (a name in <strong> right before its role is still a whole name).
    """
    texts = [(name, printed_text(page), printed_text(page, " ")) for name, page in documents]

    def found(kind: str, value: str) -> Detail:
        phone = kind in ("phone", "out_of_hours")
        shown = " ".join((shown_address(value) if kind == "website" else value).split())
        # whole: police "101" is not found inside "01632 960 101", nor "Tom Ellis" inside "Tom Ellison"
        digits = r"(?<!\d )(?<!\d-)" if phone else ""
        after = r"(?! \d)(?!-\d)" if phone else ""
        pattern = re.compile(rf"(?<![\w@.]){digits}{re.escape(shown)}(?![\w@]){after}")
        where = [name for name, joined, spaced in texts if pattern.search(joined) or pattern.search(spaced)]
        return Detail(kind, value, where, phone and is_fiction(value))

    return [Entry(role, [found(kind, value) for kind, value in details]) for role, details in _details(profile)]


def _details(profile: Profile) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    school = profile.school
    yield "school", [("name", school.name), ("address", school.address), *_given(("website", school.website))]
    people = profile.people
    for role, contact in [("dsl", people.dsl), *(("deputy", deputy) for deputy in people.deputies)]:
        yield role, [("name", contact.name), ("phone", contact.phone), ("email", contact.email)]
    for role, person in (("headteacher", people.headteacher), ("chair", people.chair_of_governors)):
        yield role, [("name", person.name), *_given(("email", person.email))]
    contacts = profile.contacts
    agencies: list[tuple[str, Agency | None]] = [
        ("childrens_social_care", contacts.childrens_social_care),
        ("police", contacts.police),
        ("lado", contacts.lado),
        ("safeguarding_partnership", contacts.safeguarding_partnership),
    ]
    for role, agency in agencies:
        if agency is not None:
            yield (
                role,
                [
                    ("name", agency.name),
                    ("phone", agency.phone),
                    *_given(
                        ("out_of_hours", agency.out_of_hours), ("email", agency.email), ("website", agency.website)
                    ),
                ],
            )


def _given(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
    return [(kind, value) for kind, value in pairs if value]
