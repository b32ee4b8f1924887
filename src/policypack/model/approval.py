"""Whether the text a pack prints is the text the governors approved: the verdict, as data.

The check stage works it out (`check/approval.py`); the policy's cover prints it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Approval:
    version: str  # this text's fingerprint, 8 hex digits
    approved: str | None  # the version the profile says was approved
    reason: str | None  # why the text needs re-approval, or None
    edition: int = 1  # the adoption and each review that changed or re-approved the text
    edition_date: dt.date | None = None  # when this edition was adopted or approved
    contacts: str = ""  # a fingerprint of the contact details alone (names, numbers, addresses)

    @property
    def differs(self) -> bool:
        return self.reason is not None

    @property
    def approved_text(self) -> bool:
        """True when the governors approved exactly this text."""
        return self.approved == self.version
