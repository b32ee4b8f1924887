"""Whether the text a pack prints is the text the governors approved: the verdict, as data.

The check stage works it out (`check/approval.py`); the policy's cover prints it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Approval:
    version: str  # this text's fingerprint, 8 hex digits
    approved: str | None  # the version the profile says was approved
    reason: str | None  # why the text needs re-approval, or None

    @property
    def differs(self) -> bool:
        return self.reason is not None
